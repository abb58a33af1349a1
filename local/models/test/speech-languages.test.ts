import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelContract } from '@reelay/replicate-models';
import Replicate, { type Prediction } from 'replicate';
import { type LocalModelServer, startLocalModelServer } from '../src/index';
import { renderPlan } from '../src/render/planner';
import { download, probe } from './media-probe';

/**
 * Speech in the job's language on the twin: MiniMax speech-02-hd (official, by name) speaks
 * Vietnamese through espeak-ng and returns an MP3 as the real model does; kokoro's Japanese voice
 * speaks through espeak-ng too; English stays on flite. Bad language values get Replicate's 422.
 */
const TOKEN = 'r8_speech_languages_token';
const SECRET = `whsec_${Buffer.from('speech-languages-signing-secret!').toString('base64')}`;
const KOKORO = modelContract('jaaari/kokoro-82m');

let workDir: string;
let server: LocalModelServer;
let replicate: Replicate;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'reelay-speech-languages-'));
  server = await startLocalModelServer({
    apiToken: TOKEN,
    webhookSigningSecret: SECRET,
    workDir: join(workDir, 'server'),
    ffmpegPath: '/usr/bin/ffmpeg',
  });
  replicate = new Replicate({ auth: TOKEN, baseUrl: `${server.url}/v1`, useFileOutput: false });
});

afterAll(async () => {
  await server.close();
  await rm(workDir, { recursive: true, force: true });
});

async function settled(id: string): Promise<Prediction> {
  for (;;) {
    const prediction = await replicate.predictions.get(id);
    if (['succeeded', 'failed', 'canceled', 'aborted'].includes(prediction.status)) return prediction;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const logsOf = (id: string) => server.predictions().find((p) => p.id === id)?.logs ?? '';

describe('speech in the language of the job', () => {
  it('MiniMax speech-02-hd speaks Vietnamese with espeak-ng and returns an MP3', async () => {
    // Act
    const created = await replicate.predictions.create({
      model: 'minimax/speech-02-hd',
      input: {
        text: 'Ngày xửa ngày xưa, có một ngọn hải đăng.',
        voice_id: 'Vietnamese_kindhearted_girl',
        language_boost: 'Vietnamese',
      },
    });
    const done = await settled(created.id);

    // Assess
    expect(done.status).toBe('succeeded');
    expect(logsOf(created.id)).toContain('espeak-ng voice: vi');
    const file = join(workDir, 'vi.mp3');
    await download(String(done.output), file);
    const media = await probe(file);
    expect(media.streams[0]?.codec_name).toBe('mp3');
    expect(Number(media.format.duration)).toBeGreaterThan(1);
  });

  it('kokoro speaks its Japanese voice with espeak-ng and its English voices with flite', async () => {
    const japanese = await replicate.predictions.create({
      version: `jaaari/kokoro-82m:${KOKORO.version}`,
      input: { text: 'むかしむかし、あるところに。', voice: 'jf_alpha' },
    });
    const english = await replicate.predictions.create({
      version: `jaaari/kokoro-82m:${KOKORO.version}`,
      input: { text: 'Once upon a time.', voice: 'af_bella' },
    });
    const [ja, en] = [await settled(japanese.id), await settled(english.id)];

    expect([ja.status, en.status]).toEqual(['succeeded', 'succeeded']);
    expect(logsOf(japanese.id)).toContain('espeak-ng voice: ja');
    expect(logsOf(english.id)).toContain('voice: slt');
  });

  it('refuses a language_boost outside the recorded enum with a 422 on the field', async () => {
    const error = await replicate.predictions
      .create({ model: 'minimax/speech-02-hd', input: { text: 'xin chào', language_boost: 'vi' } })
      .then(
        () => undefined,
        (e: Error) => e,
      );

    expect(error?.message).toMatch(/status 422/);
    expect(error?.message).toContain('input.language_boost');
  });
});

describe('the local planning model writes in the brief language', () => {
  const planOf = (language: string) => {
    const brief = {
      recipe: 'prompt',
      prompt: 'a lighthouse',
      scenes: 2,
      narration: true,
      music: false,
      language,
    };
    const text = renderPlan(`Write the plan.\nBRIEF: ${JSON.stringify(brief)}`).inline.join('');
    return JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as {
      scenes: Array<{ prompt: string; caption: string; narration: string }>;
    };
  };

  it.each([
    ['vi', 'Đây là a lighthouse.'],
    ['ru', 'Это a lighthouse.'],
    ['ja', 'これはa lighthouseです。'],
    ['zh', '这是a lighthouse。'],
    ['en', 'This is a lighthouse.'],
  ])('narrates in %s', (language, opening) => {
    const plan = planOf(language);

    expect(plan.scenes[0]?.narration).toBe(opening);
    // Scene prompts stay English: video models are prompted in English.
    expect(plan.scenes[0]?.prompt).toMatch(/^a lighthouse, .*scene 1 of 2$/);
  });
});
