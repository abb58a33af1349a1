import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { CheckedCallbackUrl } from './callback-url';

export type CallbackPost = (
  target: CheckedCallbackUrl,
  body: string,
  headers: Record<string, string>,
) => Promise<{ ok: true; status: number } | { ok: false; error: string }>;

const TIMEOUT_MS = 10_000;

/**
 * POSTs a callback to an already checked URL. Hand-written on node:http(s) rather than fetch because the
 * connection must go to the addresses we checked (a custom `lookup`), and fetch cannot pin them.
 * Redirects are never followed: a 3xx is a failed delivery.
 */
export const postCallback: CallbackPost = (target, body, headers) =>
  new Promise((resolve) => {
    const pinned: LookupFunction = (_host, options, callback) => {
      const first = target.addresses[0];
      if (!first) return callback(new Error('no checked address'), '', 4);
      if ((options as { all?: boolean }).all) {
        (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(
          null,
          target.addresses,
        );
      } else callback(null, first.address, first.family);
    };
    const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target.url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
        lookup: pinned,
        timeout: TIMEOUT_MS,
      },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve({ ok: true, status });
        else if (status >= 300 && status < 400)
          resolve({ ok: false, error: `the receiver answered ${status} (redirects are not followed)` });
        else resolve({ ok: false, error: `the receiver answered ${status}` });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', (error) => resolve({ ok: false, error: error.message }));
    req.end(body);
  });
