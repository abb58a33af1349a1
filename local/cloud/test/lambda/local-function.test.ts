import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFunction } from '../../src/lambda/local-function';

async function waitFor(check: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('local Lambda sandboxes', () => {
  let dir: string;
  const functions: LocalFunction[] = [];

  const localFunction = (name: string, env: Record<string, string> = {}) => {
    const fn = new LocalFunction(
      {
        name,
        arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
        handlerFile: require.resolve('./sandbox-handler.ts'),
        exportName: 'handler',
        env,
        timeoutSec: 60,
        memoryMb: 128,
        maxConcurrency: 3,
      },
      () => undefined,
      {},
    );
    functions.push(fn);
    return fn;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'local-function-'));
  });
  afterAll(async () => {
    await Promise.all(functions.map((fn) => fn.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the handler module when a warmed sandbox starts, before any event', async () => {
    // Prepare
    const marker = join(dir, 'loaded');
    const fn = localFunction('warm-load', { LOADED_MARKER: marker });
    // Act
    fn.warm();
    // Assess: the module's init ran without an invocation.
    await waitFor(() => existsSync(marker), 'the handler module to load');
    expect(fn.invocations).toBe(0);
  });

  it('starts a spare sandbox while every sandbox is busy, up to the concurrency', async () => {
    // Prepare
    const fn = localFunction('spare');
    fn.warm();
    // Act: the one warm sandbox takes a long invocation.
    const running = fn.invoke({ holdMs: 3000 });
    await new Promise((resolve) => setImmediate(resolve));
    const whileBusy = (await fn.sandboxHeaps()).length;
    const answer = await running;
    // Assess: a second sandbox was already starting for the next event.
    expect(whileBusy).toBe(2);
    expect(answer).toEqual({ ok: true });
  });
});
