import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CaptionFonts, captionFonts, fontForCaption, needsCjkFont } from './caption-font';

/** One caption on the output timeline. */
export interface CaptionCue {
  startSec: number;
  endSec: number;
  text: string;
}

/** Captions as the job asked: a soft subtitle track (+ WebVTT sidecar) or burned into the picture. */
export interface CaptionsRequest {
  cues: readonly CaptionCue[];
  mode: 'soft' | 'burned';
  /** BCP-47 language of the captions: the soft track is tagged with it. Default English. */
  language?: string;
}

/**
 * ISO 639-2/T codes (what MP4's language field and ffmpeg's `language=` take) for BCP-47 primary
 * languages. A hand-kept table of the languages Reelay narrates, rather than a dependency for one
 * lookup; others are `und` (undetermined), which players show as an unnamed track.
 */
const ISO_639_2: Readonly<Record<string, string>> = {
  en: 'eng',
  vi: 'vie',
  ru: 'rus',
  uk: 'ukr',
  ja: 'jpn',
  zh: 'zho',
  yue: 'yue',
  ko: 'kor',
  fr: 'fra',
  de: 'deu',
  es: 'spa',
  pt: 'por',
  it: 'ita',
  nl: 'nld',
  pl: 'pol',
  tr: 'tur',
  ar: 'ara',
  hi: 'hin',
  id: 'ind',
  th: 'tha',
  cs: 'ces',
  el: 'ell',
  fi: 'fin',
  ro: 'ron',
};

/** The subtitle track's language tag for a BCP-47 language (`vi-VN` -> `vie`). */
export function subtitleLanguageTag(language = 'en'): string {
  return ISO_639_2[(language.split('-')[0] ?? '').toLowerCase()] ?? 'und';
}

/** A path that would need escaping inside a filtergraph: we only put paths we made there. */
export class UnsafeCaptionPathError extends Error {
  readonly retryable = false;
  constructor(path: string) {
    super(`refusing to reference ${JSON.stringify(path)} from a filtergraph`);
    this.name = 'UnsafeCaptionPathError';
  }
}

const MAX_LINE_CHARS = 42;

/**
 * Cues for the visual scenes: each caption shows from its scene's start on the output timeline
 * (scene i starts at Σ(previous durations − overlap)) until the next scene starts, the last one
 * until the end. Scenes without text get no cue.
 */
export function captionCues(
  scenes: ReadonlyArray<{ durationSec: number; caption?: string | undefined }>,
  overlapSec: number,
): CaptionCue[] {
  const cues: CaptionCue[] = [];
  let start = 0;
  scenes.forEach((scene, i) => {
    const isLast = i === scenes.length - 1;
    const end = start + scene.durationSec - (isLast ? 0 : overlapSec);
    const text = cleanCaption(scene.caption ?? '');
    if (text && end > start) cues.push({ startSec: start, endSec: end, text });
    start = end;
  });
  return cues;
}

/** One line of text, control characters dropped, whitespace collapsed. */
export function cleanCaption(text: string): string {
  const printable = Array.from(text, (c) => (c.charCodeAt(0) < 0x20 || c === '\u007f' ? ' ' : c)).join('');
  return printable.replace(/\s+/g, ' ').trim();
}

/**
 * Breaks a caption into lines of at most ~42 characters (the broadcast norm), on spaces. CJK text
 * has no spaces and each character is about two Latin ones wide: it is cut every 21 characters.
 */
export function wrapCaption(text: string, maxChars = MAX_LINE_CHARS): string[] {
  if (needsCjkFont(text)) return wrapByCharacters(text, Math.max(1, Math.floor(maxChars / 2)));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > maxChars) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function wrapByCharacters(text: string, perLine: number): string[] {
  const characters = [...text];
  const lines: string[] = [];
  for (let i = 0; i < characters.length; i += perLine) {
    const line = characters
      .slice(i, i + perLine)
      .join('')
      .trim();
    if (line) lines.push(line);
  }
  return lines;
}

