// @ts-check
/**
 * Serverless plugin (api, generator, composer): puts the static ffmpeg/ffprobe built by
 * deploy/static-ffmpeg (and the caption font) into the zip of every function that runs them, and
 * points FFMPEG_PATH/FFPROBE_PATH/CAPTION_FONT_FILE at them inside /var/task.
 *
 *   custom:
 *     ffmpegBinaries:
 *       functions: [prepare, compose]   # every function whose code runs ffmpeg or ffprobe
 *       tools: [ffprobe]                # default [ffmpeg, ffprobe]; the font comes with ffmpeg
 *
 * The binaries come from the machine's cache (deploy/static-ffmpeg/index.cjs), for each
 * function's architecture (function `architecture`, else the provider's, else x86_64 as in AWS).
 * When the cache has no build for it, packaging FAILS with the command that builds it: a function
 * that runs ffmpeg must never ship without it (it would fail on its first job in the cloud).
 * `npm run package` builds the cache first, so it never fails this way on a Debian machine.
 *
 * REELAY_STAGE_FFMPEG_BINARIES=0 skips the plugin: the local cloud's packaging sets it, because
 * the embedded cloud reads only the templates and runs the handlers from source with the cached
 * binaries (or Debian's ffmpeg) on the host; copying ~50 MB into zips on every start would only
 * slow it down.
 *
 * Plain CommonJS because the framework `require`s plugins.
 */
