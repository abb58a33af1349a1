#!/usr/bin/env node
/**
 * The README's commands start here, on whatever Node the machine has. It installs what is missing
 * (npm dependencies; ffmpeg, fonts and Java through apt-get when running as root, otherwise it stops
 * with the exact command to run), then runs the real command on Node 22 (the `node` dev dependency,
 * the Lambda runtime's version).
 *
 *   node scripts/bootstrap.mjs run <file.ts> [args...]   run a TypeScript entry point
 *   node scripts/bootstrap.mjs jest [args...]            run the test suite
 *   node scripts/bootstrap.mjs deploy [--stage <stage>]  npm dependencies only (no ffmpeg, Java or
 *                                                        root), then local/deploy/src/deploy.ts
 *   node scripts/bootstrap.mjs                           only install what is missing
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stderr.write(`[reelay] ${line}\n`);

function ensureNpmDependencies() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.reelay-install-stamp');
  const wanted = createHash('sha256')
    .update(readFileSync(join(root, 'package.json')))
    .update(existsSync(lock) ? readFileSync(lock) : '')
    .digest('hex');
  const node22 = join(root, 'node_modules', '.bin', 'node');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted && existsSync(node22)) return;
  say('installing npm dependencies (first run)…');
  // `npm install` honours the lock; `npm ci` refuses this lock because npm 11 leaves other platforms'
  // optional binaries (biome, swc) out of it.
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (install.status !== 0) {
    say('npm install failed; fix the error above and run the command again');
    process.exit(install.status ?? 1);
  }
  writeFileSync(stamp, wanted);
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Debian packages the local cloud needs: ffmpeg (scenes, composition), fonts (drawtext: DejaVu for
 * Latin, Vietnamese and Cyrillic, WenQuanYi Micro Hei for CJK), espeak-ng (the twin's speech in
 * languages flite lacks), Java (DynamoDB Local).
 */
function ensureSystemPackages() {
  const missing = [];
  if (!process.env.FFMPEG_PATH && !(has('ffmpeg') && has('ffprobe'))) missing.push('ffmpeg');
  if (!existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf')) missing.push('fonts-dejavu-core');
  // Captions in Chinese and Japanese (DejaVu has no CJK glyphs); shipped in the composer's zip too.
  if (!existsSync('/usr/share/fonts/truetype/wqy/wqy-microhei.ttc')) missing.push('fonts-wqy-microhei');
  // The model twin speaks languages other than English with espeak-ng (flite speaks English only).
  if (!has('espeak-ng')) missing.push('espeak-ng');
  if (!process.env.JAVA_PATH && !has('java')) missing.push('openjdk-17-jre-headless');
  // The console's browser tests (test/console) drive Debian's chromium through playwright-core.
  if (mode === 'jest' && !existsSync('/usr/bin/chromium')) missing.push('chromium');
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    say(`missing system packages: ${missing.join(', ')}. Install them with:\n\n  sudo sh -c '${command}'\n`);
    process.exit(1);
  }
  say(`installing ${missing.join(', ')} with apt-get…`);
  const result = spawnSync('sh', ['-c', command], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) {
    say(`apt-get failed; run it yourself: ${command}`);
    process.exit(1);
  }
}

/**
 * Tests run the static ffmpeg/ffprobe that ship in the Lambda zips (the embedded cloud's functions
 * use it when cached): build it once per machine before the suite (minutes; Debian's sources and
 * static libraries, build dependencies through apt-get when root, else the exact command).
 * `npm start` does not build it: it uses the cache when present, else Debian's ffmpeg.
 */
async function ensureShippedFfmpeg() {
  const { ensureStaticFfmpeg } = createRequire(import.meta.url)('../deploy/static-ffmpeg/index.cjs');
  try {
    await ensureStaticFfmpeg({ log: say });
  } catch (error) {
    say(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}

function run(args) {
  const node = join(root, 'node_modules', '.bin', 'node');
  const result = spawnSync(node, args, { cwd: process.cwd(), stdio: 'inherit', env: process.env });
  if (result.signal) process.kill(process.pid, result.signal);
  process.exit(result.status ?? 1);
}

const [mode, ...rest] = process.argv.slice(2);
// tsx and the resolution of ESM-only packages (scripts/register-ts.mjs), as a file URL for --import.
const REGISTER_TS = pathToFileURL(join(root, 'scripts', 'register-ts.mjs')).href;
ensureNpmDependencies();
// Deploying needs only Node and AWS credentials: the system packages are for the local cloud and tests.
if (mode !== 'deploy') ensureSystemPackages();
if (mode === 'run') {
  const [file, ...args] = rest;
  run(['--import', REGISTER_TS, '--enable-source-maps', join(root, file), ...args]);
} else if (mode === 'jest') {
  await ensureShippedFfmpeg();
  run([join(root, 'node_modules', 'jest', 'bin', 'jest.js'), ...rest]);
} else if (mode === 'deploy') {
  run([
    '--import',
    REGISTER_TS,
    '--enable-source-maps',
    join(root, 'local', 'deploy', 'src', 'deploy.ts'),
    ...rest,
  ]);
} else if (mode !== undefined) {
  say(`unknown mode ${mode}; use "run <file>", "jest" or "deploy"`);
  process.exit(2);
}
