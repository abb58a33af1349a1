// @ts-check
/**
 * The static ffmpeg and ffprobe that ship in the Lambda zips: built once per machine from
 * Debian's ffmpeg sources (bookworm: 5.1) with Debian's static libraries, and cached outside the
 * work tree. Why built here and not taken from npm: docs/ffmpeg-binaries.md.
 *
 *   node deploy/static-ffmpeg/index.cjs            # build for this machine (minutes, once)
 *
 * Cache: ${REELAY_FFMPEG_CACHE:-${XDG_CACHE_HOME:-~/.cache}/reelay}/ffmpeg-5.1-<arch>-<hash>/
 * holding bin/ffmpeg, bin/ffprobe, fonts/DejaVuSans.ttf and build.json; <hash> covers the
 * configure flags (components.cjs) and this file's BUILD_FORMAT, so a change rebuilds.
 *
 * Fully static (glibc static): Lambda's Amazon Linux 2023 has glibc 2.34, older than Debian 12's
 * 2.36, so a dynamically linked Debian build would not start there.
 *
 * Plain CommonJS: the serverless plugin (deploy/ffmpeg-binaries.cjs) and jest's global setup
 * load it without a TypeScript step.
 */
const { spawn, spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const {
  copyFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  openSync,
  closeSync,
} = require('node:fs');
const { homedir, availableParallelism } = require('node:os');
const { join } = require('node:path');
const { CONFIGURE_FLAGS } = require('./components.cjs');

/** Debian bookworm's ffmpeg series; the build refuses another. */
const SERIES = '5.1';
/** Bump when the build steps change in a way that changes the binaries. */
const BUILD_FORMAT = 1;
/** The font burned-in captions are drawn with (fonts-dejavu-core), shipped beside the binaries. */
const DEBIAN_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const FONT_NAME = 'DejaVuSans.ttf';

/** Debian packages the build needs, by what they provide. */
const BUILD_PACKAGES = [
  'gcc',
  'make',
  'nasm', // x86 assembly
  'pkg-config',
  'dpkg-dev', // dpkg-source unpacks the Debian source package
  'xz-utils',
  'libx264-dev', // libx264.a
  'libfreetype-dev', // libfreetype.a (drawtext), and what it links: png, brotli, zlib, bzip2
  'libpng-dev',
  'libbrotli-dev',
  'zlib1g-dev',
  'libbz2-dev',
  'fonts-dejavu-core',
];

/** The apt source entry that lets `apt-get source ffmpeg` reach bookworm's sources. */
const DEB_SRC_FILE = '/etc/apt/sources.list.d/reelay-debian-src.sources';
const DEB_SRC_ENTRY = `# deb-src for bookworm: the ffmpeg sources of Reelay's static Lambda build (deploy/static-ffmpeg)
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

/** @typedef {'x86_64' | 'arm64'} LambdaArch */

/** This machine's architecture in Lambda's words, or undefined when Lambda has none like it. */
function hostArch() {
  if (process.arch === 'x64') return /** @type {LambdaArch} */ ('x86_64');
  if (process.arch === 'arm64') return /** @type {LambdaArch} */ ('arm64');
  return undefined;
}

function cacheRoot() {
  if (process.env.REELAY_FFMPEG_CACHE) return process.env.REELAY_FFMPEG_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'reelay');
}

function configureHash() {
  return createHash('sha256')
    .update(JSON.stringify({ BUILD_FORMAT, CONFIGURE_FLAGS }))
    .digest('hex')
    .slice(0, 12);
}

/** @param {LambdaArch} arch */
function buildDir(arch) {
  return join(cacheRoot(), `ffmpeg-${SERIES}-${arch}-${configureHash()}`);
}

/**
 * @typedef {{ dir: string, ffmpeg: string, ffprobe: string, font: string, arch: LambdaArch, sourceVersion: string }} StaticFfmpeg
 */

/**
 * The cached build for `arch`, or undefined when it has not been built on this machine.
 * @param {LambdaArch} arch
 * @returns {StaticFfmpeg | undefined}
 */
function findStaticFfmpeg(arch) {
  const dir = buildDir(arch);
  const manifest = join(dir, 'build.json');
  if (!existsSync(manifest)) return undefined;
  const files = {
    ffmpeg: join(dir, 'bin', 'ffmpeg'),
    ffprobe: join(dir, 'bin', 'ffprobe'),
    font: join(dir, 'fonts', FONT_NAME),
  };
  if (!Object.values(files).every((file) => existsSync(file))) return undefined;
  const { sourceVersion } = JSON.parse(readFileSync(manifest, 'utf8'));
  return { dir, arch, sourceVersion, ...files };
}

/** The command that builds the binaries for `arch`, for messages. */
function buildCommand() {
  return 'node deploy/static-ffmpeg/index.cjs';
}

class StaticFfmpegBuildError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'StaticFfmpegBuildError';
  }
}

const isRoot = () => process.getuid?.() === 0;

/** @param {string} pkg */
const isInstalled = (pkg) =>
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
  spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout?.includes(
    'install ok installed',
  ) === true;

/**
 * Runs a command, its output appended to `logFile`; rejects with the log's tail on failure.
 * @param {string} command @param {string[]} args @param {{ cwd?: string, logFile: string, env?: NodeJS.ProcessEnv }} options
 */
function run(command, args, { cwd, logFile, env }) {
  return new Promise((resolveRun, reject) => {
    const fd = openSync(logFile, 'a');
    writeFileSync(fd, `\n$ ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: ['ignore', fd, fd] });
    child.on('error', (error) => {
      closeSync(fd);
      reject(new StaticFfmpegBuildError(`${command}: ${error.message}`));
    });
    child.on('close', (code) => {
      closeSync(fd);
      if (code === 0) return resolveRun(undefined);
      const tail = readFileSync(logFile, 'utf8').split('\n').slice(-25).join('\n');
      reject(
        new StaticFfmpegBuildError(
          `${command} ${args[0] ?? ''} failed (exit ${code}); log ${logFile}:\n${tail}`,
        ),
      );
    });
  });
}

