import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { ModelOutputExpiredError, ModelOutputRejectedError } from '../errors';

export interface OutputPolicy {
  /** https hosts (Replicate's delivery hosts). */
  allowedHosts: string[];
  /** Exact origins, e.g. the local model server's http://127.0.0.1:port. */
  allowedOrigins: string[];
  maxBytes: number;
}

/**
 * Downloads a model output to a local file under the SSRF rules: https on an allowlisted host (or an
 * exact allowlisted origin), redirects only to allowed places, a size cap enforced while streaming.
 * Returns its size and sha256. The URL never reaches ffmpeg.
 */
export async function downloadOutput(
  url: string,
  file: string,
  policy: OutputPolicy,
  fetchImpl: typeof fetch = fetch,
) {
  let current = assertAllowed(url, policy);
  for (let hop = 0; hop < 4; hop++) {
    const response = await fetchImpl(current, { redirect: 'manual' });
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location');
      if (!location) throw new ModelOutputRejectedError(`redirect without a location from ${current.host}`);
      current = assertAllowed(new URL(location, current).toString(), policy);
      continue;
    }
    if (response.status === 404 || response.status === 410) {
      throw new ModelOutputExpiredError(
        `the model output at ${current.host} is gone (HTTP ${response.status}); outputs expire after an hour`,
      );
    }
    if (!response.ok || !response.body)
      throw new ModelOutputRejectedError(`model output download failed: HTTP ${response.status}`);
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > policy.maxBytes)
      throw new ModelOutputRejectedError(`model output is ${declared} bytes; the cap is ${policy.maxBytes}`);
    return stream(response.body, file, policy.maxBytes);
  }
  throw new ModelOutputRejectedError('too many redirects');
}

function assertAllowed(raw: string, policy: OutputPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ModelOutputRejectedError('model output is not a URL');
  }
  if (policy.allowedOrigins.includes(url.origin)) return url;
  if (url.protocol !== 'https:')
    throw new ModelOutputRejectedError(`model output must be https, got ${url.protocol}//${url.host}`);
  if (!policy.allowedHosts.includes(url.hostname))
    throw new ModelOutputRejectedError(`model output host ${url.hostname} is not allowed`);
  return url;
}

async function stream(body: ReadableStream<Uint8Array>, file: string, maxBytes: number) {
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  let bytes = 0;
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      if (bytes > maxBytes)
        throw new ModelOutputRejectedError(`model output exceeds the cap of ${maxBytes} bytes`);
      hash.update(chunk);
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  } finally {
    await new Promise<void>((resolve, reject) =>
      out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  }
  return { bytes, sha256: hash.digest('hex') };
}
