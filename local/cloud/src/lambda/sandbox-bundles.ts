import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build, version as esbuildVersion, type Plugin } from 'esbuild';

/**
 * The code the embedded cloud's Lambda sandboxes load: each function's handler bundled as its zip
 * bundles it (the esbuild settings of the services' serverless.yml: one CommonJS file for Node 22,
 * with its source map, the AWS SDK left to the runtime), plus the sandbox's own bootstrap
 * (lambda-worker.ts). A sandbox then loads one JavaScript file instead of compiling and resolving
 * hundreds of TypeScript and package files through tsx; that cost about two CPU-seconds per cold
 * start, some fifty per cloud start.
 *
 * Bundles are kept in `.reelay/bundles/<key>/`, the key being every input file's path, size and
 * modification time (as esbuild's metafile listed them for the last build of the same handlers): a
 * start whose sources did not change reuses them instead of spending three seconds in esbuild, and an
 * edited source makes a new key, so a sandbox always runs the current code. A build goes to a
 * temporary folder renamed into place, so clouds starting side by side (parallel test suites) never
 * see half a bundle.
 */
export interface SandboxBundles {
  /** The sandbox bootstrap (lambda-worker.ts), bundled. */
  worker: string;
  /** The bundled handler module, by the source file it came from. */
  handlers: Map<string, string>;
}

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
const repoRequire = createRequire(join(REPO_ROOT, 'package.json'));
/** Bundles not used for this long are removed by the next build (a cloud running that long is unlikely). */
const KEEP_UNUSED_MS = 7 * 24 * 3600_000;

/**
 * The AWS SDK stays outside the bundles, as in the zips (the Lambda runtime provides it), required by
 * its absolute path in the project's node_modules: Node would look for node_modules beside the bundle.
 */
const awsSdkFromTheProject: Plugin = {
  name: 'aws-sdk-from-the-project',
  setup(b) {
    b.onResolve({ filter: /^@aws-sdk\// }, (args) => ({
      path: repoRequire.resolve(args.path),
      external: true,
    }));
  },
};

/**
 * Bump when the build settings below change: the key of a bundle is its inputs, so bundles built with
 * the old settings would otherwise be reused.
 */
const BUILD_SETTINGS = 2;

const sha = (text: string) =>
  createHash('sha256').update(`${BUILD_SETTINGS}\n${text}`).digest('hex').slice(0, 24);

/** Path, size and modification time of each input, or undefined when one is gone. */
function inputsFingerprint(inputs: readonly string[]): string | undefined {
  const parts: string[] = [];
  for (const input of inputs) {
    try {
      const { size, mtimeMs } = statSync(join(REPO_ROOT, input));
      parts.push(`${input}:${size}:${mtimeMs}`);
    } catch {
      return undefined;
    }
  }
  return sha(parts.join('\n'));
}

export async function bundleSandboxes(
  handlerFiles: Iterable<string>,
  root = join(REPO_ROOT, '.reelay', 'bundles'),
): Promise<SandboxBundles> {
  const sources = [...new Set(handlerFiles)].sort();
  const entryPoints: Record<string, string> = { 'lambda-worker': join(__dirname, 'lambda-worker.ts') };
  sources.forEach((file, i) => {
    entryPoints[`handler-${i}`] = file;
  });
  const located = (dir: string): SandboxBundles => ({
    worker: join(dir, 'lambda-worker.js'),
    handlers: new Map(sources.map((file, i) => [file, join(dir, `handler-${i}.js`)])),
  });
  mkdirSync(root, { recursive: true });
  // Which files the last build of these handlers read, to fingerprint them without building.
  const inputsFile = join(root, `inputs-${sha([esbuildVersion, ...sources].join('\n'))}.json`);
  const knownInputs = existsSync(inputsFile)
    ? (JSON.parse(readFileSync(inputsFile, 'utf8')) as string[])
    : undefined;
  const fingerprint = knownInputs && inputsFingerprint(knownInputs);
  if (fingerprint && existsSync(join(root, fingerprint, 'complete'))) {
    const dir = join(root, fingerprint);
    const now = new Date();
    utimesSync(dir, now, now); // in use: not pruned
    return located(dir);
  }

  const staging = join(root, `.staging-${process.pid}-${Date.now()}`);
  try {
    const result = await build({
      entryPoints,
      outdir: staging,
      absWorkingDir: REPO_ROOT,
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      sourcemap: true,
      // Stack traces need the mappings only; the sources are on disk. Without their text the maps are
      // a third of the size, and every sandbox parses its map when it loads the bundle.
      sourcesContent: false,
      minify: false,
      metafile: true,
      plugins: [awsSdkFromTheProject],
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs).sort();
    const key = inputsFingerprint(inputs) ?? sha(`${Date.now()}:${process.pid}`);
    writeFileSync(join(staging, 'complete'), '');
    const dir = join(root, key);
    try {
      renameSync(staging, dir);
    } catch {
      // Another cloud built the same bundles first: theirs are as good.
      if (!existsSync(join(dir, 'complete')))
        throw new Error(`could not place the sandbox bundles in ${dir}`);
    }
    writeFileSync(inputsFile, JSON.stringify(inputs));
    pruneUnused(root, key);
    return located(dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function pruneUnused(root: string, keep: string): void {
  for (const entry of readdirSync(root)) {
    if (entry === keep || entry.startsWith('inputs-') || entry.startsWith('.staging-')) continue;
    const dir = join(root, entry);
    try {
      if (Date.now() - statSync(dir).mtimeMs > KEEP_UNUSED_MS) rmSync(dir, { recursive: true, force: true });
    } catch {
      // Removed by another cloud meanwhile.
    }
  }
}
