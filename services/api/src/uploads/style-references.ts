import type { JobSpec } from '@reelay/events';
import { HttpProblemError } from '@reelay/lambda';
import type { UploadResolver } from '../jobs/submit-job';
import { UnusableUploadError } from './upload-errors';

/**
 * The S3 keys of a job's style references (spec.styleReferences, 1..4 upload ids): each must be one
 * of the user's uploads and a picture, checked exactly as a story's pages are (the same resolver
 * asked for an image-only job), with a refusal that names `styleReferences.<i>`.
 */
export async function resolveStyleReferences(
  resolveUploads: UploadResolver,
  userId: string,
  spec: JobSpec,
): Promise<string[] | undefined> {
  const references = spec.styleReferences;
  if (!references || references.length === 0) return undefined;
  const { script: _script, ...rest } = spec;
  try {
    return await resolveUploads(userId, { ...rest, recipe: 'story', uploads: references });
  } catch (error) {
    if (!(error instanceof UnusableUploadError)) throw error;
    const path = (error.errors?.[0]?.path ?? 'uploads.0').replace(/^uploads\./, 'styleReferences.');
    throw new HttpProblemError(
      {
        status: 422,
        title: 'Unusable style reference',
        detail: `a style reference must be one of your image uploads: ${error.detail}`,
        errors: [{ path, message: error.detail }],
      },
      { cause: error },
    );
  }
}
