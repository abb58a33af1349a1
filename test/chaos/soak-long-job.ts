/**
 * The soak's long job (issue 21): a story of many pages with a Vietnamese narration line per page,
 * submitted with the other jobs and living through every fault and the whole-cloud restart. Each page
 * is one solid colour, so the final video tells frame by frame which page is on screen: the check
 * (soak-checks.ts) reads the order of the pages from it. Lean like the rest of the soak: 480p, 24 fps,
 * hard cuts (a crossfade would blend the colours the order is read from), no music or captions, a
 * short line per page (espeak-ng speaks it in under a second, plus the pause: pages of about 1 s).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { JobRecord } from '@reelay/job-records';
import { findFfmpeg } from '@reelay/media';
import { uploadFiles } from '../../local/cli/upload-files';
import type { EmbeddedCloud } from '../../local/cloud/src/embedded-cloud';
import { colourRuns, frameColours, pagePalette, type Rgb } from '../support/page-colours';
import { registerCallback, type UserUploads } from './job-driver';
import type { PlannedJob } from './job-mix';

/** A user of its own: its job neither shares the soak users' quotas nor their admission slots. */
export const LONG_JOB_USER = 'soak-long-user';
const PAUSE_SEC = 0.25;
const FPS = 24;
const VI_DIGITS = ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín'];

/** The long job as prepared before the faults are armed: its pages uploaded, their colours kept to read the video by. */
export interface SoakLongJob {
  pages: number;
  colours: Rgb[];
  planned: PlannedJob;
  uploads: UserUploads;
}

/** What the final video shows: the pages in the order they are on screen (runs of one colour), with their frames. */
export interface LongJobVideo {
  pagesOnScreen: number[];
  frames: number[];
}

/** Runs of consecutive frames nearest the same page colour, in order. */
export function pageRuns(frames: readonly Rgb[], colours: readonly Rgb[]): LongJobVideo {
  const runs = colourRuns(frames, colours);
  return { pagesOnScreen: runs.map((r) => r.colour), frames: runs.map((r) => r.frames) };
}

/**
 * Makes the pages (tall, so each pans down; one colour each), registers the user's callback and
 * uploads the pages in one batch of presigned POSTs, before the faults are armed (as the soak's
 * other users' media). The job itself is submitted with the others (`submitSoakJob`).
 */
export async function prepareLongJob(
  cloud: EmbeddedCloud,
  options: { pages: number; dir: string; callbackUrl: string; deadlineSec: number; index: number },
): Promise<SoakLongJob> {
  const { ffmpeg } = findFfmpeg();
  const colours = pagePalette(options.pages);
  const files = colours.map((c, i) => {
    const file = join(options.dir, `long-page-${String(i + 1).padStart(3, '0')}.png`);
    const hex = c.map((v) => v.toString(16).padStart(2, '0')).join('');
    execFileSync(ffmpeg, [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `color=c=0x${hex}:s=64x112`,
      '-frames:v',
      '1',
      file,
    ]);
    return file;
  });
  await registerCallback(cloud, LONG_JOB_USER, options.callbackUrl);
  const image = await uploadFiles(cloud.endpoints.api, cloud.token(LONG_JOB_USER), files);
  const planned: PlannedJob = {
    index: options.index,
    userId: LONG_JOB_USER,
    uploads: files.map(() => 'image'),
    spec: {
      recipe: 'story',
      prompt: 'a chapter of a comic (soak long job)',
      script: files.map((_, i) => `Trang ${VI_DIGITS[(i + 1) % 10]}.`),
      language: 'vi',
      narrationPauseSec: PAUSE_SEC,
      resolution: '480p',
      fps: FPS,
      transition: 'cut',
      music: false,
      captions: false,
      deadlineSec: options.deadlineSec,
    },
  };
  return { pages: options.pages, colours, planned, uploads: { image, clip: [] } };
}

/** Reads the long job's final video (its recorded output) frame by frame; undefined when it has none. */
export async function watchLongJob(
  cloud: EmbeddedCloud,
  long: SoakLongJob,
  record: JobRecord | undefined,
  dir: string,
): Promise<LongJobVideo | undefined> {
  if (!record?.output) return undefined;
  const { Body } = await cloud.clients.s3.send(
    new GetObjectCommand({ Bucket: cloud.names.mediaBucket, Key: record.output.key }),
  );
  const file = join(dir, 'long-job-final.mp4');
  writeFileSync(file, await (Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  return pageRuns(frameColours(file), long.colours);
}
