import { makeScenePlanned, type ScenePlanned } from '@reelay/events';
import type { ChainLinks, ReadyClip } from '../../../src/chaining/chain-links';
import { type ChainDeps, chainedScenePlanned, clipReady } from '../../../src/chaining/chain-scenes';
import { executionName } from '../../../src/rendering/render-state';

/** In-memory chain links and a Step Functions stand-in that, like AWS, starts one execution per name. */
function fakes() {
  const next = new Map<string, ScenePlanned>();
  const ready = new Map<string, ReadyClip>();
  const executions = new Map<string, { scene: ScenePlanned; firstFrameKey?: string }>();
  const framesExtracted: string[] = [];
  const links: ChainLinks = {
    putChainedScene: async (scene) => void next.set(`${scene.jobId}#${scene.chainedFrom}`, scene),
    chainedSceneAfter: async (jobId, index) => next.get(`${jobId}#${index}`),
    putReadyClip: async (clip) => void ready.set(`${clip.jobId}#${clip.sceneIndex}`, clip),
    readyClip: async (jobId, index) => ready.get(`${jobId}#${index}`),
  };
  const deps: ChainDeps = {
    links,
    frames: {
      ensure: async (jobId, sceneIndex, clipKey) => {
        framesExtracted.push(clipKey);
        return `intermediates/${jobId}/frames/${String(sceneIndex).padStart(2, '0')}-last.jpg`;
      },
    },
    renders: {
      start: async (scene, firstFrameKey) => {
        const name = executionName(scene);
        const started = !executions.has(name);
        if (started) executions.set(name, { scene, ...(firstFrameKey ? { firstFrameKey } : {}) });
        return { name, started };
      },
    },
  };
  return { deps, executions, framesExtracted };
}

describe('a chained scene starts from the last frame of the scene before it', () => {
  const jobId = '01J0000000000000000000000A';
  const chained = makeScenePlanned({
    jobId,
    sceneIndex: 1,
    sceneCount: 2,
    chainedFrom: 0,
  }) as ScenePlanned & {
    chainedFrom: number;
  };
  const clip: ReadyClip = { jobId, sceneIndex: 0, key: `intermediates/${jobId}/scenes/00-1.mp4` };

  it('waits when it is planned before the scene it continues is stored, and starts when that arrives', async () => {
    const { deps, executions, framesExtracted } = fakes();

    const first = await chainedScenePlanned(chained, deps);
    const second = await clipReady(clip, deps);

    expect([first, second]).toEqual(['waiting', 'started']);
    expect([...executions.values()]).toEqual([
      { scene: chained, firstFrameKey: `intermediates/${jobId}/frames/00-last.jpg` },
    ]);
    expect(framesExtracted).toEqual([clip.key]);
  });

  it('starts at once when the scene it continues was stored first', async () => {
    const { deps, executions } = fakes();

    const first = await clipReady(clip, deps);
    const second = await chainedScenePlanned(chained, deps);

    expect([first, second]).toEqual(['none', 'started']);
    expect(executions.get(executionName(chained))?.firstFrameKey).toBe(
      `intermediates/${jobId}/frames/00-last.jpg`,
    );
  });

  it('starts it exactly once whatever is redelivered, in any order', async () => {
    const { deps, executions } = fakes();

    await chainedScenePlanned(chained, deps);
    await clipReady(clip, deps);
    await clipReady(clip, deps);
    await chainedScenePlanned(chained, deps);

    expect(executions.size).toBe(1);
  });
});
