// @ts-check
/**
 * Serverless plugin (composer, api): before packaging, puts static ffmpeg and/or ffprobe binaries
 * into the service's bin/, which the service's `package.patterns` zip with its functions, and points
 * FFMPEG_PATH/FFPROBE_PATH at them unless the deploy params already name a path.
 *
 * Which tools and which functions, from the service's serverless.yml:
 *
 *   custom:
 *     ffmpegBinaries:
 *       tools: [ffprobe]         # default [ffmpeg, ffprobe]
 *       functions: [submitJob]   # whose environment gets the paths; default the provider's
 *
 * The binaries come from the packages `ffmpeg-static` (an optional dependency; its install
 * downloads the binary: absent offline) and `ffprobe-static` (binaries for every platform inside
 * the package, 120 MB, so not a dependency: `npm run deploy` installs both), for the functions'
 * architecture (arm64 by default; install with `npm_config_arch=arm64` on an x64 deploy machine).
 * Missing or of another architecture: the bundle goes without it and the plugin says so once;
 * packaging still succeeds offline.
 *
 * Plain CommonJS because the framework `require`s plugins; the copy logic is exported for tests.
 * Set REELAY_STAGE_FFMPEG_BINARIES=0 to skip (the local cloud's packaging does: locally Debian's
 * ffmpeg runs, and 80 MB of binaries in every zip would only slow it down).
 */
const {
  copyFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  closeSync,
  statSync,
} = require('node:fs');
const { dirname, join } = require('node:path');

/** ELF e_machine values of the architectures Lambda runs. */
const ELF_MACHINE = { arm64: 0xb7, x86_64: 0x3e };

/**
 * The ELF machine of a binary, or undefined when it is not an ELF file.
 * @param {string} file
 */
function elfMachine(file) {
  const header = Buffer.alloc(20);
  const fd = openSync(file, 'r');
  try {
    if (readSync(fd, header, 0, 20, 0) < 20) return undefined;
  } finally {
    closeSync(fd);
  }
  if (header.readUInt32BE(0) !== 0x7f454c46) return undefined;
  return header.readUInt16LE(18);
}

/**
 * Where the installed optional packages keep a binary for `arch`, or undefined.
 * @param {'ffmpeg' | 'ffprobe'} tool
 * @param {'arm64' | 'x86_64'} arch
 * @param {(request: string) => string} resolvePackage require.resolve, injectable for tests
 */
function installedBinary(tool, arch, resolvePackage) {
  try {
    if (tool === 'ffmpeg') return join(dirname(resolvePackage('ffmpeg-static/package.json')), 'ffmpeg');
    const nodeArch = arch === 'arm64' ? 'arm64' : 'x64';
    return join(dirname(resolvePackage('ffprobe-static/package.json')), 'bin', 'linux', nodeArch, 'ffprobe');
  } catch {
    return undefined;
  }
}

/** @typedef {'ffmpeg' | 'ffprobe'} Tool */
/** @type {Tool[]} */
const ALL_TOOLS = ['ffmpeg', 'ffprobe'];

/**
 * Copies the tools for `arch` into `binDir` when the packages hold them.
 * @param {{ binDir: string, arch: 'arm64' | 'x86_64', tools?: Tool[], resolvePackage?: (request: string) => string }} options
 * @returns {{ staged: string[], missing: Array<{ tool: string, reason: string }> }}
 */
function stageFfmpegBinaries({ binDir, arch, tools = ALL_TOOLS, resolvePackage = require.resolve }) {
  /** @type {string[]} */
  const staged = [];
  /** @type {Array<{ tool: string, reason: string }>} */
  const missing = [];
  for (const tool of tools) {
    const source = installedBinary(tool, arch, resolvePackage);
    const pkg = `${tool}-static`;
    if (!source || !existsSync(source)) {
      missing.push({ tool, reason: `${pkg} is not installed (npm run deploy installs it)` });
      continue;
    }
    if (elfMachine(source) !== ELF_MACHINE[arch]) {
      missing.push({ tool, reason: `${pkg} holds a binary for another architecture than ${arch}` });
      continue;
    }
    const target = join(binDir, tool);
    const same =
      existsSync(target) &&
      statSync(target).size === statSync(source).size &&
      statSync(target).mtimeMs >= statSync(source).mtimeMs;
    if (!same) {
      mkdirSync(binDir, { recursive: true });
      copyFileSync(source, target);
    }
    chmodSync(target, 0o755);
    staged.push(target);
  }
  return { staged, missing };
}

/** The Lambda path of a staged binary: the zip's root is /var/task. */
const LAMBDA_BIN = '/var/task/bin';

class FfmpegBinariesPlugin {
  /**
   * @param {any} serverless
   * @param {unknown} _options
   * @param {{ log: { notice(message: string): void, warning(message: string): void } }} [utils]
   */
  constructor(serverless, _options, utils) {
    this.serverless = serverless;
    this.log = utils?.log ?? { notice: console.log, warning: console.warn };
    this.hooks = { 'package:initialize': () => this.stage() };
    /** How the optional packages are found (tests point it at a fake node_modules). */
    this.resolvePackage = require.resolve;
  }

  stage() {
    if (process.env.REELAY_STAGE_FFMPEG_BINARIES === '0') return;
    const service = this.serverless.service;
    const config = service.custom?.ffmpegBinaries ?? {};
    /** @type {Tool[]} */
    const tools = config.tools ?? ALL_TOOLS;
    const unknownTool = tools.find(
      (/** @type {string} */ tool) => !ALL_TOOLS.includes(/** @type {Tool} */ (tool)),
    );
    if (unknownTool)
      throw new Error(`custom.ffmpegBinaries.tools: "${unknownTool}" is not ffmpeg or ffprobe`);
    /** @type {string[] | undefined} */
    const functionNames = config.functions;
    const missingFunction = functionNames?.find((name) => !service.functions?.[name]);
    if (missingFunction) throw new Error(`custom.ffmpegBinaries.functions: no function "${missingFunction}"`);

    const arch = service.provider.architecture === 'x86_64' ? 'x86_64' : 'arm64';
    const binDir = join(this.serverless.serviceDir ?? this.serverless.config.servicePath, 'bin');
    const { staged, missing } = stageFfmpegBinaries({
      binDir,
      arch,
      tools,
      resolvePackage: this.resolvePackage,
    });
    const name = service.service ?? 'this service';
    if (missing.length > 0) {
      this.log.warning(
        `${name} bundle without ${missing.map((m) => m.tool).join(' and ')}: ${missing.map((m) => m.reason).join('; ')}. ` +
          'Its functions then need FFMPEG_PATH/FFPROBE_PATH or a layer with ffmpeg on PATH.',
      );
    }
    // The paths go where the binaries are zipped: the named functions, or every function.
    if (!service.provider.environment) service.provider.environment = {};
    const environments = functionNames
      ? functionNames.map((fn) => {
          const definition = service.functions[fn];
          if (!definition.environment) definition.environment = {};
          return definition.environment;
        })
      : [service.provider.environment];
    for (const file of staged) {
      const variable = file.endsWith('ffprobe') ? 'FFPROBE_PATH' : 'FFMPEG_PATH';
      const path = `${LAMBDA_BIN}/${variable === 'FFPROBE_PATH' ? 'ffprobe' : 'ffmpeg'}`;
      for (const environment of environments) if (!environment[variable]) environment[variable] = path;
    }
    if (staged.length > 0) this.log.notice(`${name} bundle includes ${staged.join(', ')}`);
  }
}

module.exports = FfmpegBinariesPlugin;
module.exports.stageFfmpegBinaries = stageFfmpegBinaries;
