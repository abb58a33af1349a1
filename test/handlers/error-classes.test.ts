/**
 * Every error class that declares `retryable` is classified as it declares: `retryable: false`
 * fails its job at once from a consumer (libs/lambda failJobOrRethrow), `retryable: true` is thrown
 * again for the queue to retry. The modules are found by scanning the source, so a new error class
 * is covered without being listed here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { failJobOrRethrow, isPermanent } from '@reelay/lambda';

const root = join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'test') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const declaring = ['libs', 'services']
  .flatMap((top) => readdirSync(join(root, top)).map((pkg) => join(root, top, pkg, 'src')))
  .filter((src) => statSync(src, { throwIfNoEntry: false })?.isDirectory())
  .flatMap(sourceFiles)
  .filter((file) => /readonly retryable\b/.test(readFileSync(file, 'utf8')))
  .filter((file) => !file.includes('/functions/')); // handlers read their config at import

type ErrorClass = new (message: string) => Error & { retryable?: unknown };

/** Every exported class of the module whose instances declare a boolean `retryable`. */
function errorClasses(file: string): Array<[string, Error & { retryable: boolean }]> {
  const module = require(file) as Record<string, unknown>;
  return Object.entries(module).flatMap(([name, value]) => {
    if (typeof value !== 'function' || !(value.prototype instanceof Error)) return [];
    try {
      const instance = new (value as ErrorClass)('test');
      return typeof instance.retryable === 'boolean'
        ? [[`${relative(root, file)}: ${name}`, instance as Error & { retryable: boolean }]]
        : [];
    } catch {
      return []; // abstract, or a constructor that needs more than a message: not classified here
    }
  });
}

const classes = declaring.flatMap(errorClasses);

test('the scan finds the error classes that declare retryable', () => {
  expect(classes.length).toBeGreaterThanOrEqual(37);
});

test.each(classes)('%s is handled as it declares', async (_name, error) => {
  const published: unknown[] = [];
  const publisher = { publish: async (_d: unknown, detail: unknown) => void published.push(detail) } as never;
  const failure = {
    jobId: '01JAAAAAAAAAAAAAAAAAAAAAAA',
    meta: { userId: 'u', correlationId: 'c' },
    stage: 'render' as const,
  };

  const outcome = await failJobOrRethrow(error, failure, publisher).then(
    (jobFailed) => ({ jobFailed }),
    (thrown: unknown) => ({ thrown }),
  );

  expect(isPermanent(error)).toBe(!error.retryable);
  if (error.retryable) {
    expect(outcome).toEqual({ thrown: error });
    expect(published).toEqual([]);
  } else {
    expect(outcome).toEqual({ jobFailed: expect.objectContaining({ retryable: false }) });
    expect(published).toHaveLength(1);
  }
});
