import { z } from 'zod';

/**
 * How big a job may be. Every limit is enforced where the job enters (the api's 4xx, named after
 * the limit) and is small enough that no event outgrows EventBridge's 256 KB and no DynamoDB item
 * its 400 KB (docs/long-form.md has the arithmetic). Change one here and the schemas follow.
 */
export const JOB_LIMITS = {
  /** Pictures (pages or panels) of a `story` job. */
  storyPages: 300,
  /** Clips of a `merge` job. */
  mergeClips: 100,
  /** Uploads of any other recipe. */
  otherUploads: 12,
  /** Generated scenes of a `prompt` or `ad` job. */
  generatedScenes: 12,
  /** Characters of one page's narration text (about a minute of speech). */
  scriptLineChars: 1000,
  /** Characters of all narration text of one job together (about an hour of speech). */
  scriptTotalChars: 50_000,
  /** UTF-8 bytes of all narration text together (Vietnamese takes 1–3 bytes a character). */
  scriptTotalBytes: 96 * 1024,
  /** The longest pause after a page's narration before the next page. */
  narrationPauseSec: 5,
  /** The longest total of a merge job's clips, in seconds (one hour). */
  mergeTotalSec: 3600,
} as const;

/**
 * The most scenes one job can have: a story of 300 pages with a narration scene per page and a
 * music bed. Scene indices, counts and alignments in every event are bounded by it.
 */
export const MAX_SCENES = 2 * JOB_LIMITS.storyPages + 1;

/** A scene's position in its job (0-based), wherever an event, a dead message or a webhook names one. */
export const sceneIndexSchema = z
  .number()
  .int()
  .min(0)
  .max(MAX_SCENES - 1);
/** How many scenes a job has. */
export const sceneCountSchema = z.number().int().min(1).max(MAX_SCENES);

/** The upload limit of a recipe. */
export function maxUploadsFor(recipe: string): number {
  if (recipe === 'story') return JOB_LIMITS.storyPages;
  if (recipe === 'merge') return JOB_LIMITS.mergeClips;
  return JOB_LIMITS.otherUploads;
}
