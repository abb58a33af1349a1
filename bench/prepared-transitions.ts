/**
 * Transitions rendered as prepare renders them (services/composer/src/scenes/early-transitions.ts):
 * one ffmpeg run each, as both scenes of a transition become ready, before composition. The
 * benches hand them to the composition as the composer does, all but the ones beside the scene
 * whose prepare completed the set (compose renders those itself).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { OutputFormat } from '../services/composer/src/composition';
import { renderTransitionBetween } from '../services/composer/src/composition/transition-render';
import { childCpuSec } from './child-cpu';

export interface PreparedTransitions {
  /** By the outgoing clip's position: the transitions compose copies. */
  files: Map<number, string>;
  /** What one transition cost prepare (the mean of the ones rendered). */
  meanMs: number;
  meanCpuSec: number;
  /** The transitions left to compose: those beside the last scene. */
  left: number;
}

/**
 * Renders the transitions of `clips` that prepare would have rendered when scene `lastScene`
 * arrives last. Clips with the same `sourceOf` (the benches reuse a few pictures around a long
 * timeline) share one render, copied to a file per transition as compose downloads each.
 */
export async function prepareTransitions(
  clips: ReadonlyArray<{ file: string; durationSec: number }>,
  format: OutputFormat,
  dir: string,
  lastScene: number,
  sourceOf: (clip: number) => string = (clip) => String(clip),
): Promise<PreparedTransitions> {
  mkdirSync(dir, { recursive: true });
  const files = new Map<number, string>();
  const rendered = new Map<string, string>();
  const costs: Array<{ ms: number; cpuSec: number }> = [];
  let left = 0;
  for (let position = 0; position < clips.length - 1; position++) {
    if (position === lastScene || position + 1 === lastScene) {
      left++;
      continue;
    }
    const from = clips[position];
    const to = clips[position + 1];
    if (!from || !to) continue;
    const pair = `${sourceOf(position)}-${sourceOf(position + 1)}`;
    let file = rendered.get(pair);
    if (!file) {
      file = join(dir, `rendered-${pair}.mp4`);
      const cpu = childCpuSec();
      const started = performance.now();
      await renderTransitionBetween({ from, to: to.file, format, output: file });
      costs.push({ ms: performance.now() - started, cpuSec: childCpuSec() - cpu });
      rendered.set(pair, file);
    }
    const own = join(dir, `transition-${position}.mp4`);
    copyFileSync(file, own);
    files.set(position, own);
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  return {
    files,
    meanMs: mean(costs.map((c) => c.ms)),
    meanCpuSec: mean(costs.map((c) => c.cpuSec)),
    left,
  };
}
