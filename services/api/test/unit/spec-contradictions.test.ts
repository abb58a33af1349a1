import { type SubmitJobDeps, submitJob } from '../../src/jobs/submit-job';
import { answerOf } from '../support/http-answer';

/** Deps that fail the test if the request gets past validation. */
const unreachable = new Proxy({} as SubmitJobDeps, {
  get: (_target, name) => {
    if (name === 'then') return undefined;
    return () => {
      throw new Error(`validation let the request through to ${String(name)}`);
    };
  },
});

const submit = async (spec: object) => {
  const response = await answerOf(
    submitJob(
      'user-1',
      { body: JSON.stringify(spec), headers: { 'content-type': 'application/json' } },
      unreachable,
    ),
  ).catch((e: Error) => e);
  if (response instanceof Error) return { status: 'accepted', paths: [] as string[] };
  const r = response as { statusCode: number; body: string };
  const body = JSON.parse(r.body) as { errors?: Array<{ path: string }> };
  return { status: r.statusCode, paths: (body.errors ?? []).map((e) => e.path) };
};

describe('a job spec whose fields contradict each other is a 400 naming the field', () => {
  it.each([
    ['burnCaptions without captions', { burnCaptions: true, captions: false }, 'burnCaptions'],
    ['a path as the voice (default speech model)', { voice: '../../etc/passwd' }, 'voice'],
    [
      'a path as the voice of a model without a voice list',
      { voice: '../../etc/passwd', models: { narration: 'someone/cloned-voice' } },
      'voice',
    ],
    ['markup as the voice', { voice: '<script>', models: { narration: 'someone/cloned-voice' } }, 'voice'],
    ['a voice without narration', { voice: 'bm_george', narration: false }, 'voice'],
    [
      'a narration model without narration',
      { narration: false, models: { narration: 'someone/cloned-voice' } },
      'models.narration',
    ],
    [
      'a music model without music',
      { music: false, models: { music: 'someone/music-model' } },
      'models.music',
    ],
  ])('refuses %s', async (_name, fields, path) => {
    const answer = await submit({ prompt: 'a lighthouse', ...fields });

    expect(answer.status).toBe(400);
    expect(answer.paths).toContain(path);
  });

  it.each([
    ['burned captions', { burnCaptions: true }],
    ['no captions at all', { captions: false }],
    ['a known voice', { voice: 'bm_george' }],
    [
      'a voice id of a model without a voice list',
      { voice: 'Wise_Woman', models: { narration: 'someone/tts' } },
    ],
    ['no narration and no music', { narration: false, music: false }],
  ])('accepts %s', async (_name, fields) => {
    expect((await submit({ prompt: 'a lighthouse', ...fields })).status).toBe('accepted');
  });
});
