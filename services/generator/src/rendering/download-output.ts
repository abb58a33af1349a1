import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { ModelOutputExpiredError, ModelOutputRejectedError, ModelUnavailableError } from '../errors';

export interface OutputPolicy {
  /** https domains: each allows that host and every subdomain of it (Replicate's replicate.delivery). */
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
    const response = await fetchImpl(current, { redirect: 'manual' }).catch((error: unknown) => {
      throw unreachable(current, error);
    });
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
    return stream(response.body, file, policy.maxBytes).catch((error: unknown) => {
      if (error instanceof ModelOutputRejectedError) throw error;
      throw unreachable(current, error);
    });
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
  if (!hostAllowed(url.hostname, policy.allowedHosts))
    throw new ModelOutputRejectedError(`model output host ${url.hostname} is not allowed`);
  return url;
}

/** Replicate serves outputs from replicate.delivery and its subdomains (pbxt., and others). */
export function hostAllowed(hostname: string, domains: readonly string[]): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return domains.some((d) => {
    const domain = d.toLowerCase().replace(/^\*\./, '');
    return host === domain || host.endsWith(`.${domain}`);
  });
}

/** A reset, a DNS failure or a timeout while fetching an output is transient: the store is retried. */
function unreachable(url: URL, error: unknown): ModelUnavailableError {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const reason = `${(error as Error)?.message ?? String(error)}${cause?.code ? ` (${String(cause.code)})` : ''}`;
  return new ModelUnavailableError(`model output download from ${url.host} failed: ${reason}`, {
    cause: error,
  });
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
