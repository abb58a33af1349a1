import { readFile } from 'node:fs/promises';
import { BlockList, isIP } from 'node:net';
import type { FileStore } from './files-api';
import type { Prediction } from './prediction';
import { FirstFrameUnavailableError, fetchUrlInput } from './render/first-frame';
import type { FetchedInput } from './render/render-context';

/**
 * How a model on Replicate gets its URL inputs, for the twin's real-id models: Replicate downloads
 * every `format: uri` input itself before the model runs. It can reach api.replicate.com/v1/files
 * URLs, replicate.delivery outputs, data: URIs and the public internet; it cannot reach a
 * loopback, private or link-local address (a presigned URL of the embedded S3 on 127.0.0.1, for
 * one). The twin stands for Replicate: its own origin plays api.replicate.com and
 * replicate.delivery, anything else on a private address is refused and the prediction fails.
 */
export class InputUrlUnreachableError extends Error {
  readonly retryable = false;
  constructor(
    readonly field: string,
    readonly url: string,
    reason: string,
  ) {
    super(`Prediction input failed to download: ${field}: ${reason}`);
    this.name = 'InputUrlUnreachableError';
  }
}

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::1', 128],
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');

/** Whether Replicate's machines could not reach this host: localhost names and private/loopback/link-local IPs. */
export function isUnreachableFromReplicate(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal')) return true;
  const family = isIP(host);
  if (family === 4) return PRIVATE.check(host, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
    return mapped?.[1] ? PRIVATE.check(mapped[1], 'ipv4') : PRIVATE.check(host, 'ipv6');
  }
  return false;
}

function decodeDataUri(uri: string): FetchedInput | undefined {
  const match = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(uri);
  if (!match) return undefined;
  const base64 = (match[2] ?? '').split(';').includes('base64');
  const payload = match[3] ?? '';
  return {
    contentType: match[1] || 'text/plain',
    body: base64 ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload)),
  };
}

export interface InputUrlDeps {
  /** The twin's own origin (standing for api.replicate.com and replicate.delivery). */
  origin(): string;
  files: FileStore;
  /** A prediction by id, for its delivery URLs (outputs still within their hour). */
  prediction(id: string): Prediction | undefined;
  nowMs(): number;
  outputTtlMs: number;
}

/** A fetcher for one input field, as the model's RenderContext.fetchInput. */
export function inputUrlFetcher(deps: InputUrlDeps, field: string) {
  return async (url: string, signal: AbortSignal): Promise<FetchedInput> => {
    if (url.startsWith('data:')) {
      const decoded = decodeDataUri(url);
      if (!decoded) throw new InputUrlUnreachableError(field, url, 'malformed data URI');
      return decoded;
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InputUrlUnreachableError(field, url, 'not a URL');
    }
    if (parsed.origin === deps.origin()) {
      const upload = /^\/v1\/files\/([a-z0-9]+)(?:\/download)?$/.exec(parsed.pathname);
      if (upload?.[1]) {
        const file = deps.files.get(upload[1]);
        if (!file) throw new InputUrlUnreachableError(field, url, 'the file does not exist or has expired');
        return { body: await readFile(file.path), contentType: file.contentType };
      }
      const delivered = /^\/files\/([a-z0-9]+)\/([\w.-]+)$/.exec(parsed.pathname);
      const prediction = delivered?.[1] ? deps.prediction(delivered[1]) : undefined;
      const output = [
        ...(prediction?.outputFiles ?? []),
        ...(prediction?.outputFile ? [prediction.outputFile] : []),
      ].find((f) => f.name === delivered?.[2]);
      if (
        prediction &&
        output &&
        !prediction.outputRemoved &&
        !prediction.isExpired(deps.nowMs(), deps.outputTtlMs)
      )
        return { body: await readFile(output.path), contentType: output.contentType };
      throw new InputUrlUnreachableError(field, url, 'the server answered 404');
    }
    if (isUnreachableFromReplicate(parsed.hostname))
      throw new InputUrlUnreachableError(
        field,
        url,
        `${parsed.host} is a loopback or private address that Replicate cannot reach; upload the file (POST /v1/files) or send a data URI`,
      );
    try {
      return await fetchUrlInput(url, signal);
    } catch (error) {
      if (error instanceof FirstFrameUnavailableError)
        throw new InputUrlUnreachableError(field, url, error.message);
      throw error;
    }
  };
}
