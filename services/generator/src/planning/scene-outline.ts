import type { JobRequested, OutputFormat } from '@reelay/events';
import { MAX_PAGE_NARRATION_SEC } from './story-script';

/** What the planner knows of one upload before planning: its kind and, for clips, its length. */
export interface UploadFacts {
  key: string;
  kind: 'image' | 'upload';
  /** Seconds; absent for stills. */
  durationSec?: number;
  /** A still's size, read from its header. */
  width?: number;
  height?: number;
}

export interface VisualSlot {
  kind: 'video' | 'image' | 'upload';
  durationSec: number;
  uploadKey?: string;
  /** The visual scene whose last frame starts this one. */
  chainedFrom?: number;
  /**
   * How long its narration may run, when not `durationSec`: a story's page lasts as its
   * narration does (OutputFormat.pageTiming), so the narration is not cut to a planned length.
   */
  narrationSec?: number;
}

/**
 * The structure of a plan, decided by the recipe alone: which visual scenes there are and how
 * long, and whether narration (one line per visual scene, spoken at its start) and a music bed
 * come with them. Models only ever write the words; counts and durations are never theirs.
 */
export interface SceneOutline {
  visuals: VisualSlot[];
  narration: boolean;
  music?: { durationSec: number };
}

/** The longest music bed a plan asks for; the composer loops a shorter one under a longer video. */
export const MAX_MUSIC_SEC = 300;
/** An upload longer than this is trimmed to it by the composer (and refused above the media caps). */
const MAX_UPLOAD_SCENE_SEC = 600;

/** Length of the joined visual timeline: transitions overlap neighbouring scenes. */
export function timelineSec(visuals: readonly VisualSlot[], output: OutputFormat): number {
  const sum = visuals.reduce((total, v) => total + v.durationSec, 0);
  return Math.max(1, sum - Math.max(0, visuals.length - 1) * output.transitionSec);
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

function uploadSlot(upload: UploadFacts, secondsPerScene: number): VisualSlot {
  const durationSec =
    upload.kind === 'image' || upload.durationSec === undefined
      ? secondsPerScene
      : Math.min(MAX_UPLOAD_SCENE_SEC, round3(upload.durationSec));
  return { kind: upload.kind, durationSec, uploadKey: upload.key };
}

export function outlineFor(
  job: JobRequested,
  uploads: readonly UploadFacts[],
  output: OutputFormat,
): SceneOutline {
  const { spec } = job;
  const seconds = spec.secondsPerScene;
  const withMusic = (visuals: VisualSlot[]) =>
    spec.music ? { durationSec: Math.min(MAX_MUSIC_SEC, round3(timelineSec(visuals, output))) } : undefined;
  switch (spec.recipe) {
    case 'prompt': {
      const visuals = Array.from({ length: spec.scenes }, () => ({
        kind: 'video' as const,
        durationSec: seconds,
      }));
      return { visuals, narration: spec.narration, ...optional('music', withMusic(visuals)) };
    }
    case 'ad': {
      const visuals = Array.from({ length: spec.scenes }, (_, i) => ({
        kind: 'video' as const,
        durationSec: seconds,
        ...(i > 0 ? { chainedFrom: i - 1 } : {}),
      }));
      return { visuals, narration: spec.narration, ...optional('music', withMusic(visuals)) };
    }
    case 'story': {
      // A page (a still) is on screen as long as its narration: the narration may run its length.
      const paced = (slot: VisualSlot): VisualSlot =>
        output.pageTiming && slot.kind === 'image' ? { ...slot, narrationSec: MAX_PAGE_NARRATION_SEC } : slot;
      const visuals = uploads.map((u) => paced(uploadSlot(u, seconds)));
      return { visuals, narration: spec.narration, ...optional('music', withMusic(visuals)) };
    }
    case 'merge': {
      // Stitching clips the user has: narration only when there is something to say, no music bed.
      const visuals = uploads.map((u) => uploadSlot(u, seconds));
      return { visuals, narration: spec.narration && spec.prompt !== undefined };
    }
    case 'soundtrack': {
      // Scoring one video: the bed is the music, whatever spec.music says, and nothing is spoken.
      const visuals = uploads.slice(0, 1).map((u) => uploadSlot(u, seconds));
      return {
        visuals,
        narration: false,
        music: { durationSec: Math.min(MAX_MUSIC_SEC, round3(timelineSec(visuals, output))) },
      };
    }
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
