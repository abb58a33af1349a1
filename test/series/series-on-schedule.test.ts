import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { type EmbeddedCloud, REPO_ROOT, startEmbeddedCloud } from '../../local/cloud/src/embedded-cloud';
import { startArchiveReplay } from '../../local/ops/src/archive-replay';
import { localPublishBucket } from '../../local/packaging/src/package-service';
import type { ChannelCredentials, StoredVideo } from '../../local/youtube/src';
import { cloudAtRest } from '../support/cloud-at-rest';
import { TEST_STAGE } from '../support/test-stage';
import { type Episode, ended, seriesClient } from './series-client';

const DAY = 86_400_000;
/** Bytes the first upload PUT keeps before its connection drops (the upload breaks half way). */
const BREAK_AFTER_BYTES = 4096;

/** One lean episode: a single one-second 480p scene, nothing else to render. */
const leanTemplate = (prompt: string) => ({
  prompt,
  scenes: 1,
  secondsPerScene: 1,
  resolution: '480p',
  music: false,
  narration: false,
  captions: false,
});

interface SeriesSnapshot {
  seriesId: string;
  dayOne: Episode[];
  dayOneView: Record<string, unknown>;
  dayTwo: Episode[];
}

/**
 * Issue 20 on the embedded cloud, every function, queue, rule and schedule as deployed, the publisher
 * uploading through the real @googleapis/youtube OAuth client to the YouTube twin. Three series run
 * side by side in one cloud (one schedule each; their episodes are made concurrently across series,
 * one after another within each) through two days of the scheduler's clock:
 * - lighthouses: the done-criterion, a rate schedule, a quota of 3, 5 items, each episode published;
 *   its schedule also fires twice on day one, and the first upload of the suite breaks half way;
 * - harbours: the first item's job fails (every render of it fails), the next item is made;
 * - beacons: its YouTube connection's quota is spent: the series stops for the day, goes on the next.
 * Beside them, one plain job publishes to the S3 bucket the stage may write (its copy goes through the
 * IAM gate as the publish role), and a job naming any other bucket is refused at submit.
 * Each `it` reads one behaviour off that run; the last replays the two days' events.
 */
