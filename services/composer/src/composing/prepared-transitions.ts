import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { downloadObject, transitionKey } from '../scenes/media-files';
import type { JobComposition } from '../scenes/scene-set';
import type { JobTimeline } from './job-timeline';

/**
 * The transitions prepare rendered that this timeline uses, by the outgoing scene's position on
 * it: recorded from scene i into scene j where j is the visual scene after i (a record that does
 * not match the timeline is not used).
 */
export function preparedTransitions(
  job: JobComposition,
  timeline: JobTimeline,
): Map<number, { from: number; to: number }> {
  const used = new Map<number, { from: number; to: number }>();
  if (timeline.overlapFrames === 0) return used;
  const visual = timeline.scenes.visual;
  visual.forEach((scene, position) => {
    const next = visual[position + 1];
    if (next && job.transitions[scene.sceneIndex] === next.sceneIndex)
      used.set(position, { from: scene.sceneIndex, to: next.sceneIndex });
  });
  return used;
}

/** The transitions prepare rendered for this timeline, downloaded, by the outgoing clip's position. */
export async function fetchPreparedTransitions(
  job: JobComposition,
  timeline: JobTimeline,
  dir: string,
  deps: { s3: S3Client; bucket: string },
  positions?: (position: number) => boolean,
): Promise<Map<number, string>> {
  const wanted = [...preparedTransitions(job, timeline)].filter(
    ([position]) => positions?.(position) ?? true,
  );
  return new Map(
    await Promise.all(
      wanted.map(async ([position, { from, to }]): Promise<[number, string]> => {
        const file = join(dir, `transition-${from}-${to}.mp4`);
        await downloadObject(deps.s3, deps.bucket, transitionKey(job.jobId, from, to), file);
        return [position, file];
      }),
    ),
  );
}
