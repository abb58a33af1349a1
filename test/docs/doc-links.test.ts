/**
 * No file of the repository cites a markdown document the repository does not hold: every link to
 * a `.md` file (and the heading it points at) and every bare `*.md` name in code, comments and
 * documents resolves to a document in the repository.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../local/packaging/src';
import { brokenCitations, DocumentIndex, headingAnchors } from './doc-citations';

/** Text files a reader or a tool follows citations in; lock files and binaries cite nothing. */
const TEXT_FILE = /\.(md|ts|tsx|js|cjs|mjs|json|ya?ml|html|css|sh|txt)$/;
/** Lock files cite nothing; the checker's own files cite missing documents on purpose, as test inputs. */
const SKIPPED = /(^|\/)package-lock\.json$|^test\/docs\/(doc-links\.test|doc-citations)\.ts$/;

/**
 * Tracked files and new ones not ignored: what the next commit can hold. Untracked files count
 * so that a document being written alongside its first citation is not reported until committed.
 */
const repositoryFiles = (): string[] =>
  execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
    .split('\0')
    .filter(Boolean);

describe('citations of markdown documents', () => {
  test('every tracked file cites only documents the repository holds', () => {
    // Prepare
    const files = repositoryFiles();
    const index = new DocumentIndex(REPO_ROOT, files);
    // Act
    const broken = files
      .filter((file) => TEXT_FILE.test(file) && !SKIPPED.test(file))
      .flatMap((file) => {
        let text: string;
        try {
          text = readFileSync(join(REPO_ROOT, file), 'utf8');
        } catch {
          return []; // listed by git but deleted in the work tree
        }
        return brokenCitations(file, text, index);
      });
    // Assess
    expect(broken.map((b) => `${b.file}:${b.line} cites ${b.cited}: ${b.why}`)).toEqual([]);
  });

  test('a bare name, a relative link and a heading that do not exist are each reported', () => {
    // Prepare
    const index = new DocumentIndex(REPO_ROOT, ['docs/architecture.md', 'services/composer/README.md']);
    const text = [
      '// Finds ffmpeg in DESIGN.md order',
      'See [the flow](../docs/architecture.md#no-such-heading) and [rules](../docs/CONVENTIONS.md).',
      'The composer: [README](composer/README.md), https://example.com/OTHER.md is a URL.',
    ].join('\n');
    // Act
    const broken = brokenCitations('services/README.md', text, index);
    // Assess
    expect(broken.map((b) => `${b.line} ${b.cited}`)).toEqual([
      '2 ../docs/architecture.md#no-such-heading',
      '2 ../docs/CONVENTIONS.md',
      '1 DESIGN.md',
    ]);
  });

  test('heading anchors follow GitHub: lower case, punctuation dropped, repeats numbered', () => {
    expect([
      ...headingAnchors(
        '# Jobs, recipes and scenes\n## `npm start`\n## Flow\n## Flow\n```\n# not a heading\n```',
      ),
    ]).toEqual(['jobs-recipes-and-scenes', 'npm-start', 'flow', 'flow-1']);
  });
});
