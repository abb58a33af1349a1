import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(__dirname, '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Ways to reach a host other than through the replicate client. */
const RAW_HTTP = [
  /\bfetch\s*\(/,
  /from ['"](node:)?https?['"]/,
  /require\(['"](node:)?https?['"]\)/,
  /from ['"](undici|axios|got|node-fetch|ky)['"]/,
  /api\.replicate\.com/,
];
/**
 * The one exception: model OUTPUTS are downloaded (not models called) under the SSRF rules, and the
 * replicate client is built in one place.
 */
const ALLOWED: Record<string, RegExp[]> = {
  'rendering/download-output.ts': [/\bfetch\s*\(/],
  'rendering/replicate-client.ts': [/\bfetch\s*\(/],
};

describe('the generator talks to models only through the replicate client', () => {
  it.each(sources(SRC).map((file) => [relative(SRC, file), file]))(
    '%s makes no raw HTTP call',
    (name, file) => {
      const text = readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
        .join('\n');
      const offending = RAW_HTTP.filter(
        (pattern) => pattern.test(text) && !(ALLOWED[name] ?? []).some((a) => a.source === pattern.source),
      );
      expect(offending.map(String)).toEqual([]);
    },
  );

  it('builds the replicate client in one place only', () => {
    const builders = sources(SRC).filter((file) => /new Replicate\(/.test(readFileSync(file, 'utf8')));
    expect(builders.map((file) => relative(SRC, file))).toEqual(['rendering/replicate-client.ts']);
  });
});
