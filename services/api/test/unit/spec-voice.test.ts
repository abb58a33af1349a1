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
      { path: 'voice', message: expect.stringContaining('is not a voice of jaaari/kokoro-82m') },
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