const { copyFileSync, chmodSync, existsSync, mkdirSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { buildCommand, findStaticFfmpeg, hostArch, FONT_NAME } = require('./static-ffmpeg/index.cjs');

/** @typedef {'ffmpeg' | 'ffprobe'} Tool */
/** @type {Tool[]} */
const ALL_TOOLS = ['ffmpeg', 'ffprobe'];

/** Where the zip's root lands in Lambda. */
const TASK_ROOT = '/var/task';

/**
 * The caption font for Chinese, Japanese and Korean (DejaVu has no CJK glyphs): Debian's WenQuanYi
 * Micro Hei, copied from the packaging machine (offline; scripts/bootstrap.mjs installs
 * fonts-wqy-microhei) and named by CAPTION_CJK_FONT_FILE (services/composer caption-font.ts).
 */
const DEBIAN_CJK_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

/** Paths inside the zip (and the service folder they are staged in). */
const ZIP_PATHS = {
  ffmpeg: 'bin/ffmpeg',
  ffprobe: 'bin/ffprobe',
  font: `fonts/${FONT_NAME}`,
  cjkFont: 'fonts/wqy-microhei.ttc',
};

/** @param {string} source @param {string} target */
function copyIfChanged(source, target) {
  const same =
    existsSync(target) &&
    statSync(target).size === statSync(source).size &&
    statSync(target).mtimeMs >= statSync(source).mtimeMs;
  if (!same) {
    mkdirSync(join(target, '..'), { recursive: true });
    copyFileSync(source, target);
  }
}

/**
 * Why a function that needs the binaries cannot get them, with the fix; undefined when it can.
 * @param {string} arch @param {string} service @param {string[]} functions
 */
function missingBuildMessage(arch, service, functions) {
  const needs = `${service}: ${functions.join(', ')} run ffmpeg/ffprobe and would ship without them`;
  if (arch !== 'x86_64' && arch !== 'arm64') return `${needs}: unknown architecture "${arch}"`;
  if (arch !== hostArch()) {
    return (
      `${needs}: no static ffmpeg for ${arch} can be built on this ${hostArch() ?? process.arch} machine. ` +
      'Set `architecture: x86_64` on those functions (docs/ffmpeg-binaries.md), or package on an arm64 Debian machine.'
    );
  }
  return `${needs}: the static ffmpeg for ${arch} is not built on this machine. Run: ${buildCommand()} (or npm run package, which runs it first)`;
}

class FfmpegBinariesPlugin {
  /**
   * @param {any} serverless
   * @param {unknown} _options
   * @param {{ log: { notice(message: string): void } }} [utils]
   */
  constructor(serverless, _options, utils) {
    this.serverless = serverless;
    this.log = utils?.log ?? { notice: console.log };
    this.hooks = { 'package:initialize': () => this.stage() };
  }

  stage() {
    if (process.env.REELAY_STAGE_FFMPEG_BINARIES === '0') return;
    const service = this.serverless.service;
    const name = service.service ?? 'this service';
    const config = service.custom?.ffmpegBinaries ?? {};
    /** @type {Tool[]} */
    const tools = config.tools ?? ALL_TOOLS;
    const unknownTool = tools.find((tool) => !ALL_TOOLS.includes(tool));
    if (unknownTool)
      throw new Error(`custom.ffmpegBinaries.tools: "${unknownTool}" is not ffmpeg or ffprobe`);
    /** @type {string[]} */
    const functionNames = config.functions ?? [];
    if (functionNames.length === 0)
      throw new Error('custom.ffmpegBinaries.functions: name the functions that run ffmpeg or ffprobe');
    const missingFunction = functionNames.find((fn) => !service.functions?.[fn]);
    if (missingFunction) throw new Error(`custom.ffmpegBinaries.functions: no function "${missingFunction}"`);

    // Functions grouped by architecture: each group gets the build for its own.
    /** @type {Map<string, string[]>} */
    const byArch = new Map();
    for (const fn of functionNames) {
      const arch = service.functions[fn].architecture ?? service.provider.architecture ?? 'x86_64';
      byArch.set(arch, [...(byArch.get(arch) ?? []), fn]);
    }
    if (byArch.size > 1) {
      // One bin/ folder per service: two architectures would need two, and nothing needs that yet.
      throw new Error(
        `${name}: the functions that run ffmpeg (${functionNames.join(', ')}) must share one architecture`,
      );
    }
    const [[arch, fns]] = [...byArch];
    const built = arch === 'x86_64' || arch === 'arm64' ? findStaticFfmpeg(arch) : undefined;
    if (!built) throw new this.serverless.classes.Error(missingBuildMessage(arch, name, fns));

    const serviceDir = this.serverless.serviceDir ?? this.serverless.config.servicePath;
    /** @type {Array<[string, string]>} source, zip path */
    const files = tools.map((tool) => /** @type {[string, string]} */ ([built[tool], ZIP_PATHS[tool]]));
    if (tools.includes('ffmpeg')) {
      if (!existsSync(DEBIAN_CJK_FONT))
        throw new this.serverless.classes.Error(
          `${name}: ${DEBIAN_CJK_FONT} (the CJK caption font) is missing. Run: apt-get install -y fonts-wqy-microhei`,
        );
      files.push([built.font, ZIP_PATHS.font], [DEBIAN_CJK_FONT, ZIP_PATHS.cjkFont]);
    }
    for (const [source, zipPath] of files) {
      const target = join(serviceDir, zipPath);
      copyIfChanged(source, target);
      if (zipPath.startsWith('bin/')) chmodSync(target, 0o755);
    }

    const environment = {
      ...(tools.includes('ffmpeg') ? { FFMPEG_PATH: `${TASK_ROOT}/${ZIP_PATHS.ffmpeg}` } : {}),
      ...(tools.includes('ffprobe') ? { FFPROBE_PATH: `${TASK_ROOT}/${ZIP_PATHS.ffprobe}` } : {}),
      ...(tools.includes('ffmpeg')
        ? {
            CAPTION_FONT_FILE: `${TASK_ROOT}/${ZIP_PATHS.font}`,
            CAPTION_CJK_FONT_FILE: `${TASK_ROOT}/${ZIP_PATHS.cjkFont}`,
          }
        : {}),
    };
    for (const fn of fns) {
      const definition = service.functions[fn];
      definition.environment = { ...(definition.environment ?? {}), ...environment };
      definition.package = definition.package ?? {};
      const patterns = definition.package.patterns ?? [];
      definition.package.patterns = [...patterns, ...files.map(([, zipPath]) => zipPath)];
    }
    this.log.notice(
      `${name}: ${fns.join(', ')} ship static ffmpeg ${built.sourceVersion} (${arch}): ${files.map(([, p]) => p).join(', ')}`,
    );
  }
}

module.exports = FfmpegBinariesPlugin;
module.exports.missingBuildMessage = missingBuildMessage;
