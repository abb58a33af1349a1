/**
 * Event consumers on the one builder: errors classified once (a permanent failure fails its job at
 * once, anything else is retried), and every log line of a record names its job.
 */
import { type JobFailed, jobFailed, makeJobFailed, makeScenePlanned, scenePlanned } from '@reelay/events';
import { ulid } from 'ulid';
import { createPowertools } from '../../src';
import { eventConsumer, isBuiltByReelay, recordConsumer } from '../../src/handlers';
import { eventBody, lambdaContext, logLines, sqsRecord } from '../support/lambda';

beforeAll(() => {
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
});

class SceneRefusedError extends Error {
  readonly code = 'SCENE_REFUSED';
  readonly retryable = false;
}
class ModelBusyError extends Error {
  readonly retryable = true;
}

/** What the consumer published: the JobFailed details. */
function recordingPublisher() {
  const published: JobFailed[] = [];
  return {
    published,
    publisher: {
      publish: async (definition: { detailType: string }, detail: unknown) => {
        if (definition.detailType !== jobFailed.detailType) throw new Error('only JobFailed expected');
        published.push(detail as JobFailed);
        return 'event-id';
      },
    } as never,
  };
}

const planned = (overrides = {}) => makeScenePlanned({ jobId: ulid(), sceneCount: 3, ...overrides });

