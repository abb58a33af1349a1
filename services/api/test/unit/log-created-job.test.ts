import { createPowertools, httpHandler, json } from '@reelay/lambda';
import { lambdaContext, logLines } from '../../../../libs/lambda/test/support/lambda';
import { logCreatedJob } from '../../src/jobs/log-created-job';

const context = lambdaContext('req-1');
/** The request's "request served" log line. */
const servedLine = async (act: () => Promise<unknown>) =>
  (await logLines(act)).find((line) => line.message === 'request served');

const request = (routeKey: string, pathParameters?: Record<string, string>) =>
  ({
    routeKey,
    pathParameters,
    requestContext: { authorizer: { jwt: { claims: { sub: 'u-1' } } } },
    headers: {},
  }) as never;

describe('a request that creates a job logs its id', () => {
  test('POST /jobs: the served line names the job the 202 created', async () => {
    // Prepare
    const powertools = createPowertools('api-test');
    const handler = httpHandler(powertools, {
      'POST /jobs': async () =>
        logCreatedJob(powertools.logger, json(202, { jobId: 'J-NEW' }, { location: '/jobs/J-NEW' })),
    });

    // Act
    const line = await servedLine(() => handler(request('POST /jobs'), context));

    // Assess
    expect(line).toMatchObject({ userId: 'u-1', jobId: 'J-NEW', statusCode: 202 });
  });

  test('regenerate: the new job is jobId, the path id its parentJobId', async () => {
    const powertools = createPowertools('api-test');
    const handler = httpHandler(powertools, {
      'POST /jobs/{jobId}/regenerate': async (_user, event) =>
        logCreatedJob(
          powertools.logger,
          json(202, { jobId: 'J-NEW' }, { location: '/jobs/J-NEW' }),
          event.pathParameters?.jobId,
        ),
    });

    const line = await servedLine(() =>
      handler(request('POST /jobs/{jobId}/regenerate', { jobId: 'J-OLD' }), context),
    );

    expect(line).toMatchObject({ jobId: 'J-NEW', parentJobId: 'J-OLD' });
  });

  test('a refusal names no job', async () => {
    const powertools = createPowertools('api-test');
    const handler = httpHandler(powertools, {
      'POST /jobs': async () => logCreatedJob(powertools.logger, json(400, { detail: 'no' })),
    });

    const line = await servedLine(() => handler(request('POST /jobs'), context));

    expect(line).toMatchObject({ statusCode: 400 });
    expect(line).not.toHaveProperty('jobId');
  });
});
