/** What a model's renderer gets from the prediction running it. */
export interface RenderContext {
  ffmpegPath: string;
  /** The prediction's own folder: inputs written here, output written here. */
  dir: string;
  signal: AbortSignal;
  onSpawn(pid: number): void;
  /** One line of model log, as a Replicate model prints to stdout. */
  log(line: string): void;
  /**
   * Fetches a URL input the way the model on Replicate would (the twin resolves its own files API
   * and delivery URLs, and refuses hosts Replicate cannot reach). Absent: a plain fetch.
   */
  fetchInput?(url: string, signal: AbortSignal, field?: string): Promise<FetchedInput>;
}

export interface FetchedInput {
  body: Buffer;
  contentType: string;
}

export interface RenderedFile {
  /** A file name inside RenderContext.dir. */
  fileName: string;
  contentType: string;
}
/** Output returned in the prediction itself, as language models' token lists are. */
export interface InlineOutput {
  inline: string[];
}
/** Several files, output as a list of URLs (flux's `uri[]`), in order. */
export interface RenderedFiles {
  files: RenderedFile[];
}
export type RenderedOutput = RenderedFile | RenderedFiles | InlineOutput;

/** tqdm's format, which the replicate client's parseProgressFromLogs understands. */
export function progressLine(current: number, total: number): string {
  const clamped = Math.max(0, Math.min(current, total));
  const ratio = total > 0 ? clamped / total : 1;
  const filled = Math.round(ratio * 20);
  return `${String(Math.round(ratio * 100)).padStart(3)}%|${'█'.repeat(filled)}${' '.repeat(20 - filled)}| ${clamped}/${total}`;
}
