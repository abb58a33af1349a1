/**
 * Fits a video's title, description and tags into what YouTube accepts (videos.insert refuses the
 * whole upload otherwise): a title of 1 to 100 characters and a description of at most 5000 bytes,
 * neither with `<` or `>`; tags of at most 500 characters counted as YouTube counts them (quotes around
 * a tag with a space, a comma between tags).
 */
export interface YouTubeMetadata {
  title: string;
  description: string;
  tags: string[];
}

const TITLE_MAX = 100;
const DESCRIPTION_MAX_BYTES = 5000;
const TAGS_MAX = 500;

export function fitYouTubeMetadata(input: YouTubeMetadata): YouTubeMetadata {
  const clean = (text: string) => text.replace(/[<>]/g, '').replace(/\s+/g, ' ').trim();
  const title = truncateChars(clean(input.title), TITLE_MAX) || 'Reelay video';
  const description = truncateBytes(input.description.replace(/[<>]/g, '').trim(), DESCRIPTION_MAX_BYTES);
  const tags: string[] = [];
  for (const raw of input.tags) {
    const tag = truncateChars(clean(raw), 100);
    if (!tag || tags.includes(tag)) continue;
    if (tagsLength([...tags, tag]) > TAGS_MAX) break;
    tags.push(tag);
  }
  return { title, description, tags };
}

export function tagsLength(tags: readonly string[]): number {
  const chars = tags.reduce((sum, tag) => sum + [...tag].length + (tag.includes(' ') ? 2 : 0), 0);
  return chars + Math.max(0, tags.length - 1);
}

function truncateChars(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max).join('').trimEnd();
}

function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) break;
    out += char;
    bytes += size;
  }
  return out;
}
