/**
 * Lays a prompt out as the lines drawtext will show. drawtext does not wrap, and the text reaches
 * ffmpeg only through a file with expansion=none, so this is where the layout is decided.
 */
export interface TextLayout {
  lines: string[];
  fontSize: number;
}

/** DejaVu Sans Bold averages a little under 0.62 em per character. */
const CHAR_WIDTH_EM = 0.62;
const MAX_LINES = 4;

/** Control characters would draw as boxes; newlines are ours to place. */
export function printableText(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

export function wrapWords(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of printableText(text).split(' ')) {
    if (word === '') continue;
    // A word longer than a line is cut, not allowed to run off the frame.
    const pieces = word.match(new RegExp(`.{1,${Math.max(1, maxChars)}}`, 'gu')) ?? [word];
    for (const piece of pieces) {
      if (line === '') line = piece;
      else if (line.length + 1 + piece.length <= maxChars) line = `${line} ${piece}`;
      else {
        lines.push(line);
        line = piece;
      }
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Shrinks the font down to a floor to keep a long prompt whole, then cuts it with an ellipsis. */
export function layoutPromptText(text: string, width: number, height: number): TextLayout {
  const largest = Math.max(12, Math.round(Math.min(width, height) * 0.062));
  const smallest = Math.max(10, Math.round(largest * 0.6));
  const usableWidth = width * 0.84;
  let fontSize = largest;
  let lines: string[] = [];
  for (; fontSize >= smallest; fontSize -= 2) {
    lines = wrapWords(text, Math.floor(usableWidth / (fontSize * CHAR_WIDTH_EM)));
    if (lines.length <= MAX_LINES) return { lines, fontSize };
  }
  fontSize = smallest;
  lines = wrapWords(text, Math.floor(usableWidth / (fontSize * CHAR_WIDTH_EM)));
  const kept = lines.slice(0, MAX_LINES);
  const last = kept[MAX_LINES - 1];
  if (lines.length > MAX_LINES && last !== undefined)
    kept[MAX_LINES - 1] = `${last.replace(/\s*\S{0,3}$/u, '')}…`;
  return { lines: kept, fontSize };
}

/**
 * The prompt as a one-line label for the top band of a local clip: small, cut at a word with an
 * ellipsis. The model twin labels its procedural pictures so a person can tell scenes apart, but
 * never where captions go (the bottom third: burned-in captions and players' subtitle tracks),
 * where the two texts would overlap and neither could be read (issue 22).
 */
export function labelLayout(text: string, width: number, height: number): TextLayout {
  const fontSize = Math.max(10, Math.round(Math.min(width, height) * 0.034));
  const maxChars = Math.max(8, Math.floor((width * 0.9) / (fontSize * CHAR_WIDTH_EM)));
  const flat = printableText(text);
  if (flat.length === 0) return { lines: [], fontSize };
  if ([...flat].length <= maxChars) return { lines: [flat], fontSize };
  const cut = [...flat]
    .slice(0, maxChars - 1)
    .join('')
    .replace(/\s+\S*$/u, '');
  return { lines: [`${cut || [...flat].slice(0, maxChars - 1).join('')}…`], fontSize };
}
