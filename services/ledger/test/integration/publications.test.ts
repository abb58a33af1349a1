import { makePublishFailed, makeVideoPublished } from '@reelay/events';
import { readJobRecord } from '@reelay/job-records';
import { ulid } from 'ulid';
import { projectEvent } from '../../src/projection/project-event';
import { type JobsTableFixture, startJobsTable } from '../support/jobs-table';
import { decoded } from '../support/ledger-events';

/** VideoPublished and PublishFailed projected onto the job record: one publication per destination. */
let fixture: JobsTableFixture;

beforeAll(async () => {
  fixture = await startJobsTable();
}, 180_000);
afterAll(async () => fixture?.close());

const youtube = { type: 'youtube' as const, connection: 'main', privacyStatus: 'private' as const };
const s3 = { type: 's3' as const, bucket: 'my-videos', prefix: 'reelay/' };
const meta = (occurredAt: string) => ({ userId: 'user-pub', correlationId: ulid(), occurredAt });

it('shows each destination once: a publish after a quota failure wins in any order, and replays change nothing', async () => {
  // Prepare
  const table = await fixture.newTable();
  const jobId = ulid();
  const quotaFailure = decoded(
    'PublishFailed',
    makePublishFailed({
      jobId,
      userId: 'user-pub',
      destination: youtube,
      meta: meta('2026-12-06T01:00:00.000Z'),
    }),
  );
  const published = decoded(
    'VideoPublished',
    makeVideoPublished({
      jobId,
      userId: 'user-pub',
      destination: youtube,
      url: 'https://www.youtube.com/watch?v=abcdefghijk',
      videoId: 'abcdefghijk',
      meta: meta('2026-12-07T01:00:00.000Z'),
    }),
  );
  const copied = decoded(
    'VideoPublished',
    makeVideoPublished({
      jobId,
      userId: 'user-pub',
      destination: s3,
      url: `s3://my-videos/reelay/${jobId}.mp4`,
      videoId: undefined,
      meta: meta('2026-12-06T01:00:01.000Z'),
    }),
  );

  // Act: the publish arrives before the older failure, then everything is replayed.
  for (const event of [published, copied, quotaFailure, quotaFailure, published]) {
    await projectEvent(event, { doc: fixture.doc, table });
  }
  const record = await readJobRecord(fixture.doc, table, jobId);

  // Assess
  expect(record?.publications).toEqual([
    {
      destination: s3,
      status: 'PUBLISHED',
      url: `s3://my-videos/reelay/${jobId}.mp4`,
      publishedAt: '2026-12-06T01:00:01.000Z',
    },
    {
      destination: youtube,
      status: 'PUBLISHED',
      url: 'https://www.youtube.com/watch?v=abcdefghijk',
      videoId: 'abcdefghijk',
      publishedAt: '2026-12-07T01:00:00.000Z',
    },
  ]);
  // The timeline keeps one entry per event type (and scene): the publications list names each destination.
  expect(record?.timeline.map((entry) => entry.detailType)).toEqual(['PublishFailed', 'VideoPublished']);
});

it('records a quota failure with its reason while nothing was published', async () => {
  // Prepare
  const table = await fixture.newTable();
  const jobId = ulid();

  // Act
  await projectEvent(
    decoded(
      'PublishFailed',
      makePublishFailed({
        jobId,
        userId: 'user-pub',
        destination: youtube,
        meta: meta('2026-12-06T01:00:00.000Z'),
      }),
    ),
    { doc: fixture.doc, table },
  );
  const record = await readJobRecord(fixture.doc, table, jobId);

  // Assess
  expect(record?.publications).toEqual([
    expect.objectContaining({ destination: youtube, status: 'FAILED', reason: 'quota-exceeded' }),
  ]);
});
