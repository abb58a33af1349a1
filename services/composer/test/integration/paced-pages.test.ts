import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeSceneReady, type OutputFormat, type SceneReady } from '@reelay/events';
import { probeMedia } from '@reelay/media';
import { ulid } from 'ulid';
import { type AwsJsonEmulator, startAwsJsonEmulator } from '../../../../local/cloud/aws-json/src';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../../../local/cloud/src/local-dynamodb';
import { type LocalS3, startLocalS3 } from '../../../../local/cloud/src/local-s3';
import { timelineScenes } from '../../src/composing/timeline-scenes';
import { composeTimeline } from '../../src/composition';
import { downloadObject, preparedKey } from '../../src/scenes/media-files';
import { pagedSec, prepareScene } from '../../src/scenes/prepare-scene';
import { SceneSet } from '../../src/scenes/scene-set';

const BUCKET = 'paced-media';
const TABLE = 'paced-composer';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const output: OutputFormat = {
  width: 320,
  height: 180,
  fps: 24,
  transition: 'cut',
  transitionSec: 0,
  captions: 'soft',
  pageTiming: { by: 'narration', pauseSec: 0.5 },
};

/** ffmpeg, for test media only. */
const ffmpeg = (args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);

describe('a story page lasts as its narration, whichever is prepared first', () => {
  let dynamo: LocalDynamoDb;
  let s3Server: LocalS3;
  let json: AwsJsonEmulator;
  let s3: S3Client;
  let sqs: SQSClient;
  let queueUrl: string;
  let scenes: SceneSet;
  let dir: string;
  const page = readFileSyncLazy(() => join(dir, 'page.png'));
  const voice = readFileSyncLazy(() => join(dir, 'voice.wav'));
  const voiceMp3 = readFileSyncLazy(() => join(dir, 'voice.mp3'));
  const secondPage = readFileSyncLazy(() => join(dir, 'page-2.png'));

  beforeAll(async () => {
    [dynamo, s3Server, json] = await Promise.all([
      startLocalDynamoDb(),
      startLocalS3(),
      startAwsJsonEmulator({ invokeLambda: async () => undefined }),
    ]);
    const region = 'us-east-1';
    s3 = new S3Client({
      region,
      endpoint: s3Server.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      // As the services' clients (libs/lambda): s3rver would store an aws-chunked body as it came.
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    sqs = new SQSClient({ region, endpoint: json.url, credentials });
    const ddb = new DynamoDBClient({ region, endpoint: dynamo.endpoint, credentials });
    await ddb.send(
      new CreateTableCommand({
        TableName: TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    scenes = new SceneSet(DynamoDBDocumentClient.from(ddb), TABLE);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    queueUrl = String((await sqs.send(new CreateQueueCommand({ QueueName: 'compose' }))).QueueUrl);
    dir = mkdtempSync(join(tmpdir(), 'paced-pages-'));
    // A tall page and 1.3 s of voice.
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=orange:s=120x360', '-frames:v', '1', join(dir, 'page.png')]);
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=blue:s=120x360', '-frames:v', '1', join(dir, 'page-2.png')]);
    ffmpeg(['-f', 'lavfi', '-i', 'sine=f=440:d=1.3', '-ar', '22050', join(dir, 'voice.wav')]);
    // The same 1.3 s as an MP3, as the MiniMax speech model answers: its stated duration is 1.358 s
    // (the encoder's padding), its decoded samples 1.3 s.
    ffmpeg(['-i', join(dir, 'voice.wav'), '-c:a', 'libmp3lame', '-b:a', '64k', join(dir, 'voice.mp3')]);
  }, 180_000);
  afterAll(async () => {
    s3?.destroy();
    sqs?.destroy();
    await Promise.all([dynamo?.close(), s3Server?.close(), json?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A job of one page (scene 0) and its narration (scene 1), stored as the generator would. */
  async function storedJob(
    voiceFormat: 'wav' | 'mp3' = 'wav',
  ): Promise<{ pageReady: SceneReady; narrationReady: SceneReady }> {
    const jobId = ulid();
    const pageKey = `intermediates/${jobId}/scenes/00-1.png`;
    const voiceKey = `intermediates/${jobId}/scenes/01-1.${voiceFormat}`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: pageKey, Body: page() }));
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: voiceKey,
        Body: voiceFormat === 'wav' ? voice() : voiceMp3(),
      }),
    );
    const common = { jobId, sceneCount: 2, output };
    return {
      pageReady: makeSceneReady({
        ...common,
        sceneIndex: 0,
        kind: 'image',
        provider: 'upload',
        key: pageKey,
        durationSec: 4,
        caption: 'Trang một',
      }),
      narrationReady: makeSceneReady({
        ...common,
        sceneIndex: 1,
        kind: 'narration',
        key: voiceKey,
        durationSec: 120,
        alignTo: 0,
      }),
    };
  }

  const deps = () => ({ s3, bucket: BUCKET, sqs, composeQueueUrl: queueUrl, scenes });

  async function composeRequests(jobId: string): Promise<number> {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    return Messages.filter((m) => JSON.parse(String(m.Body)).jobId === jobId).length;
  }

  async function preparedPageSec(jobId: string): Promise<number> {
    const file = join(dir, `${jobId}.mp4`);
    await downloadObject(s3, BUCKET, preparedKey(jobId, 0, false), file);
    const probe = await probeMedia(file);
    return probe.video?.durationSec ?? probe.durationSec;
  }

  it.each([
    ['the page first: it waits, and the narration renders it', 'page-first'],
    ['the narration first: the page renders itself', 'narration-first'],
  ])(
    '%s',
    async (_name, order) => {
      // Prepare
      const { pageReady, narrationReady } = await storedJob();
      const [first, second] =
        order === 'page-first' ? [pageReady, narrationReady] : [narrationReady, pageReady];

      // Act
      const firstOutcome = await prepareScene(first, deps());
      const secondOutcome = await prepareScene(second, deps());

      // Assess: the set completes on the second, once; the page is 1.3 s of narration + 0.5 s of pause,
      // in whole frames (43 at 24 fps).
      expect(firstOutcome.complete).toBe(false);
      expect(firstOutcome.waitingForNarration).toBe(order === 'page-first' ? true : undefined);
      expect(secondOutcome.complete).toBe(true);
      expect(await composeRequests(pageReady.jobId)).toBe(1);
      const job = await scenes.get(pageReady.jobId);
      expect(job?.durations[0]).toBeCloseTo(43 / 24, 9);
      expect(job?.scenes[0]).toMatchObject({ kind: 'image', caption: 'Trang một', silent: true });
      expect(Math.abs((await preparedPageSec(pageReady.jobId)) - 43 / 24)).toBeLessThan(1 / 48);
    },
    120_000,
  );

  it('times the page by the narration as decoded, not by the stated duration of the MP3 (which is longer)', async () => {
    // Prepare
    const { pageReady, narrationReady } = await storedJob('mp3');

    // Act
    await prepareScene(narrationReady, deps());
    await prepareScene(pageReady, deps());

    // Assess: 1.3 s of samples + 0.5 s of pause is 43 frames at 24 fps; by the stated 1.358 s it was 45.
    const job = await scenes.get(pageReady.jobId);
    expect(job?.durations[1]).toBeCloseTo(1.3, 2);
    expect(job?.durations[0]).toBeCloseTo(43 / 24, 9);
  }, 120_000);

  it('composed, the first page lasts its narration plus the pause and the picture starts with the sound', async () => {
    // Prepare: a story of two pages (orange, blue), each with its 1.3 s line, prepared as prepare
    // does; then composed as compose does, the narration placed by the scene set.
    const jobId = ulid();
    const common = { jobId, sceneCount: 4, output };
    const ready: SceneReady[] = [];
    for (const [i, body] of [page(), secondPage()].entries()) {
      const pageKey = `intermediates/${jobId}/scenes/0${i}-1.png`;
      const voiceKey = `intermediates/${jobId}/scenes/0${i + 2}-1.wav`;
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: pageKey, Body: body }));
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: voiceKey, Body: voice() }));
      ready.push(
        makeSceneReady({
          ...common,
          sceneIndex: i,
          kind: 'image',
          provider: 'upload',
          key: pageKey,
          durationSec: 4,
        }),
        makeSceneReady({
          ...common,
          sceneIndex: i + 2,
          kind: 'narration',
          key: voiceKey,
          durationSec: 120,
          alignTo: i,
        }),
      );
    }
    for (const scene of ready) await prepareScene(scene, deps());
    const job = await scenes.get(jobId);
    if (!job) throw new Error('the scene set is missing');
    const { visual, narration } = timelineScenes(job, 0);
    const fetched = async (sceneIndex: number, audio: boolean) => {
      const file = join(dir, `${jobId}-${sceneIndex}.${audio ? 'm4a' : 'mp4'}`);
      await downloadObject(s3, BUCKET, preparedKey(jobId, sceneIndex, audio), file);
      return file;
    };
    const workDir = mkdtempSync(join(dir, 'compose-'));

    // Act
    const composed = await composeTimeline({
      clips: await Promise.all(
        visual.map(async (s) => ({ file: await fetched(s.sceneIndex, false), durationSec: s.durationSec })),
      ),
      narration: await Promise.all(
        narration.map(async (s) => ({ ...s, file: await fetched(s.sceneIndex, true) })),
      ),
      format: output,
      workDir,
    });

    // Assess: shown at the frame rate, the first page is 43 frames (1.3 s + 0.5 s at 24 fps; it
    // was 44 when the picture started 21 ms late), the second as many.
    expect(colourRuns(composed.file)).toEqual([
      { colour: 'orange', frames: 43 },
      { colour: 'blue', frames: 43 },
    ]);
    // The picture and the sound start together, to the millisecond (the picture started 21 ms,
    // the first clip's AAC priming, after the sound), and end together within a frame.
    const [video, audio] = [streamTimes(composed.file, 'v:0'), streamTimes(composed.file, 'a:0')];
    expect(Math.abs(video.start)).toBeLessThan(0.001);
    expect(Math.abs(audio.start)).toBeLessThan(0.001);
    expect(Math.abs(video.end - audio.end)).toBeLessThanOrEqual(1 / 24);
    // The second line is heard where its page starts (the tone starts at once), to one frame.
    expect(Math.abs((soundStartsAfterSilence(composed.file)[0] ?? 0) - 43 / 24)).toBeLessThanOrEqual(1 / 24);
  }, 120_000);

  it('adds the crossfade the next page overlaps, in whole frames', () => {
    expect(pagedSec(1.3, output)).toBeCloseTo(43 / 24, 9);
    expect(pagedSec(1.31, { ...output, transition: 'crossfade', transitionSec: 0.5 })).toBeCloseTo(
      55 / 24,
      9,
    );
  });
});

