import { runTool } from '../src/run-tool';
import { toolEnv } from '../src/tool-env';

describe('the environment ffmpeg runs in', () => {
  it('asks glibc for huge-page malloc, keeping the rest of the environment', () => {
    expect(toolEnv({ PATH: '/usr/bin' })).toEqual({
      PATH: '/usr/bin',
      GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1',
    });
  });

  it('adds to tunables already set, and leaves a hugetlb choice of the caller alone', () => {
    expect(toolEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }).GLIBC_TUNABLES).toBe(
      'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1',
    );
    expect(toolEnv({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }).GLIBC_TUNABLES).toBe(
      'glibc.malloc.hugetlb=0',
    );
  });

  it('is what the tools are started with', async () => {
    const { stdout } = await runTool('env', '/usr/bin/env', [], { captureStdout: true });
    expect(stdout.split('\n')).toContain(`GLIBC_TUNABLES=${toolEnv().GLIBC_TUNABLES}`);
  });
});
