import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findFontFile } from './font';
import { labelLayout } from './prompt-text';

const TEXT_FILE = 'prompt.txt';

/** The label's band: the top of the frame, well above the bottom third where captions go. */
export const LABEL_TOP = 0.035;

/**
 * Writes the prompt, as a one-line label, to <dir>/prompt.txt and returns the drawtext filter that
 * shows it in the top band of the frame (never where captions go: labelLayout).
 * ffmpeg runs with cwd=dir, so the filter names the file relatively and nothing needs escaping;
 * expansion=none keeps % sequences in a prompt literal.
 */
export async function promptOverlay(
  dir: string,
  prompt: string,
  width: number,
  height: number,
  {
    fadeIn,
    delaySec = 0,
  }: { fadeIn: boolean /** Text appears only after this (a chained scene's dissolve). */; delaySec?: number },
): Promise<string> {
  const { lines, fontSize } = labelLayout(prompt, width, height);
  await writeFile(join(dir, TEXT_FILE), lines.join('\n'), 'utf8');
  if (lines.length === 0) return 'null';
  const font = findFontFile();
  const pad = Math.round(fontSize * 0.45);
  const shadow = Math.max(1, Math.round(fontSize / 22));
  return [
    `drawtext=textfile=${TEXT_FILE}:expansion=none`,
    ...(font ? [`fontfile=${font}`] : []),
    `fontsize=${fontSize}:fontcolor=white:line_spacing=${Math.round(fontSize * 0.28)}`,
    `box=1:boxcolor=black@0.42:boxborderw=${pad}`,
    `shadowcolor=black@0.55:shadowx=${shadow}:shadowy=${shadow}`,
    `x=(w-text_w)/2:y=h*${LABEL_TOP}+${pad}`,
    ...(fadeIn ? [`alpha='min(1,max(0,(t-${delaySec.toFixed(3)})/0.5))'`] : []),
  ].join(':');
}
