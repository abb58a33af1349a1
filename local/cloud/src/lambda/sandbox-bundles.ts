import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';

/**
 * The code the embedded cloud's Lambda sandboxes load: each function's handler bundled as its zip
 * bundles it (the esbuild settings of the services' serverless.yml: one CommonJS file for Node 22,
 * with its source map, the AWS SDK left to the runtime), plus the sandbox's own bootstrap
 * (lambda-worker.ts). A sandbox then loads one JavaScript file instead of compiling and resolving
 * hundreds of TypeScript and package files through tsx; that cost about two CPU-seconds per cold
 * start, some fifty per cloud start. Built in one esbuild run on every start (the shared modules are
 * parsed once), so a sandbox always runs the current sources.
 */
export interface SandboxBundles {
  /** The sandbox bootstrap (lambda-worker.ts), bundled. */
  worker: string;
  /** The bundled handler module, by the source file it came from. */
  handlers: Map<string, string>;
}

const repoRequire = createRequire(join(__dirname, '..', '..', '..', '..', 'package.json'));

/**
 * The AWS SDK stays outside the bundles, as in the zips (the Lambda runtime provides it), required by
 * its absolute path in the project's node_modules: the bundles live in the cloud's data folder, which
 * may be anywhere, and Node would look for node_modules beside them.
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

export async function bundleSandboxes(
  handlerFiles: Iterable<string>,
  outDir: string,
): Promise<SandboxBundles> {
  const sources = [...new Set(handlerFiles)];
  const entryPoints: Record<string, string> = { 'lambda-worker': join(__dirname, 'lambda-worker.ts') };
  sources.forEach((file, i) => {
    entryPoints[`handler-${i}`] = file;
  });
  await build({
    entryPoints,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    sourcemap: true,
    minify: false,
    plugins: [awsSdkFromTheProject],
    logLevel: 'silent',
  });
  return {
    worker: join(outDir, 'lambda-worker.js'),
    handlers: new Map(sources.map((file, i) => [file, join(outDir, `handler-${i}.js`)])),
  };
}
