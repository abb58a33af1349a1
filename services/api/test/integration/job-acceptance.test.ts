import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { makeJobFailed, makeVideoComposed } from '@reelay/events';
import { quotaDay } from '../../src/jobs/quota';
import { type SubmitJobDeps, submitJob } from '../../src/jobs/submit-job';
import { recordJobFailed, recordVideoComposed } from '../../src/notify/record-outcome';
import { quotaSk, userPk } from '../../src/table/api-table';
import { type ApiTableFixture, RecordingPublisher, startApiTable } from '../support/api-table';
import { answerOf } from '../support/http-answer';

interface Response {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

describe('accepting jobs: idempotency, quota and refunds in the api table (DynamoDB Local)', () => {
  let fixture: ApiTableFixture;
  let userSeq = 0;

  beforeAll(async () => {
    fixture = await startApiTable();
  }, 120_000);
  afterAll(async () => fixture?.close());

  function setup(perDay = 100, unit: 'jobs' | 'scenes' = 'jobs') {
    const publisher = new RecordingPublisher();
    const deps: SubmitJobDeps = {
      doc: fixture.doc,
      table: fixture.table,
      publisher,
      quota: { unit, perDay },
      resolveUploads: async () => [],
    };
    const userId = `user-${++userSeq}`;
    const submit = async (body: unknown, key?: string) =>
      (await answerOf(
        submitJob(
          userId,
          {
            body: JSON.stringify(body),
            headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
          },
          deps,
        ),
      )) as Response;
    const used = async () => {
      const { Item } = await fixture.doc.send(
        new GetCommand({
          TableName: fixture.table,
          Key: { pk: userPk(userId), sk: quotaSk(quotaDay(new Date())) },
        }),
      );
      return Number(Item?.used ?? 0);
    };
    return { publisher, deps, userId, submit, used };
  }

  it('answers 202 with the job id and Location, and publishes JobRequested once', async () => {
    const { submit, publisher } = setup();

    const res = await submit({ prompt: 'a red fox in snow', scenes: 2 });

    expect(res.statusCode).toBe(202);
    const body = JSON.parse(res.body) as { jobId: string; statusUrl: string };
    expect(res.headers.location).toBe(`/jobs/${body.jobId}`);
    expect(publisher.published.map((e) => e.jobId)).toEqual([body.jobId]);
    expect(publisher.published[0]?.spec.scenes).toBe(2);
  });

  it('returns the same job for the same Idempotency-Key and body, without publishing again', async () => {
    const { submit, publisher } = setup();

    const first = await submit({ prompt: 'a red fox in snow' }, 'key-1');
    const second = await submit({ prompt: 'a red fox in snow' }, 'key-1');

    expect(second.statusCode).toBe(202);
    expect(JSON.parse(second.body).jobId).toBe(JSON.parse(first.body).jobId);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(publisher.published).toHaveLength(1);
  });

  it('refuses an Idempotency-Key reused with a different body with 422', async () => {
    const { submit } = setup();

    await submit({ prompt: 'a red fox in snow' }, 'key-2');
    const other = await submit({ prompt: 'a blue whale' }, 'key-2');

    expect(other.statusCode).toBe(422);
    expect(JSON.parse(other.body).detail).toMatch(/Idempotency-Key/);
  });

  it('creates one job when two identical requests with one key arrive at once', async () => {
    const { submit, used } = setup();

    const [a, b] = await Promise.all([
      submit({ prompt: 'twin request' }, 'race-key'),
      submit({ prompt: 'twin request' }, 'race-key'),
    ]);

    expect([a?.statusCode, b?.statusCode]).toEqual([202, 202]);
    expect(JSON.parse(a?.body ?? '{}').jobId).toBe(JSON.parse(b?.body ?? '{}').jobId);
    expect(await used()).toBe(1);
  });

  it('enforces the daily quota exactly under 20 concurrent submissions, with Retry-After', async () => {
    const { submit, used, publisher } = setup(5);

    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => submit({ prompt: `job ${i}` })));

    const codes = responses.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 202)).toHaveLength(5);
    expect(codes.filter((c) => c === 429)).toHaveLength(15);
    const refused = responses.find((r) => r.statusCode === 429);
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(refused?.body ?? '{}').detail).toMatch(/quota/);
    expect(await used()).toBe(5);
    expect(publisher.published).toHaveLength(5);
  });

  it('counts scenes when the quota is in scenes', async () => {
    const { submit } = setup(6, 'scenes');

    const first = await submit({ prompt: 'four scenes', scenes: 4 });
    const second = await submit({ prompt: 'three more', scenes: 3 });
    const third = await submit({ prompt: 'two fit', scenes: 2 });

    expect([first.statusCode, second.statusCode, third.statusCode]).toEqual([202, 429, 202]);
  });

  it('does not lose a job when publishing fails after the transaction: a retry with the key publishes it', async () => {
    const { submit, publisher, used } = setup();
    publisher.failNext = 1;

    await expect(submit({ prompt: 'crash after commit' }, 'crash-key')).rejects.toThrow(/unreachable/);
    const retry = await submit({ prompt: 'crash after commit' }, 'crash-key');
    const again = await submit({ prompt: 'crash after commit' }, 'crash-key');

    expect(retry.statusCode).toBe(202);
    expect(publisher.published.map((e) => e.jobId)).toEqual([JSON.parse(retry.body).jobId]);
    expect(JSON.parse(again.body).jobId).toBe(JSON.parse(retry.body).jobId);
    expect(await used()).toBe(1);
  });

  it('refunds the quota exactly once when a job fails, even if JobFailed arrives twice', async () => {
    const { submit, used, deps, userId } = setup();
    const jobId = JSON.parse((await submit({ prompt: 'will fail' })).body).jobId as string;
    await submit({ prompt: 'keeps its unit' });
    const failed = makeJobFailed({
      jobId,
      meta: { userId, correlationId: 'c', occurredAt: new Date().toISOString() },
    });

    const outcomes = [await recordJobFailed(failed, deps), await recordJobFailed(failed, deps)];

    expect(outcomes).toEqual(['recorded', 'already-ended']);
    expect(await used()).toBe(1);
  });

  it('refunds concurrent duplicate JobFailed events once', async () => {
    const { submit, used, deps, userId } = setup();
    const jobId = JSON.parse((await submit({ prompt: 'will fail twice at once' })).body).jobId as string;
    const failed = makeJobFailed({
      jobId,
      meta: { userId, correlationId: 'c', occurredAt: new Date().toISOString() },
    });

    await Promise.allSettled([
      recordJobFailed(failed, deps),
      recordJobFailed(failed, deps),
      recordJobFailed(failed, deps),
    ]);
    await recordJobFailed(failed, deps);

    expect(await used()).toBe(0);
  });

  it('keeps the quota of a completed job when a late JobFailed arrives', async () => {
    const { submit, used, deps } = setup();
    const jobId = JSON.parse((await submit({ prompt: 'completes' })).body).jobId as string;

    await recordVideoComposed(makeVideoComposed({ jobId }), deps);
    const late = await recordJobFailed(makeJobFailed({ jobId }), deps);

    expect(late).toBe('already-ended');
    expect(await used()).toBe(1);
  });
});
