import { PassThrough } from 'node:stream';
import { progressReporter } from '../job-progress';
import type { SceneState } from '../scene-labels';

/** A 120-page story as the planner numbers it: pages 0-119, narration 120-239; `ready` of each. */
function storyOf(pagesReady: number, narrationReady: number): SceneState[] {
  return Array.from({ length: 240 }, (_, i) => ({
    sceneIndex: i,
    kind: i < 120 ? 'image' : 'narration',
    status: (i < 120 ? i < pagesReady : i - 120 < narrationReady) ? 'ready' : 'planned',
  }));
}

function terminal() {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 100, hasColors: () => false });
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

describe('progress of a long job stays readable', () => {
  it('draws one bar for the pages and one for the narration, not 240 bars', () => {
    // Prepare
    const out = terminal();
    const progress = progressReporter(out.stream, () => 0);

    // Act
    progress.update({ status: 'RENDERING', scenes: storyOf(120, 37), sceneCount: 240 });
    progress.stop();

    // Assess: the last frame holds the job, scenes and narration bars only.
    const lastFrame = out.text().slice(out.text().lastIndexOf(' job '));
    const labels = [...lastFrame.matchAll(/ (\w+) +\[/g)].map((m) => m[1]);
    expect(labels).toEqual(['job', 'scenes', 'narration']);
    expect(lastFrame).toContain('120/120 ready');
    expect(lastFrame).toContain('37/120 ready');
  });

  it('writes each group at every tenth in a pipe, tens of lines for the whole job', () => {
    // Prepare
    const stream = Object.assign(new PassThrough(), { isTTY: false });
    let text = '';
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    const progress = progressReporter(stream as unknown as NodeJS.WriteStream, () => 0);

    // Act: every scene becomes ready one by one.
    for (let n = 0; n <= 120; n++) {
      progress.update({ status: 'RENDERING', scenes: storyOf(n, n), sceneCount: 240 });
    }
    progress.update({ status: 'COMPLETED', scenes: storyOf(120, 120), sceneCount: 240 });

    // Assess
    const lines = text.split('\n').filter(Boolean);
    const groupLines = lines.filter((l) => /^(scenes|narration) /.test(l));
    expect(groupLines).toContain('narration 12/120 ready');
    expect(groupLines).toContain('narration 120/120 ready');
    expect(groupLines.filter((l) => l.startsWith('narration'))).toHaveLength(11);
    expect(lines.some((l) => l.startsWith('scene 1/'))).toBe(false);
  });
});
