/**
 * Finds citations of markdown documents that the repository does not hold: a markdown link to a
 * `.md` file (`[x](../docs/architecture.md#flow)`, anchor included) or a bare name in any text
 * (`DESIGN.md`, `src/composition/README.md`), in a source file, a comment or a document.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, normalize, posix } from 'node:path';

export interface BrokenCitation {
  file: string;
  line: number;
  cited: string;
  why: string;
}

const MARKDOWN_LINK = /\]\(\s*<?([^)\s>]+\.md)(#[^)\s>]*)?>?(?:\s+"[^"]*")?\s*\)/g;
const BARE_NAME = /(?<![\w./-])((?:[\w.-]+\/)*[\w.-]*[A-Za-z0-9_]\.md)(?![\w])/g;
const URL = /\b[a-z][a-z0-9+.-]*:\/\/[^\s)>'"`]+/gi;

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? undefined : line.match(/^#{1,6}\s+(.+?)\s*#*\s*$/)?.[1];
    if (!heading) continue;
    const base = heading
      .replace(/`/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count ? `${base}-${count}` : base);
  }
  return anchors;
}

export class DocumentIndex {
  private readonly files: Set<string>;
  private readonly basenames: Set<string>;
  private readonly anchors = new Map<string, Set<string>>();

  /** `files`: repository-relative paths (posix) of everything a clone would hold. */
  constructor(
    private readonly root: string,
    files: readonly string[],
  ) {
    this.files = new Set(files);
    this.basenames = new Set(files.map((f) => basename(f)));
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  hasBasename(name: string): boolean {
    return this.basenames.has(name);
  }

  anchorsOf(path: string): Set<string> {
    let found = this.anchors.get(path);
    if (!found) {
      const full = join(this.root, path);
      found = existsSync(full) ? headingAnchors(readFileSync(full, 'utf8')) : new Set();
      this.anchors.set(path, found);
    }
    return found;
  }
}

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** A link target relative to the citing file, as a repository path ('' when it leaves the repository). */
const resolveLink = (file: string, target: string): string => {
  const path = target.startsWith('/') ? target.slice(1) : posix.join(posix.dirname(file), target);
  const normalized = normalize(path).split('\\').join('/');
  return normalized.startsWith('..') ? '' : normalized;
};

/** A bare path names a document if it exists relative to the citing file's folder or any folder above it. */
const resolvesBare = (file: string, cited: string, index: DocumentIndex): boolean => {
  if (!cited.includes('/')) return index.hasBasename(cited);
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (index.has(resolveLink(`${dir}/x`, cited))) return true;
    if (dir === '.' || dir === '/' || dir === '') return false;
  }
};

export function brokenCitations(file: string, text: string, index: DocumentIndex): BrokenCitation[] {
  const broken: BrokenCitation[] = [];
  const linked = new Set<number>();
  for (const match of text.matchAll(MARKDOWN_LINK)) {
    const [, target = '', anchor] = match;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const start = (match.index ?? 0) + match[0].indexOf(target);
    linked.add(start);
    const path = resolveLink(file, target);
    const line = lineOf(text, match.index ?? 0);
    if (!path || !index.has(path)) {
      broken.push({ file, line, cited: target, why: 'no such document in the repository' });
    } else if (
      anchor &&
      anchor.length > 1 &&
      !index.anchorsOf(path).has(decodeURIComponent(anchor.slice(1)))
    ) {
      broken.push({ file, line, cited: `${target}${anchor}`, why: `${path} has no heading ${anchor}` });
    }
  }
  const withoutUrls = text.replace(URL, (url) => ' '.repeat(url.length));
  for (const match of withoutUrls.matchAll(BARE_NAME)) {
    const cited = match[1] ?? '';
    // A markdown link's target was checked above, relative to its file.
    if (linked.has(match.index ?? -1) || resolvesBare(file, cited, index)) continue;
    const line = lineOf(text, match.index ?? 0);
    // `[x.md](x.md)`: the link's own text names the same document; report it once.
    if (broken.some((b) => b.line === line && b.cited === cited)) continue;
    broken.push({ file, line, cited, why: 'no such document in the repository' });
  }
  return broken;
}
