import type { ModelContract, ModelRole, SpeechVoice } from './contract';
import fluxSchnell from './fixtures/black-forest-labs__flux-schnell.json';
import kokoro from './fixtures/jaaari__kokoro-82m.json';
import kling from './fixtures/kwaivgi__kling-v2.1.json';
import llama3 from './fixtures/meta__meta-llama-3-8b-instruct.json';
import musicgen from './fixtures/meta__musicgen.json';
import minimaxSpeech from './fixtures/minimax__speech-02-hd.json';
import wanI2v from './fixtures/wan-video__wan-2.2-i2v-fast.json';
import wanT2v from './fixtures/wan-video__wan-2.2-t2v-fast.json';
import llava from './fixtures/yorickvp__llava-13b.json';

/** The fixture files' shape (snake_case openapi_schema, as recorded). */
interface ContractFixture {
  id: string;
  official: boolean;
  version: string;
  source: string;
  takenAt: string;
  description: string;
  roles: string[];
  output: { shape: string; contentType: string };
  price: unknown;
  voices?: Array<{ id: string; language: string; gender: string }>;
  languageInput?: { field: string; values: Record<string, string> };
  voiceInput?: string;
  openapi_schema: { components: { schemas: Record<string, unknown> } };
}

const VERSION = /^[0-9a-f]{64}$/;

export class InvalidContractFixtureError extends Error {
  readonly retryable = false;
  constructor(id: string, reason: string) {
    super(`model contract ${id}: ${reason}`);
    this.name = 'InvalidContractFixtureError';
  }
}

function contractOf(fixture: ContractFixture): ModelContract {
  const [owner = '', name = ''] = fixture.id.split('/');
  const schemas = fixture.openapi_schema.components.schemas as ModelContract['schemas'];
  if (!owner || !name) throw new InvalidContractFixtureError(fixture.id, 'id must be owner/name');
  if (!VERSION.test(fixture.version))
    throw new InvalidContractFixtureError(fixture.id, 'version must be 64 hex');
  if (!schemas.Input || !schemas.Output)
    throw new InvalidContractFixtureError(fixture.id, 'Input/Output schema missing');
  return {
    id: fixture.id,
    owner,
    name,
    official: fixture.official,
    version: fixture.version,
    description: fixture.description,
    roles: fixture.roles as ModelRole[],
    source: fixture.source,
    takenAt: fixture.takenAt,
    schemas,
    output: fixture.output as ModelContract['output'],
    price: fixture.price as ModelContract['price'],
    ...(fixture.voices ? { voices: fixture.voices as SpeechVoice[] } : {}),
    ...(fixture.languageInput ? { languageInput: fixture.languageInput } : {}),
    ...(fixture.voiceInput ? { voiceInput: fixture.voiceInput } : {}),
  };
}

/** Every recorded model, defaults first. */
export const MODEL_CONTRACTS: readonly ModelContract[] = [
  wanT2v,
  wanI2v,
  fluxSchnell,
  kokoro,
  musicgen,
  llama3,
  kling,
  minimaxSpeech,
  llava,
].map((fixture) => contractOf(fixture as ContractFixture));

/** The default model of each role: real Replicate ids (checked on their model pages, 2026-12). */
export const DEFAULT_MODEL_IDS: Readonly<Record<ModelRole, string>> = {
  video: 'wan-video/wan-2.2-t2v-fast',
  videoFromImage: 'wan-video/wan-2.2-i2v-fast',
  image: 'black-forest-labs/flux-schnell',
  speech: 'jaaari/kokoro-82m',
  music: 'meta/musicgen',
  planner: 'meta/meta-llama-3-8b-instruct',
  vision: 'yorickvp/llava-13b',
};
