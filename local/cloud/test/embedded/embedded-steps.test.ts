import { Closers } from '../../src/embedded/closers';
import { type FunctionEnvInputs, functionBaseEnv, modelSecretsFor } from '../../src/embedded/function-env';
import { modelSecretNames } from '../../src/embedded/model-secrets';

const twin = { url: 'http://127.0.0.1:4100', apiToken: 'r8_local_abc', webhookSecret: 'whsec_c2VjcmV0' };
const inputs = (overrides: Partial<FunctionEnvInputs> = {}): FunctionEnvInputs => ({
  clientEnv: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4200' },
  debianFfmpeg: { ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe' },
  shippedFfmpeg: undefined,
  modelTwin: twin,
  apiUrl: 'http://127.0.0.1:4300',
  functionEnv: undefined,
  ...overrides,
});

describe("a local function's base environment", () => {
  const realToken = process.env.REPLICATE_API_TOKEN;
  beforeEach(() => delete process.env.REPLICATE_API_TOKEN);
  afterAll(() => {
    if (realToken !== undefined) process.env.REPLICATE_API_TOKEN = realToken;
  });

  it('points the functions at the Replicate twin and the local webhook base, without a real token, and holds no secret', () => {
    const env = functionBaseEnv(inputs());

    expect(env).toMatchObject({
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4200',
      REPLICATE_BASE_URL: 'http://127.0.0.1:4100/v1',
      MODEL_PROVIDER: 'local',
      LOCAL_WEBHOOK_BASE_URL: 'http://127.0.0.1:4300',
      FFMPEG_PATH: '/usr/bin/ffmpeg',
      REELAY_LOCAL: 'true',
    });
    // The token and webhook secret are SSM SecureStrings, read as on AWS (model-secrets.ts).
    expect(env).not.toHaveProperty('REPLICATE_API_TOKEN');
    expect(env).not.toHaveProperty('REPLICATE_WEBHOOK_SECRET');
    expect(modelSecretsFor({ apiToken: 'r8_local_abc', webhookSecret: 'whsec_c2VjcmV0' })).toEqual({
      apiToken: 'r8_local_abc',
      webhookSecret: 'whsec_c2VjcmV0',
    });
  });

  it('runs the shipped static ffmpeg and font when they are built, and lets the caller override any variable', () => {
    const shippedFfmpeg = { ffmpeg: '/cache/ffmpeg', ffprobe: '/cache/ffprobe', font: '/cache/font.ttf' };

    const env = functionBaseEnv(inputs({ shippedFfmpeg, functionEnv: { REELAY_LOCAL: 'overridden' } }));

    expect(env).toMatchObject({
      FFMPEG_PATH: '/cache/ffmpeg',
      FFPROBE_PATH: '/cache/ffprobe',
      CAPTION_FONT_FILE: '/cache/font.ttf',
      REELAY_LOCAL: 'overridden',
    });
  });

  it('calls the real Replicate with a real token, and does not hand out the twin', () => {
    process.env.REPLICATE_API_TOKEN = 'r8_real';

    const env = functionBaseEnv(inputs());

    expect(env).not.toHaveProperty('REPLICATE_API_TOKEN');
    expect(env).not.toHaveProperty('MODEL_PROVIDER');
    expect(env).not.toHaveProperty('REPLICATE_BASE_URL');
    expect(modelSecretsFor({ apiToken: 'r8_local_abc', webhookSecret: 'whsec_c2VjcmV0' })).toEqual({
      apiToken: 'r8_real',
    });
  });
});

describe('where the model secrets are stored', () => {
  const fn = (variables: Record<string, string>) => ({
    Type: 'AWS::Lambda::Function',
    Properties: { Environment: { Variables: variables } },
  });

  it('takes the SSM names the packaged functions read, not a name of its own', () => {
    const generator = {
      Resources: {
        Plan: fn({ REPLICATE_API_TOKEN_PARAMETER: '/reelay/x/token' }),
        Webhook: fn({ REPLICATE_WEBHOOK_SECRET_PARAMETER: '/reelay/x/whsec' }),
        Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
      },
    };
    const api = { Resources: { Submit: fn({ JOBS_TABLE: 't' }) } };

    expect(modelSecretNames([api, generator])).toEqual({
      apiToken: '/reelay/x/token',
      webhookSecret: '/reelay/x/whsec',
    });
  });
});

describe('closing what the embedded cloud started', () => {
  it('stops in reverse order, and a stop that fails does not keep the rest running', async () => {
    const stopped: string[] = [];
    const closers = new Closers();
    closers.add(async () => void stopped.push('servers'));
    closers.add(
      async () => {
        throw new Error('already gone');
      },
      async () => void stopped.push('functions'),
    );

    await closers.closeAll();

    expect(stopped).toEqual(['functions', 'servers']);
  });
});
