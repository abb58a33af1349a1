/**
 * The replicate-webhook function as Lambda calls it: its secret is read per request, so an SSM read
 * that failed at cold start fails that request only (the real SDK client against a local SSM twin).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lambdaContext } from '../../../../../libs/lambda/test/support/lambda';
import { type SsmTwin, startSsmTwin } from '../../../../../libs/lambda/test/support/ssm-twin';

const PARAMETER = '/reelay/test/replicate-webhook-secret';
let ssm: SsmTwin;

beforeAll(async () => {
  ssm = await startSsmTwin();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SSM: ssm.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    GENERATOR_TABLE: 'reelay-generator-test',
    MEDIA_BUCKET: 'reelay-media-test',
    EVENT_BUS_NAME: 'reelay-test',
    REPLICATE_API_TOKEN: 'r8_test',
    REPLICATE_WEBHOOK_SECRET_PARAMETER: PARAMETER,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  delete process.env.REPLICATE_WEBHOOK_SECRET;
});
afterAll(() => ssm.close());

/** A webhook delivery whose signature is not valid for any secret. */
const forged = (): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: 'POST /webhooks/replicate',
    rawPath: '/webhooks/replicate',
    headers: {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': 'v1,AAAA',
    },
    body: '{}',
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

const bodyOf = (res: { body?: string }) => JSON.parse(String(res.body)) as Record<string, unknown>;

describe('the replicate-webhook handler', () => {
  it('answers a problem+json 500 with the request id while its secret cannot be read, and verifies with it once it can', async () => {
    // Prepare: the parameter is not there at cold start
    const { handler } = await import('../../../src/functions/replicate-webhook/handler');

    // Act
    const unreadable = await handler(forged(), lambdaContext('req-no-secret'));
    ssm.putSecureString(
      PARAMETER,
      `whsec_${Buffer.from('a secret of thirty-two bytes!!!!').toString('base64')}`,
    );
    const readable = await handler(forged(), lambdaContext('req-forged'));

    // Assess: the second request read the secret and refused the forged signature (401, not a 500)
    expect(unreadable.statusCode).toBe(500);
    expect(unreadable.headers?.['content-type']).toBe('application/problem+json');
    expect(bodyOf(unreadable).instance).toBe('urn:reelay:request:req-no-secret');
    expect(readable.statusCode).toBe(401);
    expect(bodyOf(readable)).toMatchObject({ status: 401, title: 'Unauthorized' });
  });
});
