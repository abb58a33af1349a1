import type Replicate from 'replicate';
import type { Claim } from './prediction-claims';
import { classifyReplicateError, type PredictionView, predictionViewSchema } from './replicate-client';

/** Predictions created this long before the create call started still count (clock skew). */
const SKEW_MS = 60_000;
const MAX_PAGES = 5;

/**
 * Finds the prediction a claim's create call made, if any: the newest predictions are listed until
 * they are older than the call, and the one whose webhook URL carries the claim's token is it. List
 * items without a webhook field are read one by one (only those of the scene's model).
 */
export async function findClaimedPrediction(
  replicate: Pick<Replicate, 'predictions' | 'paginate'>,
  claim: Pick<Claim, 'token' | 'createStartedAt' | 'scene'>,
): Promise<PredictionView | undefined> {
  try {
    return await searchClaimedPrediction(replicate, claim);
  } catch (error) {
    // A network error or 5xx while listing is transient: RenderScene retries the whole create task.
    throw classifyReplicateError(error);
  }
}

async function searchClaimedPrediction(
  replicate: Pick<Replicate, 'predictions' | 'paginate'>,
  claim: Pick<Claim, 'token' | 'createStartedAt' | 'scene'>,
): Promise<PredictionView | undefined> {
  const since = Date.parse(claim.createStartedAt) - SKEW_MS;
  let pages = 0;
  for await (const page of replicate.paginate(() => replicate.predictions.list())) {
    for (const raw of page) {
      const item = predictionViewSchema.safeParse(raw);
      if (!item.success) continue;
      const p = item.data;
      if (p.created_at && Date.parse(p.created_at) < since) return undefined;
      if (p.model !== undefined && p.model !== claim.scene.model) continue;
      const webhook =
        p.webhook === undefined
          ? predictionViewSchema.parse(await replicate.predictions.get(p.id)).webhook
          : p.webhook;
      if (webhook?.includes(claim.token)) return p;
    }
    pages += 1;
    if (pages >= MAX_PAGES) return undefined;
  }
  return undefined;
}
