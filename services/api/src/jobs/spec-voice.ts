import { jobSpecSchema } from '@reelay/events';
import { DEFAULT_MODEL_IDS, findModelContract } from '@reelay/replicate-models';
import { refuseContradictions } from './spec-contradictions';

/**
 * The job spec as the api accepts it: jobSpecSchema, and a `voice` the narration model has. A
 * speech model with a fixed voice list (kokoro-82m's, recorded in @reelay/replicate-models) would
 * refuse any other name with a 422 at render time, failing the job after it was paid for; the api
 * refuses it up front with a 400 naming `voice`. The narration model is the spec's own
 * (`models.narration`) or the default speech model; a model without a recorded voice list is
 * trusted with any voice name (but only a name: spec-contradictions.ts). Fields that contradict each
 * other are refused too (spec-contradictions.ts).
 */
export const acceptedJobSpecSchema = jobSpecSchema.superRefine((spec, ctx) => {
  refuseContradictions(spec, ctx);
  if (spec.voice === undefined) return;
  const model = spec.models.narration ?? DEFAULT_MODEL_IDS.speech;
  const voices = findModelContract(model.split(':')[0] ?? model)?.voices;
  if (!voices || voices.some((v) => v.id === spec.voice)) return;
  const examples = voices
    .slice(0, 6)
    .map((v) => v.id)
    .join(', ');
  ctx.addIssue({
    code: 'custom',
    path: ['voice'],
    message: `"${spec.voice}" is not a voice of ${model}; it has ${voices.length} voices (${examples}, ...)`,
  });
});