/** Reads a file once it exists (the folder is made in beforeAll). */
function readFileSyncLazy(path: () => string): () => Buffer {
  let data: Buffer | undefined;
  return () => {
    data ??= readFileSync(path());
    return data;
  };
}

/**
 * The picture as a player shows it, at the frame rate from t=0 (ffmpeg's constant-rate output),
 * each frame averaged to one pixel: runs of orange and blue frames.
 */
function colourRuns(file: string): Array<{ colour: string; frames: number }> {
  const raw = execFileSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-i',
      file,
      '-vf',
      'scale=1:1:flags=area',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { maxBuffer: 1 << 26 },
  );
  const runs: Array<{ colour: string; frames: number }> = [];
  for (let i = 0; i < raw.length; i += 3) {
    const colour = (raw[i] ?? 0) > (raw[i + 2] ?? 0) ? 'orange' : 'blue';
    const last = runs[runs.length - 1];
    if (last?.colour === colour) last.frames++;
    else runs.push({ colour, frames: 1 });
  }
  return runs;
}

/** A stream's start and end on the file's timeline, as ffprobe reads them. */
function streamTimes(file: string, stream: string): { start: number; end: number } {
  const [start = NaN, duration = NaN] = execFileSync('ffprobe', [
    ...['-v', 'error', '-select_streams', stream, '-show_entries', 'stream=start_time,duration'],
    ...['-of', 'default=nw=1:nk=1', file],
  ])
    .toString()
    .trim()
    .split('\n')
    .map(Number);
  return { start, end: start + duration };
}

/** Where sound starts again after each silence of a quarter second or more. */
function soundStartsAfterSilence(file: string): number[] {
  // ffmpeg writes silencedetect's findings to stderr (execFileSync would return only stdout).
  const { stderr } = spawnSync(
    'ffmpeg',
    ['-v', 'info', '-i', file, '-map', '0:a:0', '-af', 'silencedetect=n=-45dB:d=0.25', '-f', 'null', '-'],
    { encoding: 'utf8' },
  );
  return [...stderr.matchAll(/silence_end: ([\d.]+)/g)].map((m) => Number(m[1]));
}
