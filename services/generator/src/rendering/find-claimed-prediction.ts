import { isDeepStrictEqual } from 'node:util';
import type Replicate from 'replicate';
import { predictionInput } from '../models/model-inputs';
import type { Claim } from './prediction-claims';
import { classifyReplicateError, type PredictionView, predictionViewSchema } from './replicate-client';

/** Predictions created this long before the create call started still count (clock skew). */
const SKEW_MS = 60_000;
/** Replicate lists 100 predictions a page, newest first: the window is minutes, a page or two. */
const MAX_PAGES = 3;

/**
 * Inputs that carry a first frame: their URL is made anew for each create call (a presigned URL,
 * an uploaded file), so they are left out of the comparison.
 */
const FIRST_FRAME_FIELDS = ['image', 'start_image'];

/**
 * Finds the prediction a claim's create call made when its id was never recorded (a crash between
 * the create call and the record), or undefined.
 *
 * Only documented prediction fields are used (Replicate's prediction object has no `webhook`, and a
 * local run with a real token has no webhook at all): the newest predictions are listed until they
 * are older than the create call, and the one of the scene's model whose `input` is the input this
 * claim sends (first-frame URLs aside) is adopted, unless another claim of the scene already owns
 * it. The schemas give no free field to carry a marker of ours (every field reaches the model), so
 * two creates of the very same input are told apart by time and by the ids already recorded: a
 * retry of the same scene is a later claim and its predecessor's prediction id is on its claim.
 * List items without `input` are read one by one (only those of the scene's model).
 */
export async function findClaimedPrediction(
  replicate: Pick<Replicate, 'predictions' | 'paginate'>,
  claim: Pick<Claim, 'createStartedAt' | 'scene'>,
  ownedElsewhere: ReadonlySet<string> = new Set(),
): Promise<PredictionView | undefined> {
  try {
    return await searchClaimedPrediction(replicate, claim, ownedElsewhere);
  } catch (error) {
    // A network error or 5xx while listing is transient: RenderScene retries the whole create task.
    throw classifyReplicateError(error);
  }
}

function comparable(input: Record<string, unknown> | null | undefined): Record<string, unknown> | undefined {
  if (!input) return undefined;
  const rest = { ...input };
  for (const name of FIRST_FRAME_FIELDS) delete rest[name];
  return rest;
}

async function searchClaimedPrediction(
  replicate: Pick<Replicate, 'predictions' | 'paginate'>,
  claim: Pick<Claim, 'createStartedAt' | 'scene'>,
  ownedElsewhere: ReadonlySet<string>,
): Promise<PredictionView | undefined> {
  const { scene } = claim;
  const since = Date.parse(claim.createStartedAt) - SKEW_MS;
  const modelId = scene.model.split(':')[0] ?? scene.model;
  let sent: Record<string, unknown> | undefined;
  try {
    sent = comparable(predictionInput(scene, { firstFrameUrl: 'https://first-frame.invalid/' }));
  } catch {
    return undefined;
  }
  let pages = 0;
  for await (const page of replicate.paginate(() => replicate.predictions.list())) {
    for (const raw of page) {
      const item = predictionViewSchema.safeParse(raw);
      if (!item.success) continue;
      const p = item.data;
      if (p.created_at && Date.parse(p.created_at) < since) return undefined;
      if (p.model !== undefined && p.model !== modelId) continue;
      if (ownedElsewhere.has(p.id)) continue;
      const input = p.input ?? predictionViewSchema.parse(await replicate.predictions.get(p.id)).input;
      if (isDeepStrictEqual(comparable(input), sent)) return p;
    }
    pages += 1;
    if (pages >= MAX_PAGES) return undefined;
  }
  return undefined;
}
