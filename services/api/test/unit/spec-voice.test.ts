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

const submit = (spec: object) =>
  answerOf(
    submitJob(
      'user-1',
      { body: JSON.stringify(spec), headers: { 'content-type': 'application/json' } },
      unreachable,
    ),
  );

describe('the narration voice of a job spec', () => {
  it('is refused with a 400 naming `voice` when the speech model does not have it', async () => {
    const response = (await submit({ prompt: 'a lighthouse', voice: 'af_heart' })) as {
      statusCode: number;
      body: string;
    };

    expect(response.statusCode).toBe(400);
    const body = JSON.parse(response.body) as { errors: Array<{ path: string; message: string }> };
    expect(body.errors).toEqual([
      { path: 'voice', message: expect.stringContaining('"af_heart" is not a voice for "en"') },
    ]);
  });

  it('is checked against the job own narration model, and any name passes for a model without a voice list', async () => {
    const own = (await submit({
      prompt: 'a lighthouse',
      voice: 'my-voice',
      models: { narration: 'someone/cloned-voice' },
    }).catch((e: Error) => e)) as Error;

    const known = (await submit({ prompt: 'a lighthouse', voice: 'bm_george' }).catch(
      (e: Error) => e,
    )) as Error;

    expect(own.message).toContain('validation let the request through');
    expect(known.message).toContain('validation let the request through');
  });
});

describe('the language of a job spec', () => {
  const errorsOf = async (spec: object) => {
    const response = (await submit(spec)) as { statusCode: number; body: string };
    return {
      status: response.statusCode,
      errors: (JSON.parse(response.body) as { errors: Array<{ path: string; message: string }> }).errors,
    };
  };
  const passes = async (spec: object) =>
    ((await submit(spec).catch((e: Error) => e)) as Error).message.includes(
      'validation let the request through',
    );

  it('is refused with a 400 naming `language` when it is not a BCP-47 tag', async () => {
    const { status, errors } = await errorsOf({ prompt: 'a lighthouse', language: 'vi_VN!' });

    expect(status).toBe(400);
    expect(errors).toEqual([
      { path: 'language', message: expect.stringContaining('is not a BCP-47 language tag') },
    ]);
  });

  it('is refused with a 400 naming the language and the languages available when no narration model speaks it', async () => {
    const { status, errors } = await errorsOf({ prompt: 'a lighthouse', language: 'sw' });

    expect(status).toBe(400);
    expect(errors).toEqual([
      {
        path: 'language',
        message: expect.stringMatching(/no narration model speaks "sw".*languages available: .*\bvi\b/),
      },
    ]);
  });

  it('is accepted for Vietnamese (MiniMax speaks it), and without narration for any well-formed tag', async () => {
    expect(await passes({ prompt: 'a lighthouse', language: 'vi' })).toBe(true);
    expect(await passes({ prompt: 'a lighthouse', language: 'sw', narration: false })).toBe(true);
  });

  it('refuses a voice of another language with a 400 naming `voice`', async () => {
    const { status, errors } = await errorsOf({ prompt: 'a lighthouse', language: 'vi', voice: 'af_bella' });

    expect(status).toBe(400);
    expect(errors).toEqual([
      { path: 'voice', message: expect.stringContaining('Vietnamese_kindhearted_girl') },
    ]);
  });
});
