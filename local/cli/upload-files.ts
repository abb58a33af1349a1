import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';

export class UploadFailedError extends Error {}

/** The content type the api expects for a file, from its extension (the api probes the bytes anyway). */
const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
};
/** The file name endings `--upload` takes. */
export const UPLOAD_EXTENSIONS = Object.keys(CONTENT_TYPES);

export function contentTypeOf(file: string): string {
  const type = CONTENT_TYPES[extname(file).toLowerCase()];
  if (!type) {
    throw new UploadFailedError(
      `${basename(file)}: only ${Object.keys(CONTENT_TYPES).join(', ')} files can be uploaded`,
    );
  }
  return type;
}

/** Files sent to S3 at once: the pages of a long story go up in parallel, a few at a time. */
const FILES_AT_ONCE = 6;

interface PresignedUpload {
  uploadId: string;
  url: string;
  fields: Record<string, string>;
}

/**
 * Uploads local files as any client would: one POST /uploads for a presigned POST per file (a
 * batch: 120 pages are one request, not 120), then a multipart POST of each file straight to S3, a
 * few at a time. Returns the upload ids, in order, for the job spec's `uploads`.
 */
export async function uploadFiles(apiUrl: string, token: string, files: string[]): Promise<string[]> {
  if (files.length === 0) return [];
  const declared = await Promise.all(
    files.map(async (file) => ({ contentType: contentTypeOf(file), bytes: (await stat(file)).size })),
  );
  const res = await fetch(`${apiUrl}/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ files: declared }),
  });
  const answer = (await res.json()) as {
    uploads?: PresignedUpload[];
    detail?: string;
    errors?: Array<{ path: string; message: string }>;
  };
  if (res.status !== 201 || answer.uploads?.length !== files.length) {
    // A refusal naming one file (files.<i>...) is reported with that file's name.
    const index = Number(answer.errors?.[0]?.path.split('.')[1]);
    const named = Number.isInteger(index) && files[index] ? `${basename(files[index])}: ` : '';
    throw new UploadFailedError(`${named}${answer.detail ?? `POST /uploads answered ${res.status}`}`);
  }
  const targets = answer.uploads;
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      await postFile(files[i] as string, declared[i]?.contentType ?? '', targets[i] as PresignedUpload);
    }
  };
  await Promise.all(Array.from({ length: Math.min(FILES_AT_ONCE, files.length) }, worker));
  return targets.map((t) => t.uploadId);
}

async function postFile(file: string, contentType: string, target: PresignedUpload): Promise<void> {
  const form = new FormData();
  for (const [k, v] of Object.entries(target.fields)) form.append(k, v);
  form.append('file', new Blob([await readFile(file)], { type: contentType }), basename(file));
  const stored = await fetch(target.url, { method: 'POST', body: form });
  if (stored.status >= 300) {
    throw new UploadFailedError(
      `${basename(file)}: the upload was refused (${stored.status}): ${(await stored.text()).slice(0, 300)}`,
    );
  }
}
