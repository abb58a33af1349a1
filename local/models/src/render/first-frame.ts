import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FetchedInput, RenderContext } from './render-context';

/** Like Replicate, the model fetches its URL inputs itself; a first frame is one small image. */
const MAX_FIRST_FRAME_BYTES = 20 * 1024 * 1024;
const EXT_BY_TYPE: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

export class FirstFrameUnavailableError extends Error {
  readonly retryable = false;
  constructor(reason: string) {
    super(`first_frame_url: ${reason}`);
    this.name = 'FirstFrameUnavailableError';
  }
}

/** A plain HTTP(S) fetch of an input URL, no redirects, within the size a first frame may have. */
export async function fetchUrlInput(url: string, signal: AbortSignal): Promise<FetchedInput> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new FirstFrameUnavailableError('not http(s)');
  const response = await fetch(parsed, { signal, redirect: 'error' });
  if (!response.ok) throw new FirstFrameUnavailableError(`the server answered ${response.status}`);
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  const body = Buffer.from(await response.arrayBuffer());
  if (body.length > MAX_FIRST_FRAME_BYTES) throw new FirstFrameUnavailableError('the image is too large');
  return { body, contentType };
}

/** Downloads the first-frame image into the prediction's folder and returns its file name there. */
export async function fetchFirstFrame(
  url: string,
  dir: string,
  signal: AbortSignal,
  ctx?: Pick<RenderContext, 'fetchInput'>,
): Promise<string> {
  const { body, contentType } = ctx?.fetchInput
    ? await ctx.fetchInput(url, signal)
    : await fetchUrlInput(url, signal);
  if (body.length > MAX_FIRST_FRAME_BYTES) throw new FirstFrameUnavailableError('the image is too large');
  const ext = EXT_BY_TYPE[contentType] ?? (body[0] === 0x89 ? 'png' : body[0] === 0x52 ? 'webp' : 'jpg');
  const name = `first-frame.${ext}`;
  await writeFile(join(dir, name), body);
  return name;
}
