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

/**
 * Uploads local files as any client would: POST /uploads for a presigned POST, then a multipart POST of
 * the file straight to S3. Returns the upload ids, in order, for the job spec's `uploads`.
 */
export async function uploadFiles(apiUrl: string, token: string, files: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const file of files) {
    const contentType = contentTypeOf(file);
    const { size } = await stat(file);
    const res = await fetch(`${apiUrl}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ contentType, bytes: size }),
    });
    const target = (await res.json()) as {
      uploadId?: string;
      url?: string;
      fields?: Record<string, string>;
      detail?: string;
    };
    if (res.status !== 201 || !target.uploadId || !target.url || !target.fields) {
      throw new UploadFailedError(
        `${basename(file)}: ${target.detail ?? `POST /uploads answered ${res.status}`}`,
      );
    }
    const form = new FormData();
    for (const [k, v] of Object.entries(target.fields)) form.append(k, v);
    form.append('file', new Blob([await readFile(file)], { type: contentType }), basename(file));
    const stored = await fetch(target.url, { method: 'POST', body: form });
    if (stored.status >= 300) {
      throw new UploadFailedError(
        `${basename(file)}: the upload was refused (${stored.status}): ${(await stored.text()).slice(0, 300)}`,
      );
    }
    ids.push(target.uploadId);
  }
  return ids;
}
