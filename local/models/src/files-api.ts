import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newPredictionId } from './prediction';

/**
 * Replicate's files API (POST/GET/DELETE /v1/files, what the replicate client's `files.create`
 * and `run()`'s automatic uploads use): a file uploaded here is referenced from a prediction's
 * input by its `urls.get`, which the twin resolves itself, as Replicate's models can fetch
 * api.replicate.com/v1/files URLs.
 */
export interface StoredFile {
  id: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  md5: string;
  metadata: Record<string, unknown>;
  createdAtMs: number;
  path: string;
}

/** Replicate keeps uploaded files for a day. */
export const FILE_TTL_MS = 24 * 3600 * 1000;
/** Replicate's files API takes files up to 100 MiB. */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;

export class FileStore {
  private readonly files = new Map<string, StoredFile>();

  constructor(
    private readonly dir: string,
    private readonly clock: () => number,
  ) {}

  async create(
    content: Buffer,
    name: string,
    contentType: string,
    metadata: Record<string, unknown>,
  ): Promise<StoredFile> {
    const id = newPredictionId();
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, id);
    await writeFile(path, content);
    const file: StoredFile = {
      id,
      name,
      contentType,
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
      md5: createHash('md5').update(content).digest('hex'),
      metadata,
      createdAtMs: this.clock(),
      path,
    };
    this.files.set(id, file);
    return file;
  }

  /** A file not expired, or undefined. */
  get(id: string): StoredFile | undefined {
    const file = this.files.get(id);
    if (!file || this.clock() >= file.createdAtMs + FILE_TTL_MS) return undefined;
    return file;
  }

  list(): StoredFile[] {
    return [...this.files.values()].filter((f) => this.get(f.id)).reverse();
  }

  async read(id: string): Promise<Buffer | undefined> {
    const file = this.get(id);
    return file ? readFile(file.path) : undefined;
  }

  async delete(id: string): Promise<boolean> {
    const file = this.files.get(id);
    if (!file) return false;
    this.files.delete(id);
    await rm(file.path, { force: true });
    return true;
  }
}

/** The file object as Replicate's files API returns it. */
export function presentFile(file: StoredFile, apiBase: string): Record<string, unknown> {
  return {
    id: file.id,
    name: file.name,
    content_type: file.contentType,
    size: file.size,
    etag: `"${file.md5}"`,
    checksums: { sha256: file.sha256, md5: file.md5 },
    metadata: file.metadata,
    created_at: new Date(file.createdAtMs).toISOString(),
    expires_at: new Date(file.createdAtMs + FILE_TTL_MS).toISOString(),
    urls: { get: `${apiBase}/files/${file.id}` },
  };
}

/** The parts of a multipart/form-data upload: `content` (the file) and optional `metadata` (JSON). */
export async function parseUpload(
  body: Buffer,
  contentTypeHeader: string | undefined,
): Promise<
  { content: Buffer; name: string; contentType: string; metadata: Record<string, unknown> } | string
> {
  if (!contentTypeHeader?.startsWith('multipart/form-data'))
    return 'The request must be multipart/form-data.';
  let form: FormData;
  try {
    // The WHATWG multipart parser Node ships (undici), rather than a hand-written one.
    form = await new Response(new Uint8Array(body), {
      headers: { 'content-type': contentTypeHeader },
    }).formData();
  } catch {
    return 'The multipart body could not be parsed.';
  }
  const content = form.get('content');
  if (!(content instanceof Blob)) return 'The "content" part (the file) is missing.';
  let metadata: Record<string, unknown> = {};
  const meta = form.get('metadata');
  if (meta !== null) {
    try {
      const text = typeof meta === 'string' ? meta : await meta.text();
      const parsed: unknown = text ? JSON.parse(text) : {};
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        return 'metadata must be a JSON object.';
      metadata = parsed as Record<string, unknown>;
    } catch {
      return 'metadata must be a JSON object.';
    }
  }
  const name = content instanceof File && content.name ? content.name : `file_${Date.now()}`;
  return {
    content: Buffer.from(await content.arrayBuffer()),
    name,
    contentType: content.type || 'application/octet-stream',
    metadata,
  };
}
