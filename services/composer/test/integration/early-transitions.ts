import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { runFfmpeg } from '@reelay/media';
import { ulid } from 'ulid';
import { frameColours } from '../../../../test/support/page-colours';
import { renderTransitions } from '../../src/composition/transition-render';
import { finalKey, preparedKey, transitionKey } from '../../src/scenes/media-files';
import { type ComposerHarness, format } from './composer-harness';

const redClip = async (dir: string): Promise<string> => {
  const file = join(dir, 'red.mp4');
  // biome-ignore format: ffmpeg flags and their values read as pairs
  await runFfmpeg(
    ['-f', 'lavfi', '-i', 'color=c=red:s=320x180:r=30:d=1', '-c:v', 'libx264', '-preset', 'veryfast', '-bf', '0', '-g', '30', '-pix_fmt', 'yuv420p', file],
    { allowLavfi: true },
  );
  const transition = join(dir, 'red-transition.mp4');
  await renderTransitions({
    transitions: [{ from: file, to: file, fromStartFrame: 0 }],
    frames: 15,
    format,
    output: transition,
  });
  return transition;
};

/**
 * Transitions rendered by prepare as both their scenes are ready (early-transitions.ts), on the
 * embedded cloud: run by composer-invariants.test.ts on the cloud it shares.
 */
export const earlyTransitionTests = (shared: () => ComposerHarness) =>
  describe('prepare renders a transition once both its scenes are ready', () => {
    let harness: ComposerHarness;
    const dir = mkdtempSync(join(tmpdir(), 'early-transitions-'));

    beforeAll(() => {
      harness = shared();
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('stores it for compose, which copies it; the last scene leaves its own to compose', async () => {
      // Prepare
      const { s3 } = harness.cloud.clients;
      const bucket = harness.cloud.names.mediaBucket;
      const jobId = ulid();
      const scenes = await Promise.all([0, 1, 2].map((i) => harness.storedScene(jobId, i, 3)));
      const transitions = async () =>
        (
          (
            await s3.send(
              new ListObjectsV2Command({ Bucket: bucket, Prefix: `intermediates/${jobId}/transitions/` }),
            )
          ).Contents ?? []
        ).map((o) => o.Key?.split('/').pop());

      // Act: scene 1, then scene 0 (its neighbour is ready: the transition 0 -> 1 is rendered).
      await harness.publish([scenes[1] as (typeof scenes)[number]]);
      await harness.atRest('scene 1 prepared');
      await harness.publish([scenes[0] as (typeof scenes)[number]]);
      await harness.atRest('scene 0 prepared');
      const before = await transitions();
      // The stored transition swapped for a red one: the video shows which one compose used.
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: transitionKey(jobId, 0, 1),
          Body: readFileSync(await redClip(dir)),
        }),
      );
      await harness.publish([scenes[2] as (typeof scenes)[number]]);
      const outcomes = await harness.outcomes(jobId, 240_000);

      // Assess
      expect(before).toEqual(['00-01.mp4']);
      expect(outcomes.map((o) => o.type)).toEqual(['VideoComposed']);
      // The scene that completed the set rendered nothing: compose made 1 -> 2 itself.
      expect(await transitions()).toEqual(['00-01.mp4']);
      const final = join(dir, 'final.mp4');
      const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: finalKey(jobId) }));
      writeFileSync(final, await (body.Body?.transformToByteArray() ?? new Uint8Array()));
      const colours = frameColours(final);
      // 60 frames a scene, 15-frame crossfades: 0 -> 1 at frames 45-59, 1 -> 2 at 90-104.
      expect(colours).toHaveLength(150);
      const red = (p: readonly number[] | undefined) =>
        p !== undefined && (p[0] ?? 0) > 200 && (p[1] ?? 0) < 50 && (p[2] ?? 0) < 50;
      expect(colours.slice(45, 60).every(red)).toBe(true);
      expect(colours.slice(90, 105).some(red)).toBe(false);
    }, 300_000);

    it('leaves a transition it cannot render to compose, and the job still completes', async () => {
      // Prepare
      const { s3 } = harness.cloud.clients;
      const bucket = harness.cloud.names.mediaBucket;
      const jobId = ulid();
      const scenes = await Promise.all([0, 1, 2].map((i) => harness.storedScene(jobId, i, 3)));
      const scene = (i: number) => scenes[i] as (typeof scenes)[number];
      await harness.publish([scene(0)]);
      await harness.atRest('scene 0 prepared');
      // Scene 0's prepared clip unreadable while scene 1 is prepared: its transition cannot be made.
      const clip0 = preparedKey(jobId, 0, false);
      const good = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: clip0 }));
      const goodBytes = await (good.Body?.transformToByteArray() ?? new Uint8Array());
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: clip0, Body: 'not a video' }));

      // Act
      await harness.publish([scene(1)]);
      await harness.atRest('scene 1 prepared');
      const early = await harness.outcomesAtRest(jobId);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: clip0, Body: goodBytes }));
      await harness.publish([scene(2)]);
      const outcomes = await harness.outcomes(jobId, 240_000);

      // Assess: scene 1 was prepared and counted (no JobFailed, no retry); compose made both transitions.
      expect(early).toEqual([]);
      expect(outcomes.map((o) => o.type)).toEqual(['VideoComposed']);
      expect(outcomes[0]?.detail.durationSec).toBeCloseTo(150 / 30, 3);
      const stored = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: `intermediates/${jobId}/transitions/` }),
      );
      expect(stored.Contents ?? []).toEqual([]);
    }, 300_000);
  });
