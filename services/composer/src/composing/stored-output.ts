import { z } from 'zod';
import type { ComposedOutput } from '../scenes/scene-set';

const composedOutputSchema = z.object({
  key: z.string().min(1),
  thumbnailKey: z.string().min(1),
  captionsKey: z.string().min(1).optional(),
  durationSec: z.number().positive(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  composeMs: z.number().int().min(0),
});

/** The record of a composition, stored as the final video's S3 metadata (beside its sha256). */
export function composedMetadata(composed: ComposedOutput): Record<string, string> {
  return { composed: JSON.stringify(composed) };
}

/**
 * The composition a stored final video records, when its metadata is complete and names the
 * same sha256 as the upload wrote: then the video was stored whole and need not be composed again.
 */
export function storedComposedOutput(
  metadata: Record<string, string> | undefined,
): ComposedOutput | undefined {
  if (!metadata?.composed || !metadata.sha256) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(metadata.composed);
  } catch {
    return undefined;
  }
  const parsed = composedOutputSchema.safeParse(json);
  if (!parsed.success || parsed.data.sha256 !== metadata.sha256) return undefined;
  const { captionsKey, ...rest } = parsed.data;
  return { ...rest, ...(captionsKey ? { captionsKey } : {}) };
}
