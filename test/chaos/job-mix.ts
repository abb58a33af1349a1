/**
 * The soak's jobs: a mix of every recipe (docs/architecture.md, "Jobs, recipes and scenes"), small enough for 2 cores (480p, 1 s scenes,
 * 3–6 scenes), most without music and narration to save model time. Uploads are tiny media files made
 * once with ffmpeg and uploaded per user through the api's presigned POSTs, as any client would.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { JobSpecInput } from '@reelay/events';
import { findFfmpeg } from '@reelay/media';

export type Recipe = NonNullable<JobSpecInput['recipe']>;

/** What a soak job needs besides its spec: which user submits it and which of their uploads it names. */
export interface PlannedJob {
  index: number;
  userId: string;
  spec: JobSpecInput;
  /** Which media of the user's uploads the spec names (filled in as upload ids at submission). */
  uploads: Array<'image' | 'clip'>;
}

/** The api's daily quota is 50 jobs per user: the soak spreads its jobs over users of this many jobs. */
export const JOBS_PER_USER = 10;
const RECIPE_CYCLE: Recipe[] = ['prompt', 'ad', 'story', 'prompt', 'merge', 'soundtrack'];
const PROMPTS = [
  'a paper boat on a pond',
  'a lighthouse in a storm at night',
  'a fox running through snow',
  'a city skyline at dawn',
  'a hot air balloon over hills',
];

export function userOf(index: number, prefix = 'soak-user'): string {
  return `${prefix}-${Math.floor(index / JOBS_PER_USER)}`;
}

/** Job `index` of the mix: the recipes in turn, 3–6 visual scenes, every seventh job with music and narration. */
export function plannedJob(index: number, options: { deadlineSec: number; userPrefix?: string }): PlannedJob {
  const recipe = RECIPE_CYCLE[index % RECIPE_CYCLE.length] ?? 'prompt';
  const scenes = 3 + (index % 4);
  const rich = index % 7 === 0;
  const base = {
    secondsPerScene: 1,
    resolution: '480p' as const,
    music: rich,
    narration: rich,
    captions: rich,
    deadlineSec: options.deadlineSec,
    seed: index,
  };
  const prompt = `${PROMPTS[index % PROMPTS.length]} (soak job ${index})`;
  const userId = userOf(index, options.userPrefix);
  switch (recipe) {
    case 'story':
      return { index, userId, uploads: ['image', 'image', 'image'], spec: { ...base, recipe, prompt } };
    case 'merge':
      return { index, userId, uploads: ['clip', 'clip', 'clip'], spec: { ...base, recipe } };
    case 'soundtrack':
      return { index, userId, uploads: ['clip'], spec: { ...base, recipe, prompt } };
    default:
      return { index, userId, uploads: [], spec: { ...base, recipe, prompt, scenes } };
  }
}

export interface SoakMedia {
  image: string;
  clip: string;
}

/** A 320x180 still and a 1 s 320x180 H.264/AAC clip, made with the ffmpeg the cloud uses. */
export function makeSoakMedia(dir: string): SoakMedia {
  const { ffmpeg } = findFfmpeg();
  const image = join(dir, 'still.png');
  const clip = join(dir, 'clip.mp4');
  execFileSync(ffmpeg, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=s=320x180',
    '-frames:v',
    '1',
    image,
  ]);
  execFileSync(ffmpeg, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=s=320x180:r=30:d=1',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:duration=1',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    clip,
  ]);
  return { image, clip };
}
