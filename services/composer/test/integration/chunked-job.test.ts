import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SceneReady } from '@reelay/events';
import { ulid } from 'ulid';
import { TEST_STAGE } from '../../../../test/support/test-stage';
import { finalKey } from '../../src/scenes/media-files';
import { type ComposerHarness, startComposerHarness } from './composer-harness';
import { streamFacts } from './composition/fixtures';

const SCENES = 6;
const FPS = 30;
/** The harness's scenes: 2 s each, crossfades of 0.5 s (15 frames). */
const EXPECTED_FRAMES = SCENES * 2 * FPS - (SCENES - 1) * 15;

/**
 * A long job composed in chunks on the embedded cloud: the chunking threshold set low by
 * configuration (COMPOSE_CHUNK_SCENES=2), so six 2 s scenes make three chunks and the soundtrack,
 * each its own compose-chunk invocation, joined by compose.
 */
describe('a long job is composed in chunks, in parallel, and joined once', () => {
  let harness: ComposerHarness;
  const dir = mkdtempSync(join(tmpdir(), 'chunked-job-'));

  beforeAll(async () => {
    harness = await startComposerHarness({
      stage: TEST_STAGE,
      // A lease of 10 s: when two prepares both complete the set, the compose request that finds the
      // lease held looks again just past its end (at most 15 s later with the default minute), and
      // the case waits for the cloud to come to rest. compose renews its lease while it works; a
      // chunk's claim (not renewed) lasts as long, far more than a 2-scene 320x180 chunk takes, and
      // no part is sent twice before the parts are done.
      functionEnv: { COMPOSE_CHUNK_SCENES: '2', COMPOSE_LEASE_MS: '10000' },
    });
  }, 180_000);

  afterAll(async () => {
    await harness?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const queueUrl = async (name: string) =>
    String(
      (
        await harness.cloud.clients.sqs.send(
          new GetQueueUrlCommand({ QueueName: `reelay-${TEST_STAGE}-composer-${name}` }),
        )
      ).QueueUrl,
    );

  it('makes one video of every frame with A/V in sync, and a replay or redelivery makes no second one', async () => {
    // Prepare
    const { s3 } = harness.cloud.clients;
    const bucket = harness.cloud.names.mediaBucket;
    const jobId = ulid();
    const scenes = await Promise.all(
      Array.from({ length: SCENES }, (_, i) => harness.storedScene(jobId, i, SCENES)),
    );

    // Act: the scenes arrive; the job is composed.
    await harness.publish(scenes);
    const outcomes = await harness.outcomes(jobId, 240_000);

    // Assess: one video, of every frame, from three chunks and a soundtrack.
    expect(outcomes.map((o) => o.type)).toEqual(['VideoComposed']);
    expect(outcomes[0]?.detail.durationSec).toBeCloseTo(EXPECTED_FRAMES / FPS, 3);
    const parts = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `intermediates/${jobId}/chunks/` }),
    );
    expect((parts.Contents ?? []).map((o) => o.Key?.split('/').pop()).sort()).toEqual([
      '000.mp4',
      '001.mp4',
      '002.mp4',
      'soundtrack.m4a',
    ]);
    const final = join(dir, 'final.mp4');
    const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: finalKey(jobId) }));
    writeFileSync(final, await (body.Body?.transformToByteArray() ?? new Uint8Array()));
    const { video, audio } = await streamFacts(final);
    expect(video.nb_frames).toBe(EXPECTED_FRAMES);
    expect(Math.abs(video.duration - EXPECTED_FRAMES / FPS)).toBeLessThan(1 / FPS);
    expect(Math.abs((audio?.duration ?? 0) - video.duration)).toBeLessThan(1 / FPS);
    const stored = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: finalKey(jobId) }));

    // Act: the last scene replayed, a chunk and the soundtrack redelivered, the join asked again.
    await harness.publish([scenes[SCENES - 1] as SceneReady]);
    const chunkQueue = await queueUrl('compose-chunk');
    for (const part of [0, 3])
      await harness.cloud.clients.sqs.send(
        new SendMessageCommand({ QueueUrl: chunkQueue, MessageBody: JSON.stringify({ jobId, part }) }),
      );
    await harness.cloud.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: await queueUrl('compose'), MessageBody: JSON.stringify({ jobId }) }),
    );
    const after = await harness.outcomesAtRest(jobId);

    // Assess: still the one VideoComposed, and the stored video untouched.
    expect(after.map((o) => o.type)).toEqual(['VideoComposed']);
    const again = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: finalKey(jobId) }));
    expect(again.ETag).toBe(stored.ETag);
    expect(again.LastModified).toEqual(stored.LastModified);
  }, 360_000);
});
