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

  it('reports a sandbox warm once its init has loaded the handler, before any event', async () => {
    // Prepare
    const fn = localFunction('when-warm');
    // Act
    fn.warm();
    await fn.whenWarm();
    // Assess
    expect(fn.initDurationsMs).toHaveLength(1);
    expect(fn.invocations).toBe(0);
  });

  it('keeps one sandbox for invocations that come one at a time (no spare for a lone request)', async () => {
    // Prepare
    const fn = localFunction('lone');
    fn.warm();
    await fn.whenWarm();
    // Act: two invocations, one after the other, each looked at while it runs.
    const counts: number[] = [];
    for (let i = 0; i < 2; i++) {
      const running = fn.invoke({ holdMs: 500 });
      await new Promise((resolve) => setImmediate(resolve));
      counts.push((await fn.sandboxHeaps()).length);
      await running;
    }
    // Assess
    expect(counts).toEqual([1, 1]);
  });

  it('starts a spare sandbox during a burst while every sandbox is busy, up to the concurrency', async () => {
    // Prepare
    const fn = localFunction('spare');
    fn.warm();
    await fn.whenWarm();
    // Act: two invocations at once take the warm sandbox and a new one.
    const running = [fn.invoke({ holdMs: 3000 }), fn.invoke({ holdMs: 3000 })];
    await new Promise((resolve) => setImmediate(resolve));
    const whileBusy = (await fn.sandboxHeaps()).length;
    const answers = await Promise.all(running);
    // Assess: a third was already starting for the next event of the burst (maxConcurrency 3).
    expect(whileBusy).toBe(3);
    expect(answers).toEqual([{ ok: true }, { ok: true }]);
  });
});

describe('a local Lambda function closed while invocations wait for a sandbox', () => {
  it('ends every invocation, the waiting ones too, without starting a sandbox after the close', async () => {
    // Prepare: three invocations hold the three sandboxes; a fourth waits for one.
    const fn = new LocalFunction(
      {
        name: 'closing',
        arn: 'arn:aws:lambda:us-east-1:000000000000:function:closing',
        handlerFile: require.resolve('./sandbox-handler.ts'),
        exportName: 'handler',
        env: {},
        timeoutSec: 60,
        memoryMb: 128,
        maxConcurrency: 3,
      },
      () => undefined,
      {},
    );
    const running = [1, 2, 3].map(() => fn.invoke({ holdMs: 5_000 }));
    const waiting = fn.invoke({ holdMs: 5_000 });
    const outcomes = Promise.allSettled([...running, waiting]);
    while (fn.invocations < 3) await new Promise((resolve) => setTimeout(resolve, 20));

    // Act: the cloud closes (as when it is stopped mid-run).
    await fn.close();

    // Assess: all four fail; the waiting one never got a sandbox of its own.
    const settled = await outcomes;
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    expect(String((settled[3] as PromiseRejectedResult).reason)).toMatch(/shutting down/);
    expect(fn.invocations).toBe(3);
  }, 60_000);
});
