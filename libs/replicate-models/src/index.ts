/**
 * The recorded contracts of Reelay's Replicate models (see README.md for every source): what the
 * generator sends and the local model server (the twin) enforces.
 */
export type {
  InvalidField,
  JsonSchema,
  ModelContract,
  ModelPrice,
  ModelRole,
  OutputShape,
  SpeechVoice,
} from './contract';
export { DEFAULT_MODEL_IDS, InvalidContractFixtureError, MODEL_CONTRACTS } from './contracts';
export { type InputField, inputField, inputFields } from './input-fields';
export {
  findModelContract,
  type ModelRef,
  modelContract,
  parseModelRef,
  UnknownModelError,
} from './model-ref';
export { type PredictionUsage, PriceUnknownError, predictionCostUsd } from './prices';
export {
  chooseNarrationModel,
  DEFAULT_SPEECH_MODEL_IDS,
  languageInputValue,
  type NarrationModelChoice,
  type NarrationModelRequest,
  primaryLanguage,
  speaksLanguage,
  speechLanguages,
  voicesFor,
} from './speech-languages';
export {
  checkModelInput,
  invalidFieldsDetail,
  type ValidationResult,
  validateModelInput,
} from './validate-input';
