import { type JobSpec, jobSpecSchema } from '@reelay/events';
import type { UploadResolver } from '../../src/jobs/submit-job';
import { resolveStyleReferences } from '../../src/uploads/style-references';
import { UnusableUploadError } from '../../src/uploads/upload-errors';

/**
 * Style references are resolved as a story's pages are (the user's own uploads, pictures only), and
 * a refusal names `styleReferences.<i>`, not the job's uploads.
 */
const REFERENCE = '01JDARKRED0000000000000000';
const spec = (extra: Record<string, unknown> = {}): JobSpec =>
  jobSpecSchema.parse({ prompt: 'a lighthouse', styleReferences: [REFERENCE], ...extra });

describe('resolving style references', () => {
  it('asks the upload resolver for pictures (an image-only job of the references) and returns their keys', async () => {
    const asked: JobSpec[] = [];
    const resolver: UploadResolver = async (_userId, job) => {
      asked.push(job);
      return job.uploads.map((id) => `uploads/user-1/${id}.png`);
    };

    const keys = await resolveStyleReferences(resolver, 'user-1', spec());

    expect(keys).toEqual([`uploads/user-1/${REFERENCE}.png`]);
    expect(asked[0]).toMatchObject({ recipe: 'story', uploads: [REFERENCE] });
  });

  it('resolves nothing for a job without references', async () => {
    const resolver: UploadResolver = async () => {
      throw new Error('not asked');
    };

    expect(
      await resolveStyleReferences(resolver, 'user-1', spec({ styleReferences: undefined })),
    ).toBeUndefined();
  });

  it('names styleReferences.<i> when a reference is not a usable picture', async () => {
    const resolver: UploadResolver = async () => {
      throw new UnusableUploadError(0, 'upload 01J... is a video; a story needs pictures');
    };

    const error = await resolveStyleReferences(resolver, 'user-1', spec()).catch((e: unknown) => e);

    expect(error).toMatchObject({
      status: 422,
      errors: [{ path: 'styleReferences.0', message: expect.stringContaining('needs pictures') }],
    });
  });
});
