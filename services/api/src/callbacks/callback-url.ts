import { lookup as dnsLookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { classifyAddress } from './public-address';

/**
 * Who may receive callbacks. `allowLoopbackHttp` exists for tests only (a receiver on 127.0.0.1 over
 * plain http); production configuration never sets it (a template test asserts that).
 */
export interface CallbackUrlPolicy {
  allowLoopbackHttp: boolean;
}

export type Resolve = (host: string) => Promise<Array<{ address: string; family: number }>>;

export const resolveAll: Resolve = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * A callback URL that must not be called. Only a host that does not resolve (DNS can be down for a
 * while) is worth another attempt; an unsafe or malformed URL stays unsafe, so it is never retried.
 */
export class CallbackUrlRefusedError extends Error {
  constructor(
    message: string,
    readonly retryable = false,
  ) {
    super(message);
  }
}

export interface CheckedCallbackUrl {
  url: URL;
  /** Every address the host resolved to, all checked; the request must connect to one of these. */
  addresses: Array<{ address: string; family: 4 | 6 }>;
}

/**
 * Refuses callback URLs that could reach inside a network: https only, no credentials, and every
 * address the host resolves to must be public unicast in every IPv4 and IPv6 form (public-address.ts). Checked at registration and again at
 * every delivery, where the connection is pinned to the checked addresses (no DNS rebinding).
 */
export async function checkCallbackUrl(
  raw: string,
  policy: CallbackUrlPolicy,
  resolve: Resolve = resolveAll,
): Promise<CheckedCallbackUrl> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CallbackUrlRefusedError('the callback URL is not an absolute URL');
  }
  if (url.username || url.password)
    throw new CallbackUrlRefusedError('the callback URL must not carry credentials');
  if (url.protocol !== 'https:' && !(policy.allowLoopbackHttp && url.protocol === 'http:')) {
    throw new CallbackUrlRefusedError('the callback URL must use https');
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: Array<{ address: string; family: number }>;
  if (ipaddr.isValid(host)) {
    addresses = [{ address: host, family: host.includes(':') ? 6 : 4 }];
  } else {
    try {
      addresses = await resolve(host);
    } catch {
      throw new CallbackUrlRefusedError(`the callback host ${host} does not resolve`, true);
    }
  }
  if (addresses.length === 0)
    throw new CallbackUrlRefusedError(`the callback host ${host} does not resolve`, true);
  const checked = addresses.map(({ address }) => {
    const verdict = classifyAddress(address);
    const loopbackAllowed = policy.allowLoopbackHttp && !verdict.public && verdict.loopback;
    if (!verdict.public && !loopbackAllowed) {
      throw new CallbackUrlRefusedError(
        `the callback host ${host} resolves to ${address} (${verdict.reason}); callbacks only go to public addresses`,
      );
    }
    if (url.protocol === 'http:' && !loopbackAllowed)
      throw new CallbackUrlRefusedError('the callback URL must use https');
    if (verdict.public) return { address: verdict.address, family: verdict.family };
    const parsed = ipaddr.process(address);
    return { address: parsed.toString(), family: parsed.kind() === 'ipv6' ? (6 as const) : (4 as const) };
  });
  return { url, addresses: checked };
}