/**
 * Installs the build dependencies with apt-get when root; otherwise throws the exact command.
 * @param {string} logFile
 */
async function ensureBuildPackages(logFile) {
  const missing = BUILD_PACKAGES.filter((pkg) => !isInstalled(pkg));
  if (missing.length === 0) return;
  const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (!isRoot()) {
    throw new StaticFfmpegBuildError(
      `building the static ffmpeg needs Debian packages that are missing; run: sudo ${command}`,
    );
  }
  await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
    logFile,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/**
 * Debian's ffmpeg source package (.dsc + tarballs) in <cache>/src, fetched with apt-get source.
 * @param {string} logFile
 * @returns {Promise<string>} the .dsc file
 */
async function ensureSource(logFile) {
  const srcDir = join(cacheRoot(), 'src');
  mkdirSync(srcDir, { recursive: true });
  const findDsc = () =>
    readdirSync(srcDir).find((f) => f.startsWith(`ffmpeg_${SERIES}.`) && f.endsWith('.dsc'));
  let dsc = findDsc();
  if (dsc) return join(srcDir, dsc);
  const hasDebSrc = spawnSync('apt-cache', ['showsrc', 'ffmpeg'], { encoding: 'utf8' }).stdout?.includes(
    'Package: ffmpeg',
  );
  if (!hasDebSrc) {
    if (!isRoot()) {
      throw new StaticFfmpegBuildError(
        `apt has no deb-src entry for Debian's ffmpeg sources; as root, write this to ${DEB_SRC_FILE}, then run apt-get update:\n${DEB_SRC_ENTRY}`,
      );
    }
    writeFileSync(DEB_SRC_FILE, DEB_SRC_ENTRY);
    await run('apt-get', ['update'], { logFile });
  }
  await run('apt-get', ['source', '--download-only', 'ffmpeg'], { cwd: srcDir, logFile });
  dsc = findDsc();
  if (!dsc)
    throw new StaticFfmpegBuildError(`apt-get source ffmpeg fetched no ffmpeg ${SERIES} (log ${logFile})`);
  return join(srcDir, dsc);
}

/**
 * One builder at a time per machine (jest's setup and `npm run package` may race): a lock
 * directory holding the owner's pid, taken over when that process is gone.
 * @param {string} lock @param {() => Promise<T>} work @template T
 */
async function withBuildLock(lock, work) {
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      let owner = 0;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {}
      let alive = false;
      try {
        if (owner) process.kill(owner, 0);
        alive = owner > 0;
      } catch {}
      if (!alive) rmSync(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 2000));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * The cached build for this machine's architecture, built first when absent (minutes on 2 cores).
 * Only the host architecture is built: the functions that run ffmpeg are x86_64
 * (docs/ffmpeg-binaries.md); an arm64 build would need Debian's cross toolchain and arm64 libraries.
 * @param {{ arch?: LambdaArch, log?: (line: string) => void }} [options]
 * @returns {Promise<StaticFfmpeg>}
 */
async function ensureStaticFfmpeg({ arch = hostArch(), log = () => undefined } = {}) {
  if (!arch || arch !== hostArch()) {
    throw new StaticFfmpegBuildError(
      `the static ffmpeg is built only for this machine's architecture (${hostArch() ?? process.arch}), not ${arch}; ` +
        'set `architecture: x86_64` on the functions that run ffmpeg, or build on an arm64 machine',
    );
  }
  const found = findStaticFfmpeg(arch);
  if (found) return found;
  const root = cacheRoot();
  mkdirSync(root, { recursive: true });
  return withBuildLock(join(root, `ffmpeg-${arch}.lock`), async () => {
    const again = findStaticFfmpeg(arch);
    if (again) return again;
    const target = buildDir(arch);
    const logFile = `${target}.log`;
    writeFileSync(logFile, '');
    log(`building static ffmpeg ${SERIES} for ${arch} into ${target} (a few minutes, once; log ${logFile})`);
    await ensureBuildPackages(logFile);
    const dsc = await ensureSource(logFile);
    const sourceVersion = dsc.replace(/^.*ffmpeg_/, '').replace(/\.dsc$/, '');
    const work = join(root, `ffmpeg-build-${process.pid}`);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    try {
      const src = join(work, 'src');
      await run('dpkg-source', ['--no-check', '-x', dsc, src], { logFile });
      await run(
        './configure',
        [
          ...CONFIGURE_FLAGS,
          '--extra-cflags=-O2',
          // glibc static: getpwnam & co. warn at link time; ffmpeg calls none of them.
          '--extra-ldflags=-static',
          '--extra-libs=-lpthread -lm',
        ],
        { cwd: src, logFile },
      );
      // configure only warns about a component name it does not know; a typo would ship a build without it.
      const unknown = readFileSync(logFile, 'utf8').match(/^WARNING: Option .* did not match anything$/gm);
      if (unknown)
        throw new StaticFfmpegBuildError(`components.cjs names unknown components:\n${unknown.join('\n')}`);
      await run('make', [`-j${availableParallelism()}`, 'ffmpeg', 'ffprobe'], { cwd: src, logFile });
      const staging = `${target}.staging-${process.pid}`;
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(join(staging, 'bin'), { recursive: true });
      mkdirSync(join(staging, 'fonts'), { recursive: true });
      for (const tool of ['ffmpeg', 'ffprobe']) {
        await run('strip', ['-o', join(staging, 'bin', tool), join(src, tool)], { logFile });
        chmodSync(join(staging, 'bin', tool), 0o755);
      }
      copyFileSync(DEBIAN_FONT, join(staging, 'fonts', FONT_NAME));
      writeFileSync(
        join(staging, 'build.json'),
        JSON.stringify(
          {
            series: SERIES,
            sourceVersion,
            arch,
            configureFlags: CONFIGURE_FLAGS,
            builtAt: new Date().toISOString(),
          },
          null,
          2,
        ),
      );
      rmSync(target, { recursive: true, force: true });
      renameSync(staging, target);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    const built = findStaticFfmpeg(arch);
    if (!built)
      throw new StaticFfmpegBuildError(`the build finished but ${target} is incomplete (log ${logFile})`);
    log(`static ffmpeg ${sourceVersion} for ${arch} is in ${target}`);
    return built;
  });
}

module.exports = {
  SERIES,
  FONT_NAME,
  hostArch,
  cacheRoot,
  buildDir,
  buildCommand,
  findStaticFfmpeg,
  ensureStaticFfmpeg,
  StaticFfmpegBuildError,
};

if (require.main === module) {
  ensureStaticFfmpeg({ log: (line) => console.log(line) }).then(
    (built) => console.log(JSON.stringify(built, null, 2)),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