describe('series on a schedule, published to YouTube, on the embedded cloud', () => {
  let cloud: EmbeddedCloud;
  const logs: string[] = [];
  const recentLogs = () => logs.slice(-40).join('\n');
  const userId = 'series-user';
  let api: ReturnType<typeof seriesClient>;
  const channels: Record<string, ChannelCredentials> = {};
  let lighthouses: SeriesSnapshot;
  let harbours: SeriesSnapshot;
  let beacons: SeriesSnapshot;
  let firedTwiceOnDayOne: string[];
  let firedOnDayTwo: string[];
  let startedAt: Date;
  /** The plain job published to S3, and the answer to a job naming a bucket the stage may not write. */
  let s3JobId: string;
  let otherBucketAnswer: { status: number; body: Record<string, unknown> };

  beforeAll(async () => {
    const logFile = join(REPO_ROOT, '.reelay', 'logs', 'series.log');
    mkdirSync(dirname(logFile), { recursive: true });
    cloud = await startEmbeddedCloud({
      stage: TEST_STAGE,
      onLog: (fn, line) => {
        logs.push(`${fn} ${line}`);
        appendFileSync(logFile, `${fn} ${line}\n`);
      },
    });
    startedAt = new Date();
    api = seriesClient(cloud, userId, recentLogs);

    // Prepare: three YouTube channels the user connected (their OAuth clients and refresh tokens).
    for (const name of ['lighthouse-channel', 'harbour-channel', 'beacon-channel']) {
      const credentials = cloud.youtube.createCredentials();
      channels[name] = credentials;
      const { clientId, clientSecret, refreshToken } = credentials;
      const stored = await api.call('PUT', `/connections/youtube/${name}`, {
        clientId,
        clientSecret,
        refreshToken,
      });
      expect(stored.status).toBe(200);
    }
    // The beacons' Google project has spent today's quota; every render of a shipwreck fails; the
    // suite's first upload loses its connection after a few KiB.
    cloud.youtube.quota.exhaust(channels['beacon-channel']?.clientId ?? '');
    cloud.models.faults.add({
      kind: 'fail-prediction',
      times: Number.POSITIVE_INFINITY,
      match: { promptIncludes: 'shipwreck' },
    });
    cloud.youtube.faults.breakNextUpload({ afterBytes: BREAK_AFTER_BYTES });

    const create = async (body: Record<string, unknown>) => {
      const created = await api.call('POST', '/series', body);
      expect(created.status).toBe(201);
      return String(created.body.seriesId);
    };
    // Act (day one): three series; a rate schedule first runs at once.
    const [lighthouseId, harbourId, beaconId] = await Promise.all([
      create({
        name: 'five lighthouses',
        template: leanTemplate('a lighthouse at {{prompt}}'),
        items: ['dawn', 'noon', 'dusk', 'night', 'storm'].map((prompt) => ({ prompt })),
        schedule: { expression: 'rate(1 day)', timeZone: 'UTC' },
        dailyQuota: 3,
        destinations: [{ type: 'youtube', connection: 'lighthouse-channel', privacyStatus: 'unlisted' }],
      }),
      create({
        name: 'harbours',
        template: leanTemplate('a harbour with a {{prompt}}'),
        items: ['shipwreck', 'ferry'].map((prompt) => ({ prompt })),
        schedule: { expression: 'rate(1 day)', timeZone: 'UTC' },
        dailyQuota: 3,
        destinations: [{ type: 'youtube', connection: 'harbour-channel' }],
      }),
      create({
        name: 'beacons',
        template: leanTemplate('a beacon at {{prompt}}'),
        items: ['first light', 'last light'].map((prompt) => ({ prompt })),
        schedule: { expression: 'rate(1 day)', timeZone: 'UTC' },
        dailyQuota: 2,
        destinations: [{ type: 'youtube', connection: 'beacon-channel' }],
      }),
    ]);
    // A plain job to the stage's S3 destination bucket (made alongside day one's episodes), and one to
    // a bucket the stage may not write.
    const toS3 = (bucket: string) => ({
      ...leanTemplate('a lighthouse in fog'),
      publish: [{ type: 's3', bucket, prefix: 'reels/' }],
    });
    const submitted = await api.call('POST', '/jobs', toS3(localPublishBucket(cloud.stage)));
    expect(submitted.status).toBe(202);
    s3JobId = String(submitted.body.jobId);
    otherBucketAnswer = await api.call('POST', '/jobs', toS3('someone-elses-bucket'));
    const scheduleOf = (id: string) => `reelay-${cloud.stage}-series-${id}`;
    // The lighthouses' schedule fires a second time on day one, while its first episode is made.
    firedTwiceOnDayOne = [(await cloud.emulator.scheduler.fireNow(scheduleOf(lighthouseId as string))).name];

    const dayOne = await Promise.all([
      api.until('lighthouses, day one', lighthouseId as string, (e) => e.filter(ended).length >= 3),
      api.until('harbours, day one', harbourId as string, (e) => e.every(ended)),
      api.until('beacons, day one', beaconId as string, (e) => e.filter(ended).length >= 1),
    ]);
    // Nothing more is on its way (the duplicate run, publications, ends): day one is over.
    await cloudAtRest(cloud, { what: 'day one', timeoutMs: 300_000 });
    const views = await Promise.all(
      [lighthouseId, harbourId, beaconId].map(async (id) => (await api.call('GET', `/series/${id}`)).body),
    );
    const episodesAtRest = await Promise.all(
      [lighthouseId, harbourId, beaconId].map((id) => api.episodes(id as string)),
    );

    // Act (day two): the scheduler's clock moves a day; each schedule fires once.
    const fired = await cloud.emulator.scheduler.advanceClock(DAY);
    firedOnDayTwo = fired.map((f) => f.name);
    const dayTwo = await Promise.all([
      api.until('lighthouses, day two', lighthouseId as string, (e) => e.every(ended)),
      api.until('beacons, day two', beaconId as string, (e) => e.every(ended)),
    ]);
    await cloudAtRest(cloud, { what: 'day two', timeoutMs: 300_000 });
    const snapshot = (i: number, id: string, two: Episode[]): SeriesSnapshot => ({
      seriesId: id,
      dayOne: episodesAtRest[i] ?? dayOne[i] ?? [],
      dayOneView: views[i] ?? {},
      dayTwo: two,
    });
    lighthouses = snapshot(0, lighthouseId as string, dayTwo[0] ?? []);
    harbours = snapshot(1, harbourId as string, await api.episodes(harbourId as string));
    beacons = snapshot(2, beaconId as string, dayTwo[1] ?? []);
    expect(firedTwiceOnDayOne).toEqual([scheduleOf(lighthouseId as string)]);
  }, 900_000);

  afterAll(async () => {
    await cloud?.close();
  });

  const videosOf = (channel: string): StoredVideo[] =>
    cloud.youtube.videos().filter((v) => v.channelId === channels[channel]?.channelId);

  it('makes exactly 3 of 5 videos on day one and the other 2 the next day, each job COMPLETED', async () => {
    const { seriesId, dayOne, dayOneView, dayTwo } = lighthouses;
    const schedule = await cloud.clients.scheduler.send(
      new GetScheduleCommand({ Name: `reelay-${cloud.stage}-series-${seriesId}` }),
    );

    expect(schedule.State).toBe('ENABLED');
    expect(dayOne.map((e) => e.status)).toEqual([...Array(3).fill('COMPLETED'), 'PENDING', 'PENDING']);
    expect(dayOneView).toMatchObject({ state: 'quota-reached', today: { count: 3, quota: 3 } });
    expect(firedOnDayTwo.filter((name) => name.endsWith(seriesId))).toHaveLength(1);
    expect(dayTwo.map((e) => e.status)).toEqual(Array(5).fill('COMPLETED'));
    const days = dayTwo.map((e) => e.day);
    expect(new Set(days.slice(0, 3)).size).toBe(1);
    expect(new Set(days.slice(3)).size).toBe(1);
    expect(days[3]).not.toBe(days[0]);
    for (const episode of dayTwo) {
      const job = await api.call('GET', `/jobs/${episode.jobId}`);
      expect(job.body.status).toBe('COMPLETED');
    }
  });

  it('publishes each episode once to YouTube through the connection, titled from its item, described by its plan, and says where', async () => {
    const { dayTwo } = lighthouses;
    const videos = videosOf('lighthouse-channel');

    // The twin holds exactly one video per episode, in the order they were made, as asked.
    expect(videos.map((v) => v.snippet.title)).toEqual([
      'a lighthouse at dawn',
      'a lighthouse at noon',
      'a lighthouse at dusk',
      'a lighthouse at night',
      'a lighthouse at storm',
    ]);
    for (const video of videos) {
      expect(video.status.privacyStatus).toBe('unlisted');
      expect(video.snippet.tags).toEqual(['reelay', 'prompt']);
      expect(video.upload.type).toBe('resumable');
    }
    // The series and the ledger say where each episode went: the twin's video, by its watch URL.
    for (const [i, episode] of dayTwo.entries()) {
      const video = videos[i] as StoredVideo;
      const url = `https://www.youtube.com/watch?v=${video.id}`;
      expect(episode.published).toEqual([
        { destination: 'youtube:lighthouse-channel', url, at: expect.any(String) },
      ]);
      const job = await api.call('GET', `/jobs/${episode.jobId}`);
      expect(job.body.publications).toEqual([
        expect.objectContaining({ status: 'PUBLISHED', url, videoId: video.id }),
      ]);
      // The description is the job's prompt and the scene the generator planned (the ledger's record).
      const [scene] = job.body.scenes as Array<{ prompt: string }>;
      expect(video.snippet.description).toBe(
        `${video.snippet.title}\n\nScenes:\n1. ${scene?.prompt}\n\nMade with Reelay.`,
      );
      // The uploaded bytes are the job's final video.
      const final = await cloud.clients.s3.send(
        new GetObjectCommand({ Bucket: cloud.names.mediaBucket, Key: `jobs/${episode.jobId}/final.mp4` }),
      );
      const stored = Buffer.from(await (final.Body?.transformToByteArray() ?? new Uint8Array()));
      expect(readFileSync(video.file).equals(stored)).toBe(true);
    }
  });

  it('starts no extra episode when a schedule fires twice in a day', () => {
    const { dayOne, dayOneView } = lighthouses;

    expect(firedTwiceOnDayOne).toHaveLength(1);
    expect(dayOne.filter((e) => e.status !== 'PENDING')).toHaveLength(3);
    expect(new Set(dayOne.filter(ended).map((e) => e.jobId)).size).toBe(3);
    expect(dayOneView).toMatchObject({ today: { count: 3 } });
  });

  it('resumes an upload broken half way from where it stopped, and makes one video of it', () => {
    const sessions = cloud.youtube.uploadSessions();
    const broken = sessions.filter((s) => s.statusQueries > 0);

    expect(broken).toHaveLength(1);
    expect(broken[0]?.chunkStarts).toEqual([0, BREAK_AFTER_BYTES]);
    expect(broken[0]?.receivedBytes).toBe(broken[0]?.totalBytes);
    const video = cloud.youtube.videos().find((v) => v.id === broken[0]?.videoId);
    expect(video?.bytes).toBe(broken[0]?.totalBytes);
    // Every session made exactly one video: none was started over, none left unfinished.
    expect(sessions.map((s) => s.videoId).filter(Boolean)).toHaveLength(sessions.length);
  });

  it("reports a failed episode's job on the episode, not lost, and goes on with the next item", async () => {
    const { dayOne } = harbours;
    const [shipwreck, ferry] = dayOne;

    expect(shipwreck).toMatchObject({ status: 'FAILED', jobId: expect.any(String), published: [] });
    expect(shipwreck?.failure).toEqual(expect.any(String));
    const failedJob = await api.call('GET', `/jobs/${shipwreck?.jobId}`);
    expect(failedJob.body.status).toBe('FAILED');
    expect(ferry).toMatchObject({ status: 'COMPLETED', day: shipwreck?.day });
    expect(videosOf('harbour-channel').map((v) => v.snippet.title)).toEqual(['a harbour with a ferry']);
  });

  it("stops a series for the day when its destination's quota is spent, says why, and goes on the next day", async () => {
    const { dayOne, dayOneView, dayTwo } = beacons;

    expect(dayOne.map((e) => e.status)).toEqual(['COMPLETED', 'PENDING']);
    expect(dayOne[0]?.published).toEqual([
      {
        destination: 'youtube:beacon-channel',
        failure: expect.stringMatching(/^quota-exceeded: /),
        at: expect.any(String),
      },
    ]);
    expect(dayOneView).toMatchObject({
      state: 'stopped-for-the-day',
      today: { count: 1, quota: 2 },
      reason: expect.stringContaining('quota'),
    });
    const job = await api.call('GET', `/jobs/${dayOne[0]?.jobId}`);
    expect(job.body.status).toBe('COMPLETED');
    expect(job.body.publications).toEqual([
      expect.objectContaining({ status: 'FAILED', reason: 'quota-exceeded' }),
    ]);
    // The next day the series makes its next episode. Its upload still finds the connection spent:
    // YouTube's quota day ends at midnight Pacific Time by the functions' own clock, which the
    // scheduler's moved clock does not move (the publisher's tests move it), so YouTube is not called.
    expect(dayTwo.map((e) => e.status)).toEqual(['COMPLETED', 'COMPLETED']);
    expect(dayTwo[1]?.day).not.toBe(dayTwo[0]?.day);
    expect(dayTwo[1]?.published[0]?.failure).toMatch(/^quota-exceeded: .*earlier today/);
    expect(videosOf('beacon-channel')).toEqual([]);
  });

  it("copies a job's video and its metadata into the user's folder of the stage's S3 bucket, and the job says where", async () => {
    const bucket = localPublishBucket(cloud.stage);
    const folder = `users/${userId}/reels/${s3JobId}/`;
    const read = async (Bucket: string, Key: string) => {
      const { Body } = await cloud.clients.s3.send(new GetObjectCommand({ Bucket, Key }));
      return Buffer.from(await (Body?.transformToByteArray() ?? new Uint8Array()));
    };

    const listed = await cloud.clients.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'users/' }),
    );
    const job = await api.call('GET', `/jobs/${s3JobId}`);

    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([
      `${folder}metadata.json`,
      `${folder}video.mp4`,
    ]);
    const final = await read(cloud.names.mediaBucket, `jobs/${s3JobId}/final.mp4`);
    expect((await read(bucket, `${folder}video.mp4`)).equals(final)).toBe(true);
    expect(JSON.parse((await read(bucket, `${folder}metadata.json`)).toString())).toMatchObject({
      jobId: s3JobId,
      title: 'a lighthouse in fog',
      tags: ['reelay', 'prompt'],
      durationSec: expect.any(Number),
      bytes: final.length,
    });
    expect(job.body.status).toBe('COMPLETED');
    expect(job.body.publications).toEqual([
      expect.objectContaining({ status: 'PUBLISHED', url: `s3://${bucket}/${folder}video.mp4` }),
    ]);
  });

  it('refuses at submit, with a 400 naming the allowed bucket, a job publishing to a bucket the stage may not write', () => {
    expect(otherBucketAnswer.status).toBe(400);
    expect(JSON.stringify(otherBucketAnswer.body)).toContain(
      `publish.0.bucket: this deployment may not publish to the bucket 'someone-elses-bucket'; it may publish to '${localPublishBucket(cloud.stage)}'`,
    );
  });

  /** Every VideoPublished and PublishFailed put on the bus (the archive keeps each once; replayed ones are not archived again). */
  const publicationEvents = () =>
    cloud.emulator.events.archives
      .archive(`${cloud.names.bus}-archive`)
      .events.map(({ event }) => event)
      .filter((e) => e['detail-type'] === 'VideoPublished' || e['detail-type'] === 'PublishFailed')
      .map((e) => `${e.detail.jobId} ${JSON.stringify(e.detail.destination)}`);

  it("publishes nothing twice and makes no extra episode when the two days' events are replayed", async () => {
    // Prepare: what the two days made and published.
    const before = {
      videos: cloud.youtube.videos().length,
      sessions: cloud.youtube.uploadSessions().length,
      episodes: await Promise.all([lighthouses, harbours, beacons].map((s) => api.episodes(s.seriesId))),
    };
    // Act: every event since the cloud started, again, to the series runs and the publisher.
    const replay = await startArchiveReplay(cloud.clients.events, {
      bus: cloud.names.bus,
      archive: `${cloud.names.bus}-archive`,
      from: startedAt,
      to: new Date(),
      inAws: false,
      rules: [`${cloud.names.bus}-api-series-run`, `${cloud.names.bus}-api-publish`],
      name: `series-replay-${Date.now()}`,
    });
    await cloudAtRest(cloud, { what: 'the replayed days', timeoutMs: 300_000 });

    // Assess
    expect(replay.state).toBe('COMPLETED');
    expect(cloud.youtube.videos()).toHaveLength(before.videos);
    expect(cloud.youtube.uploadSessions()).toHaveLength(before.sessions);
    const after = await Promise.all([lighthouses, harbours, beacons].map((s) => api.episodes(s.seriesId)));
    expect(after).toEqual(before.episodes);
    expect(before.videos).toBe(6);
    // One report per job and destination over both days and the replay: 5 lighthouses, 1 harbour,
    // 2 beacons, and the plain job's S3 copy.
    const reports = publicationEvents();
    expect(reports).toHaveLength(9);
    expect(new Set(reports).size).toBe(9);
  });
});