/** The WebVTT sidecar. Cue text escapes &, < and > (WebVTT's only markup), so any text stays text. */
export function webvttText(cues: readonly CaptionCue[]): string {
  const blocks = cues.map((cue, i) => {
    const body = wrapCaption(cue.text)
      .map((line) => line.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;'))
      .join('\n');
    return `${i + 1}\n${vttTime(cue.startSec)} --> ${vttTime(cue.endSec)}\n${body}`;
  });
  return `WEBVTT\n\n${blocks.join('\n\n')}\n`;
}

function vttTime(seconds: number): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/**
 * drawtext filters that burn the cues in. The text never enters the filtergraph: each cue is
 * written to its own file, read through textfile= with expansion=none, so quotes, colons,
 * backslashes and %{...} are drawn as they are. The font is always named (fontfile=): the Lambda
 * runtime has no fonts and the shipped static ffmpeg no fontconfig (caption-font.ts).
 */
export async function burnedCaptionFilters(
  cues: readonly CaptionCue[],
  workDir: string,
  frameHeight: number,
  fonts: CaptionFonts | string = captionFonts(),
): Promise<string[]> {
  // A single font file (a test's, or a caller's own) draws every cue.
  const choice: CaptionFonts = typeof fonts === 'string' ? { latin: fonts, cjk: () => fonts } : fonts;
  const fontSize = Math.max(12, Math.round(frameHeight / 20));
  return Promise.all(
    cues.map(async (cue, i) => {
      // Per cue, by its script: DejaVu has no CJK glyphs (caption-font.ts).
      const fontFile = fontForCaption(cue.text, choice);
      if (!/^[A-Za-z0-9_./-]+$/.test(fontFile)) throw new UnsafeCaptionPathError(fontFile);
      const file = join(workDir, `caption-${i}.txt`);
      if (!/^[A-Za-z0-9_./-]+$/.test(file)) throw new UnsafeCaptionPathError(file);
      await writeFile(file, wrapCaption(cue.text).join('\n'));
      return [
        `drawtext=textfile='${file}'`,
        `fontfile='${fontFile}'`,
        'expansion=none',
        `fontsize=${fontSize}`,
        'fontcolor=white',
        'borderw=2',
        'bordercolor=black@0.8',
        'line_spacing=6',
        'x=(w-text_w)/2',
        `y=h-text_h-${Math.round(frameHeight / 12)}`,
        `enable='between(t,${cue.startSec.toFixed(3)},${cue.endSec.toFixed(3)})'`,
      ].join(':');
    }),
  );
}

/**
 * The same cues as an ASS script, the source of the soft mov_text track. Not the WebVTT file:
 * ffmpeg 5.1's WebVTT decoder escapes braces for ASS and the mov_text encoder keeps the
 * escapes, so `%{x}` would be stored as `%\{x\}`. ASS text is taken as it is except for
 * override blocks (`{\`) and the escapes `\N`, `\n`, `\h`; those sequences get a zero-width
 * space after the brace or backslash so they show as typed instead of acting.
 */
export function assScriptText(cues: readonly CaptionCue[]): string {
  const events = cues.map(
    (cue) =>
      `Dialogue: 0,${assTime(cue.startSec)},${assTime(cue.endSec)},Default,,0,0,0,,${wrapCaption(cue.text)
        .map(assLiteral)
        .join('\\N')}`,
  );
  return [
    '[Script Info]',
    'ScriptType: v4.00+',
    'PlayResX: 384',
    'PlayResY: 288',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    'Style: Default,Sans,16,&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1',
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
    ...events,
    '',
  ].join('\n');
}

const ZERO_WIDTH_SPACE = '\u200b';

function assLiteral(line: string): string {
  return line.replaceAll('{\\', `{${ZERO_WIDTH_SPACE}\\`).replace(/\\([Nnh])/g, `\\${ZERO_WIDTH_SPACE}$1`);
}

function assTime(seconds: number): string {
  const cs = Math.max(0, Math.round(seconds * 100));
  const h = Math.floor(cs / 360_000);
  const m = Math.floor((cs % 360_000) / 6000);
  const s = Math.floor((cs % 6000) / 100);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${h}:${pad(m)}:${pad(s)}.${pad(cs % 100)}`;
}
