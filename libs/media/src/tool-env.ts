/** glibc ≥ 2.35: malloc advises the kernel to back its large blocks with transparent huge pages. */
const HUGE_PAGE_MALLOC = 'glibc.malloc.hugetlb=1';

/**
 * The environment ffmpeg and ffprobe run in: the caller's, with glibc's malloc asked to use
 * transparent huge pages. ffmpeg's frame pools and x264's buffers are touched page by page when
 * first used; in 4 KB pages that was ~32k page faults and ~15% of the wall time of a 1 s
 * transition render on this kind of VM (8k faults with the tunable; measured 2026-12-05, peak
 * memory +8%). Kernels with THP off, older glibc and static builds ignore it. A GLIBC_TUNABLES
 * that already sets the tunable is left as it is.
 */
export function toolEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const tunables = base.GLIBC_TUNABLES;
  if (tunables?.includes('glibc.malloc.hugetlb=')) return base;
  return { ...base, GLIBC_TUNABLES: tunables ? `${tunables}:${HUGE_PAGE_MALLOC}` : HUGE_PAGE_MALLOC };
}
