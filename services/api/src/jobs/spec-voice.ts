import { jobSpecSchema } from '@reelay/events';
import { chooseNarrationModel, DEFAULT_SPEECH_MODEL_IDS } from '@reelay/replicate-models';
import { refuseContradictions } from './spec-contradictions';

/**
 * The job spec as the api accepts it: jobSpecSchema, a `language` some narration model speaks and a
 * `voice` that model has for it. The narration model is the spec's own (`models.narration`) or the
 * first default speech model that speaks the language (kokoro-82m, then MiniMax speech-02-hd:
 * @reelay/replicate-models records which speaks what); the generator chooses the same way. A
 * language none speaks, or a voice the model lacks, would fail the job at render time after it was
 * paid for; the api refuses it up front with a 400 naming `language` or `voice` and what is
 * available. A model without a recorded contract is trusted (but a voice must be a name:
 * spec-contradictions.ts). Fields that contradict each other are refused too.
 */
export const acceptedJobSpecSchema = jobSpecSchema.superRefine((spec, ctx) => {
  refuseContradictions(spec, ctx);
  if (!spec.narration) return;
  const choice = chooseNarrationModel({
    language: spec.language,
    ...(spec.voice !== undefined ? { voice: spec.voice } : {}),
    ...(spec.models.narration ? { chosen: spec.models.narration } : {}),
    configured: DEFAULT_SPEECH_MODEL_IDS,
  });
  if (!choice.ok) ctx.addIssue({ code: 'custom', path: [choice.field], message: choice.message });
});
