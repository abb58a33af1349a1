/**
 * What Reelay knows of one Replicate model, recorded from the model's public pages (the JSON
 * fixtures in ./fixtures, one per model). Nothing here calls Replicate.
 */

/** What a model is used for in Reelay (the generator's model roles). */
export type ModelRole =
  | 'video'
  | 'videoFromImage'
  | 'image'
  | 'speech'
  | 'music'
  | 'planner'
  /** Describes pictures in words (a job's style references). */
  | 'vision';

/** A JSON Schema object as Replicate publishes it in a version's openapi_schema. */
export type JsonSchema = Record<string, unknown>;

/**
 * The price by the model's real billing unit, from its model or pricing page.
 * - output-video-second: per second of output video at a resolution. `billedFrameRate` set: the
 *   billed seconds are frames / that rate, whatever frames_per_second asked for (Wan 2.2 fast
 *   bills "the video duration at 16 fps"). `resolutionByInput`: the resolution follows another
 *   input (Kling's `mode`), else the `resolution` input.
 * - output-image: per image produced.
 * - token: per million input and output tokens.
 * - hardware-second: per second of prediction time on the model's hardware (community models).
 */
export type ModelPrice = PriceSource &
  (
    | {
        unit: 'output-video-second';
        usdPerSecondByResolution: Record<string, number>;
        billedFrameRate?: number;
        resolutionByInput?: { field: string; values: Record<string, string> };
      }
    | { unit: 'output-image'; usdPerImage: number }
    | { unit: 'token'; usdPerMillionInputTokens: number; usdPerMillionOutputTokens: number }
    | { unit: 'hardware-second'; hardware: string; usdPerSecond: number }
    /** Per character of a text input (MiniMax speech: "every character is 1 token"). */
    | { unit: 'input-character'; field: string; usdPerThousandCharacters: number }
  );

interface PriceSource {
  /** Where the price was read. */
  source: string;
  /** When (YYYY-MM-DD). */
  takenAt: string;
}

/** How the model's output arrives: one file URL, a list of file URLs, or a list of text tokens. */
export type OutputShape = 'uri' | 'uri[]' | 'string[]';

export interface SpeechVoice {
  id: string;
  /** BCP 47 tag. */
  language: string;
  gender: 'female' | 'male';
}

export interface ModelContract {
  /** owner/name */
  id: string;
  owner: string;
  name: string;
  /**
   * Official models run by name (POST /v1/models/{owner}/{name}/predictions) and are billed by
   * output; community models run only by version (POST /v1/predictions with `version`).
   */
  official: boolean;
  /** 64-hex version id: pinned for community models, recorded for official ones. */
  version: string;
  description: string;
  /** The roles Reelay may give this model. */
  roles: readonly ModelRole[];
  /** Where the schema was read, and when (YYYY-MM-DD). */
  source: string;
  takenAt: string;
  /** The version's openapi_schema.components.schemas: Input, Output and the enums they reference. */
  schemas: { Input: JsonSchema; Output: JsonSchema } & Record<string, JsonSchema>;
  output: { shape: OutputShape; contentType: string };
  price: ModelPrice;
  /** Speech models: the voices the `voice` input accepts (their languages are what it speaks). */
  voices?: readonly SpeechVoice[];
  /** Speech models: the input that names the language, and its value per BCP-47 primary language. */
  languageInput?: { field: string; values: Readonly<Record<string, string>> };
  /** Speech models: the input that takes the voice when it is not `voice` (MiniMax: `voice_id`). */
  voiceInput?: string;
}

/** One entry of Replicate's 422 `invalid_fields` list. */
export interface InvalidField {
  type: string;
  /** "input" for a missing required field, else "input.<name>". */
  field: string;
  description: string;
}