describe('an event consumer', () => {
  test('a permanent (retryable: false) error fails the job at once: JobFailed, and the record is done', async () => {
    // Prepare
    const { published, publisher } = recordingPublisher();
    const scene = planned();
    const handler = eventConsumer(
      createPowertools('test'),
      [scenePlanned],
      { failJobAs: { stage: 'render', publisher } },
      async () => {
        throw new SceneRefusedError('the upload is not a video');
      },
    );

    // Act
    const response = await handler(
      { Records: [sqsRecord('m1', eventBody('ScenePlanned', 'reelay.generator', scene))] },
      lambdaContext('req-1'),
    );

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(published).toEqual([
      expect.objectContaining({
        jobId: scene.jobId,
        stage: 'render',
        code: 'SCENE_REFUSED',
        retryable: false,
        sceneIndex: scene.sceneIndex,
        reason: 'the upload is not a video',
        meta: expect.objectContaining({ userId: scene.meta.userId, correlationId: scene.meta.correlationId }),
      }),
    ]);
  });

  test('a retryable or unknown error fails only its record, for SQS to retry; no JobFailed', async () => {
    const { published, publisher } = recordingPublisher();
    const handler = eventConsumer(
      createPowertools('test'),
      [scenePlanned],
      { failJobAs: { stage: 'render', publisher } },
      async ({ detail }) => {
        if (detail.sceneIndex === 0) throw new ModelBusyError('busy');
        if (detail.sceneIndex === 1) throw new Error('socket hang up');
      },
    );

    const response = await handler(
      {
        Records: [
          sqsRecord('m0', eventBody('ScenePlanned', 'reelay.generator', planned({ sceneIndex: 0 }))),
          sqsRecord('m1', eventBody('ScenePlanned', 'reelay.generator', planned({ sceneIndex: 1 }))),
          sqsRecord('m2', eventBody('ScenePlanned', 'reelay.generator', planned({ sceneIndex: 2 }))),
        ],
      },
      lambdaContext('req-1'),
    );

    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m0', 'm1']);
    expect(published).toEqual([]);
  });

  test('an event that does not validate but names its job fails the job at once (INVALID_EVENT)', async () => {
    const { published, publisher } = recordingPublisher();
    const handled: unknown[] = [];
    const handler = eventConsumer(
      createPowertools('test'),
      [scenePlanned],
      { failJobAs: { stage: 'render', publisher } },
      async (event) => void handled.push(event),
    );
    const invalid = { ...planned(), durationSec: -3 };

    const response = await handler(
      { Records: [sqsRecord('m1', eventBody('ScenePlanned', 'reelay.generator', invalid))] },
      lambdaContext('req-1'),
    );

    expect(handled).toEqual([]);
    expect(response.batchItemFailures).toEqual([]);
    expect(published.map((p) => [p.jobId, p.code, p.retryable])).toEqual([
      [invalid.jobId, 'INVALID_EVENT', false],
    ]);
  });

  test('a message that names no job cannot fail one: it fails its record, to be dead-lettered', async () => {
    const { published, publisher } = recordingPublisher();
    const handler = eventConsumer(
      createPowertools('test'),
      [scenePlanned],
      { failJobAs: { stage: 'render', publisher } },
      async () => undefined,
    );

    const response = await handler(
      { Records: [sqsRecord('m1', '{"hello":"world"}'), sqsRecord('m2', 'not json')] },
      lambdaContext('req-1'),
    );

    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m1', 'm2']);
    expect(published).toEqual([]);
  });

  test('a terminal event that decoded is never answered by another JobFailed: it is retried', async () => {
    const { published, publisher } = recordingPublisher();
    const handler = eventConsumer(
      createPowertools('test'),
      [jobFailed],
      { failJobAs: { stage: 'notify', publisher } },
      async () => {
        throw new SceneRefusedError('cannot handle');
      },
    );

    const response = await handler(
      { Records: [sqsRecord('m1', eventBody('JobFailed', 'reelay.ledger', makeJobFailed()))] },
      lambdaContext('req-1'),
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(published).toEqual([]);
  });

  test('without failJobAs every failure is retried, permanent or not', async () => {
    const handler = recordConsumer(createPowertools('test'), {}, async () => {
      throw new SceneRefusedError('refused');
    });

    const response = await handler(
      { Records: [sqsRecord('m1', JSON.stringify({ jobId: ulid() }))] },
      lambdaContext('req-1'),
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });

  test('every log line of a record carries its own jobId and correlationId, with the request id and cold start', async () => {
    // Prepare: two records handled in parallel in one batch
    const powertools = createPowertools('test');
    const first = planned({ sceneIndex: 0 });
    const second = planned({ sceneIndex: 1 });
    const handler = eventConsumer(powertools, [scenePlanned], {}, async ({ detail }, { logger }) => {
      await new Promise((resolve) => setImmediate(resolve));
      logger.info('scene handled', { sceneIndex: detail.sceneIndex });
    });
    const batch = {
      Records: [
        sqsRecord('m1', eventBody('ScenePlanned', 'reelay.generator', first)),
        sqsRecord('m2', eventBody('ScenePlanned', 'reelay.generator', second)),
      ],
    };

    // Act
    const lines = await logLines(async () => {
      await handler(batch, lambdaContext('req-1'));
      await handler(batch, lambdaContext('req-2'));
    });

    // Assess
    const handled = lines.filter((l) => l.message === 'scene handled');
    expect(handled).toHaveLength(4);
    for (const line of handled) {
      const scene = line.sceneIndex === 0 ? first : second;
      expect(line).toMatchObject({ jobId: scene.jobId, correlationId: scene.meta.correlationId });
    }
    expect(handled.slice(0, 2).map((l) => [l.function_request_id, l.cold_start])).toEqual([
      ['req-1', true],
      ['req-1', true],
    ]);
    expect(handled.slice(2).map((l) => [l.function_request_id, l.cold_start])).toEqual([
      ['req-2', false],
      ['req-2', false],
    ]);
  });

  test('an invocation that adds no metric writes no "No application metrics" warning', async () => {
    const handler = eventConsumer(createPowertools('test'), [scenePlanned], {}, async () => undefined);

    const lines = await logLines(() =>
      handler(
        { Records: [sqsRecord('m1', eventBody('ScenePlanned', 'reelay.generator', planned()))] },
        lambdaContext('req-1'),
      ),
    );

    expect(lines.filter((l) => JSON.stringify(l).includes('No application metrics'))).toEqual([]);
  });

  test('is built by the one builder', () => {
    expect(
      isBuiltByReelay(eventConsumer(createPowertools('test'), [scenePlanned], {}, async () => undefined)),
    ).toBe(true);
  });
});
