import { type JobFailed, makeSceneReady } from '@reelay/events';
import type { SQSRecord } from 'aws-lambda';
import { ulid } from 'ulid';
import {
  type DrainDeadLetterDeps,
  drainDeadLetter,
  keptDeadMessageSchema,
  parseDeadLetterQueues,
  UnattributedDeadLetterError,
} from '../../src/dead-letters';
import { recordConsumer } from '../../src/handlers';
import { createPowertools } from '../../src/powertools';
import { lambdaContext, sqsRecord } from '../support/lambda';

const queues = parseDeadLetterQueues(
  JSON.stringify({
    'reelay-t-composer-prepare-dlq': { stage: 'prepare', redriveTo: 'reelay-t-composer-prepare' },
    'reelay-t-composer-prepare-rule-dlq': { stage: 'prepare', redriveTo: 'reelay-t-composer-prepare' },
    'reelay-t-composer-compose-dlq': { stage: 'compose', redriveTo: 'reelay-t-composer-compose' },
    'reelay-t-generator-render-failed-dlq': {
      stage: 'render',
      redriveTo: 'reelay-t-generator-render-failed',
    },
  }),
);

/** A dead letter: a message that reached its DLQ after five receives. */
function record(queue: string, body: string, extra: Partial<SQSRecord> = {}): SQSRecord {
  return { ...sqsRecord(ulid(), body, queue, 5), ...extra };
}

function fakes() {
  const published: JobFailed[] = [];
  const errors: unknown[] = [];
  const metrics: string[] = [];
  const parked: Array<{ messageId: string; seconds: number }> = [];
  const deps: DrainDeadLetterDeps = {
    park: async (r, seconds) => void parked.push({ messageId: r.messageId, seconds }),
    queues,
    publisher: {
      publish: async (_d: unknown, detail: unknown) => void published.push(detail as JobFailed),
    } as never,
    logger: { error: (...args: unknown[]) => void errors.push(args), warn: () => undefined } as never,
    metrics: {
      singleMetric: () =>
        ({
          addDimension: (name: string, value: string) => metrics.push(`${name}=${value}`),
          addMetric: (name: string) => metrics.push(name),
        }) as never,
    },
  };
  return { deps, published, errors, metrics, parked };
}

const sceneEvent = (jobId: string) =>
  JSON.stringify({
    id: ulid(),
    'detail-type': 'SceneReady',
    source: 'reelay.generator',
    time: new Date().toISOString(),
    detail: makeSceneReady({ jobId, sceneIndex: 0, sceneCount: 2 }),
  });

describe('a dead message', () => {
  test('from a queue DLQ becomes JobFailed of its stage, with the attempts, the scene and the message kept', async () => {
    const { deps, published, metrics } = fakes();
    const jobId = ulid();
    const body = sceneEvent(jobId);

    await drainDeadLetter(record('reelay-t-composer-prepare-dlq', body), deps);

    expect(published).toEqual([
      expect.objectContaining({
        jobId,
        stage: 'prepare',
        code: 'DEAD_LETTER',
        retryable: true,
        attempts: 4,
        sceneIndex: 0,
      }),
    ]);
    expect(published[0]?.meta.userId).toBe('user-test');
    expect(keptDeadMessageSchema.parse(JSON.parse(published[0]?.deadMessage ?? ''))).toEqual({
      deadLetterQueue: 'reelay-t-composer-prepare-dlq',
      redriveTo: 'reelay-t-composer-prepare',
      body,
    });
    expect(published[0]?.reason).toContain(`npm run redrive -- --job ${jobId}`);
    expect(metrics).toEqual(['deadLetterQueue=reelay-t-composer-prepare-dlq', 'DeadLetters']);
  });

  test("from an EventBridge target DLQ counts EventBridge's retries and says why it was not delivered", async () => {
    const { deps, published } = fakes();
    const text = (value: string) => ({ dataType: 'String', stringValue: value });

    await drainDeadLetter(
      record('reelay-t-composer-prepare-rule-dlq', sceneEvent(ulid()), {
        messageAttributes: {
          RETRY_ATTEMPTS: { dataType: 'Number', stringValue: '185' },
          ERROR_CODE: text('SQS_QUEUE_NOT_FOUND'),
          ERROR_MESSAGE: text('queue gone'),
        },
      }),
      deps,
    );

    expect(published[0]).toMatchObject({ attempts: 186, stage: 'prepare' });
    expect(published[0]?.reason).toContain('SQS_QUEUE_NOT_FOUND: queue gone');
  });

  test('names its job through a RenderScene execution or a service-internal message', async () => {
    const { deps, published } = fakes();
    const rendered = ulid();
    const composed = ulid();
    const statusChange = JSON.stringify({
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      detail: { name: `${rendered}-3-1`, status: 'FAILED', input: '{"not":"ours"}' },
    });

    await drainDeadLetter(record('reelay-t-generator-render-failed-dlq', statusChange), deps);
    await drainDeadLetter(record('reelay-t-composer-compose-dlq', JSON.stringify({ jobId: composed })), deps);

    expect(published.map((p) => [p.jobId, p.stage, p.sceneIndex, p.meta.userId])).toEqual([
      [rendered, 'render', 3, 'unknown'],
      [composed, 'compose', undefined, 'unknown'],
    ]);
  });

  test('that names no job is logged, counted and left in its DLQ, without failing its neighbours', async () => {
    const { deps, published, errors, metrics, parked } = fakes();
    const handler = recordConsumer(createPowertools('test'), {}, async (r) => {
      await drainDeadLetter(r, deps);
    });
    const poison = record('reelay-t-composer-prepare-dlq', '{"hello":"world"}');
    const good = record('reelay-t-composer-prepare-dlq', sceneEvent(ulid()));

    const response = await handler({ Records: [poison, good] }, lambdaContext('req-1'));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: poison.messageId }]);
    expect(published).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(metrics.filter((m) => m === 'DeadLetters')).toHaveLength(2);
    // parked for 12 h rather than drained, logged and counted again every 30 s
    expect(parked).toEqual([{ messageId: poison.messageId, seconds: 43_200 }]);
    await expect(drainDeadLetter(poison, deps)).rejects.toBeInstanceOf(UnattributedDeadLetterError);
  });
});
