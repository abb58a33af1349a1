import { PassThrough } from 'node:stream';
import { progressReporter } from '../job-progress';
import { type SceneState, sceneProgress, scenesSummary } from '../scene-labels';

/**
 * The plan of `--scenes 3` with narration and music, as the planner numbers it: visual scenes 0-2,
 * narration lines 3-5 (one per visual scene), music 6.
 */
const planOfThree = (ready: number[] = []): SceneState[] =>
  [
    { sceneIndex: 0, kind: 'video' },
    { sceneIndex: 1, kind: 'video' },
    { sceneIndex: 2, kind: 'video' },
    { sceneIndex: 3, kind: 'narration' },
    { sceneIndex: 4, kind: 'narration' },
    { sceneIndex: 5, kind: 'narration' },
    { sceneIndex: 6, kind: 'music' },
  ].map((s) => ({ ...s, status: ready.includes(s.sceneIndex) ? 'ready' : 'planned' }));

/** The record's scenes in the order the issue saw them arrive: 1,3,4,5,6,7,2. */
const arrivalOrder = [0, 2, 3, 4, 5, 6, 1];

/** A pipe (no TTY) whose text the test reads. */
function pipe() {
  const stream = Object.assign(new PassThrough(), { isTTY: false });
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream: stream as unknown as NodeJS.WriteStream, lines: () => text.split('\n').filter(Boolean) };
}

describe('scenes labelled by kind, in plan order', () => {
  it('labels visual scenes 1..N, narration lines by the scene they belong to, and the music, whatever the arrival order', () => {
    const scenes = arrivalOrder.map((i) => planOfThree([1])[i] as SceneState);

    const progress = sceneProgress({ status: 'RENDERING', scenes, sceneCount: 7 });

    expect(progress.rows.map((r) => `${r.label} ${r.state}`)).toEqual([
      'scene 1/3 rendering',
      'scene 2/3 ready',
      'scene 3/3 rendering',
      'narration 1/3 rendering',
      'narration 2/3 rendering',
      'narration 3/3 rendering',
      'music rendering',
    ]);
    expect(progress).toMatchObject({ visualReady: 1, visualTotal: 3 });
  });

  it('knows the number of visual scenes from the first audio scene before the whole plan is seen', () => {
    const partial = [planOfThree()[0], planOfThree()[4]] as SceneState[];

    expect(sceneProgress({ status: 'PLANNED', scenes: partial, sceneCount: 7 }).visualTotal).toBe(3);
    expect(
      sceneProgress({ status: 'PLANNED', scenes: [partial[0] as SceneState], sceneCount: 7 }).visualTotal,
    ).toBe(undefined);
  });

  it('says a scene that never finished was stopped once the job has ended', () => {
    const progress = sceneProgress({ status: 'FAILED', scenes: planOfThree([0]), sceneCount: 7 });

    expect(progress.rows[0]?.state).toBe('ready');
    expect(progress.rows[1]?.state).toBe('stopped');
  });

  it('summarises the job by its visual scenes, naming the audio', () => {
    expect(scenesSummary(planOfThree())).toBe('3 scenes with music and narration');
    expect(scenesSummary([{ kind: 'upload' }])).toBe('1 scene');
  });
});

describe("npm start's progress lines in a pipe", () => {
  it('writes each scene by its label, in plan order, and the overall count with the elapsed time', () => {
    // Prepare: a clock the test moves, a pipe.
    const out = pipe();
    let now = 0;
    const progress = progressReporter(out.stream, () => now);

    // Act: the first scene of the plan, then the rest out of order, then scene 2 and the rest finish.
    progress.update({ status: 'PLANNED', scenes: [planOfThree()[0] as SceneState], sceneCount: 7 });
    now = 1_000;
    progress.update({
      status: 'PLANNED',
      scenes: arrivalOrder.map((i) => planOfThree()[i] as SceneState),
      sceneCount: 7,
    });
    now = 4_200;
    progress.update({ status: 'RENDERING', scenes: planOfThree([1]), sceneCount: 7 });
    now = 9_000;
    progress.update({ status: 'COMPLETED', scenes: planOfThree([0, 1, 2, 3, 4, 5, 6]), sceneCount: 7 });
    progress.stop();

    // Assess
    const lines = out.lines();
    expect(lines.slice(0, 9)).toEqual([
      'job planned',
      'scene 1/3 rendering',
      'scene 2/3 rendering',
      'scene 3/3 rendering',
      'narration 1/3 rendering',
      'narration 2/3 rendering',
      'narration 3/3 rendering',
      'music rendering',
      '0/3 scenes after 1.0 s',
    ]);
    expect(lines).toContain('scene 2/3 ready');
    expect(lines).toContain('1/3 scenes after 4.2 s');
    expect(lines).toContain('3/3 scenes after 9.0 s');
    expect(lines.filter((l) => l.startsWith('scene ') && !/^scene [1-3]\/3 /.test(l))).toEqual([]);
  });
});

describe("npm start's bars on a terminal", () => {
  it('keeps the scene bars in plan order when a scene arrives late, with the job bar counting scenes', () => {
    // Prepare: a terminal-like stream (cli-progress draws with cursor moves; the text is what matters).
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120, hasColors: () => false });
    let text = '';
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    const progress = progressReporter(stream as unknown as NodeJS.WriteStream, () => 0);

    // Act: scene 2 arrives last, as in the issue.
    const plan = planOfThree([1]);
    progress.update({
      status: 'PLANNED',
      scenes: arrivalOrder.slice(0, -1).map((i) => plan[i] as SceneState),
      sceneCount: 7,
    });
    progress.update({ status: 'RENDERING', scenes: plan, sceneCount: 7 });
    progress.stop();

    // Assess: the last frame drawn lists the bars top to bottom in plan order.
    const lastFrame = text.slice(text.lastIndexOf(' job '));
    const labels = [...lastFrame.matchAll(/ (job|scene \d\/3|narration \d\/3|music) +\[/g)].map((m) => m[1]);
    expect(labels).toEqual([
      'job',
      'scene 1/3',
      'scene 2/3',
      'scene 3/3',
      'narration 1/3',
      'narration 2/3',
      'narration 3/3',
      'music',
    ]);
    expect(lastFrame).toMatch(/job +\[[^\]]*\] rendering {2}1\/3 scenes {2}0\.0 s/);
  });
});
