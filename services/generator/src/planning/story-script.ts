import type { JobSpec } from '@reelay/events';
import { type CreativeText, shortLine } from './creative-text';

/**
 * The longest a page's narration may run: the narration scene is planned this long, and the
 * composer keeps the narration as long as it really is (up to this) and holds the page that long
 * plus the job's pause. A script line (1000 characters at most) is well under it at speaking pace.
 */
export const MAX_PAGE_NARRATION_SEC = 120;

/** Whether every page of a story has its narration written by the user: nothing is left to write. */
export function scriptCoversEveryPage(spec: JobSpec): boolean {
  return (
    spec.recipe === 'story' &&
    spec.script !== undefined &&
    spec.script.length === spec.uploads.length &&
    spec.script.every((line) => line.trim().length > 0)
  );
}

/**
 * Story: the user's narration lines replace the planner's wherever given (an empty line is the
 * planner's to write, from the prompt; a vision model describing each page would write it from the
 * picture: the seam is here, `words` being whatever the planner wrote), and the caption follows
 * the line that is spoken.
 */
export function withScript(words: CreativeText, spec: JobSpec): CreativeText {
  if (spec.recipe !== 'story' || !spec.script) return words;
  const script = spec.script;
  return {
    ...words,
    scenes: words.scenes.map((scene, i) => {
      const line = script[i]?.trim();
      return line ? { ...scene, narration: line, caption: shortLine(line, 200) } : scene;
    }),
  };
}
