import type { ModelContract, SpeechVoice } from './contract';
import { findModelContract } from './model-ref';

/**
 * Which speech model speaks which language, from what is recorded of each model: the languages of
 * its voices (kokoro-82m's voice list) and the languages its language input names (MiniMax's
 * `language_boost`). Languages are compared by BCP-47 primary subtag (`vi-VN` speaks `vi`), and a
 * voice of the exact tag is preferred (`en-GB` gets a British voice).
 */

/**
 * The narration models tried in order when a job does not choose one: kokoro-82m first (the
 * cheapest, billed by hardware time), then MiniMax speech-02-hd for the languages kokoro has no
 * voice for (Vietnamese, Russian, Korean, Spanish, German, ...).
 */
export const DEFAULT_SPEECH_MODEL_IDS: readonly string[] = ['jaaari/kokoro-82m', 'minimax/speech-02-hd'];

/** `vi-VN` -> `vi`; `zh-Hant-TW` -> `zh`. */
export function primaryLanguage(tag: string): string {
  return (tag.split('-')[0] ?? tag).toLowerCase();
}

const contractOf = (ref: string): ModelContract | undefined => findModelContract(ref.split(':')[0] ?? ref);

/** The primary languages a recorded speech model speaks (empty when nothing about it is recorded). */
export function speechLanguages(contract: ModelContract): string[] {
  const languages = new Set<string>();
  for (const voice of contract.voices ?? []) languages.add(primaryLanguage(voice.language));
  for (const language of Object.keys(contract.languageInput?.values ?? {})) languages.add(language);
  return [...languages].sort();
}

export function speaksLanguage(contract: ModelContract, language: string): boolean {
  return speechLanguages(contract).includes(primaryLanguage(language));
}

/** The model's voices for a language: those of the exact tag first, then the rest of its primary language. */
export function voicesFor(contract: ModelContract, language: string): SpeechVoice[] {
  const primary = primaryLanguage(language);
  const exact = (contract.voices ?? []).filter((v) => v.language.toLowerCase() === language.toLowerCase());
  const same = (contract.voices ?? []).filter(
    (v) => primaryLanguage(v.language) === primary && !exact.includes(v),
  );
  return [...exact, ...same];
}

/** The value of the model's language input for a language (MiniMax: `vi` -> `Vietnamese`). */
export function languageInputValue(
  contract: ModelContract,
  language: string,
): { field: string; value: string } | undefined {
  const input = contract.languageInput;
  const value = input?.values[primaryLanguage(language)];
  return input && value ? { field: input.field, value } : undefined;
}

export type NarrationModelChoice =
  | {
      ok: true;
      model: string;
      /** The voice to speak with: the job's, else the model's first voice for the language (if recorded). */
      voice?: string;
    }
  | { ok: false; field: 'language' | 'voice'; message: string };

export interface NarrationModelRequest {
  /** BCP-47, canonical. */
  language: string;
  /** The job's voice, if it named one. */
  voice?: string;
  /** The job's own narration model (spec.models.narration): the only candidate when set. */
  chosen?: string;
  /** The configured narration models, in order of preference. */
  configured: readonly string[];
}

/**
 * The narration model for a job's language: the job's own model when it chose one, else the first
 * configured model that speaks the language (and, when the job names a voice, has that voice for
 * it). A model nothing is recorded about is trusted with any language and voice. Refusals name the
 * field and what is available, for the api's 400 and the planner's JobFailed.
 */
export function chooseNarrationModel(request: NarrationModelRequest): NarrationModelChoice {
  const candidates = request.chosen ? [request.chosen] : [...new Set(request.configured)];
  const speaking: Array<{ ref: string; contract?: ModelContract }> = [];
  for (const ref of candidates) {
    const contract = contractOf(ref);
    if (!contract || speaksLanguage(contract, request.language)) speaking.push({ ref, contract });
  }
  if (speaking.length === 0) {
    const available = [
      ...new Set(
        candidates.flatMap((ref) => {
          const contract = contractOf(ref);
          return contract ? speechLanguages(contract) : [];
        }),
      ),
    ].sort();
    return {
      ok: false,
      field: 'language',
      message: `no narration model speaks "${request.language}" (${candidates.join(', ')}); languages available: ${available.join(', ')}`,
    };
  }
  const { voice } = request;
  if (voice === undefined) {
    const [first] = speaking;
    if (!first) throw new Error('unreachable: speaking is not empty');
    const defaultVoice = first.contract ? voicesFor(first.contract, request.language)[0]?.id : undefined;
    return { ok: true, model: first.ref, ...(defaultVoice ? { voice: defaultVoice } : {}) };
  }
  const withVoice = speaking.find(
    ({ contract }) => !contract?.voices || voicesFor(contract, request.language).some((v) => v.id === voice),
  );
  if (withVoice) return { ok: true, model: withVoice.ref, voice };
  const offered = speaking.flatMap(({ ref, contract }) =>
    contract ? voicesFor(contract, request.language).map((v) => `${v.id} (${ref})`) : [],
  );
  const shown = offered.slice(0, 8).join(', ');
  return {
    ok: false,
    field: 'voice',
    message:
      offered.length === 0
        ? `"${voice}" is not a voice for "${request.language}": the models that speak it list no voices for it`
        : `"${voice}" is not a voice for "${request.language}"; voices: ${shown}${offered.length > 8 ? `, ... (${offered.length} in all)` : ''}`,
  };
}
