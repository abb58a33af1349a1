import { readFileSync } from 'node:fs';

/**
 * CPU seconds (user + system) used by this process's finished children: the ffmpeg runs of a
 * composition. Linux's /proc/self/stat counts every child the process has waited for (cutime,
 * cstime), and Node waits for each ffmpeg it spawns; read it before and after. 0 elsewhere.
 * Hand-written: no npm package reads the children's rusage (process.resourceUsage() is the
 * process's own).
 */
export function childCpuSec(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces, inside parentheses).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // cutime and cstime are fields 16 and 17 of stat(5), the 14th and 15th after the name.
    const ticks = Number(fields[13]) + Number(fields[14]);
    return Number.isFinite(ticks) ? ticks / CLOCK_TICKS : 0;
  } catch {
    return 0;
  }
}

/** USER_HZ: 100 on every Linux the project runs on (x86_64 and arm64 kernels). */
const CLOCK_TICKS = 100;
