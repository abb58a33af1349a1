import type { Claim } from './prediction-claims';

/** The webhook route, relative to the generator's HTTP API. */
export const WEBHOOK_PATH = '/webhooks/replicate';

/**
 * The URL Replicate calls for this claim: it names the scene attempt and carries the claim's token,
 * which is also how a claim whose prediction id was never recorded finds its prediction again.
 */
export function webhookUrl(
  baseUrl: string,
  claim: Pick<Claim, 'jobId' | 'sceneIndex' | 'attempt' | 'token'>,
): string {
  const url = new URL(WEBHOOK_PATH, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  url.searchParams.set('jobId', claim.jobId);
  url.searchParams.set('sceneIndex', String(claim.sceneIndex));
  url.searchParams.set('attempt', String(claim.attempt));
  url.searchParams.set('claim', claim.token);
  return url.toString();
}
