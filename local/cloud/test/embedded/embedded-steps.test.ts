import { Closers } from '../../src/embedded/closers';
import { type FunctionEnvInputs, functionBaseEnv } from '../../src/embedded/function-env';

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

  it('points the functions at the Replicate twin, its webhook secret and the local webhook base, without a real token', () => {
    const env = functionBaseEnv(inputs());

    expect(env).toMatchObject({
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4200',
      REPLICATE_API_TOKEN: 'r8_local_abc',
      REPLICATE_BASE_URL: 'http://127.0.0.1:4100/v1',
      REPLICATE_WEBHOOK_SECRET: 'whsec_c2VjcmV0',
      MODEL_PROVIDER: 'local',
      LOCAL_WEBHOOK_BASE_URL: 'http://127.0.0.1:4300',
      FFMPEG_PATH: '/usr/bin/ffmpeg',
      REELAY_LOCAL: 'true',
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

    expect(env.REPLICATE_API_TOKEN).toBe('r8_real');
    expect(env).not.toHaveProperty('MODEL_PROVIDER');
    expect(env).not.toHaveProperty('REPLICATE_WEBHOOK_SECRET');
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
