/** One entry of an ffmpeg concat demuxer list; times in whole microseconds (the demuxer's unit). */
export interface ConcatEntry {
  file: string;
  inpointUs?: number;
  outpointUs?: number;
  durationUs?: number;
}

/**
 * `-copyts` before a concat list of prepared clips. Each clip's AAC track opens with the
 * encoder's priming packet at -1024 samples; reading the MP4 itself, its edit list (skip
 * samples) makes the track start at 0, but the concat demuxer passes the packet on at -21.3 ms
 * and reports that as the input's start, and ffmpeg's default is to move every input so it
 * starts at 0: the video, mapped alone or with the sound, was moved 21 ms late. With the
 * timestamps as read, the picture starts at 0 and the priming packet keeps its skip-samples
 * side data, which the MP4 muxer writes as the usual edit list.
 */
export const CONCAT_TIMESTAMPS_AS_READ = ['-copyts'] as const;

/**
 * The text of a concat demuxer list. Paths are quoted (a quote inside becomes '\'') so no file
 * name can add directives.
 */
export function concatListText(entries: readonly ConcatEntry[]): string {
  const lines = ['ffconcat version 1.0'];
  for (const entry of entries) {
    if (/[\n\r]/.test(entry.file))
      throw new Error(`concat entry with a line break in its path: ${JSON.stringify(entry.file)}`);
    lines.push(`file '${entry.file.replaceAll("'", "'\\''")}'`);
    if (entry.inpointUs !== undefined) lines.push(`inpoint ${seconds(entry.inpointUs)}`);
    if (entry.outpointUs !== undefined) lines.push(`outpoint ${seconds(entry.outpointUs)}`);
    if (entry.durationUs !== undefined) lines.push(`duration ${seconds(entry.durationUs)}`);
  }
  return `${lines.join('\n')}\n`;
}

function seconds(us: number): string {
  const whole = Math.trunc(us);
  return `${Math.floor(whole / 1e6)}.${String(whole % 1e6).padStart(6, '0')}`;
}

/**
 * An inpoint is where the demuxer seeks; it rounds to the nearest tick of the stream, so the
 * nearest microsecond lands on the keyframe.
 */
export function inpointUs(seconds: number): number {
  return Math.round(seconds * 1e6);
}

/**
 * An outpoint drops every packet whose DTS is at or after it, compared exactly: rounding up
 * would keep the first frame of the next segment, so round down (still after the frame before).
 */
export function outpointUs(seconds: number): number {
  return Math.floor(seconds * 1e6);
}
