import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { FfmpegNotFoundError } from './errors';

export interface FfmpegBinaries {
  ffmpeg: string;
  ffprobe: string;
}

/** What findFfmpeg looks at besides the environment; injectable so the search order is testable. */
export interface FfmpegLookup {
  /** The ffmpeg-static binary path, or undefined when the optional package is absent. */
  ffmpegStaticPath(): string | undefined;
  isExecutable(file: string): boolean;
  isRoot(): boolean;
}

export const systemLookup: FfmpegLookup = {
  ffmpegStaticPath() {
    try {
      // ffmpeg-static is optional: its install downloads a binary, which fails offline.
      require.resolve('ffmpeg-static');
      const path: unknown = require('ffmpeg-static');
      return typeof path === 'string' ? path : undefined;
    } catch {
      return undefined;
    }
  },
  isExecutable(file) {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  },
  isRoot() {
    return process.getuid?.() === 0;
  },
};

/**
 * Finds ffmpeg in the order docs/architecture.md ("ffmpeg") gives: FFMPEG_PATH, the ffmpeg-static binary, `ffmpeg` on PATH.
 * ffprobe comes from FFPROBE_PATH, else beside the chosen ffmpeg, else PATH (ffmpeg-static ships
 * no ffprobe). Throws FfmpegNotFoundError carrying the install command when nothing is found.
 */
export function findFfmpeg(
  env: NodeJS.ProcessEnv = process.env,
  lookup: FfmpegLookup = systemLookup,
): FfmpegBinaries {
  const installCommand = ffmpegInstallCommand(lookup);
  const onPath = (name: string) => findOnPath(name, env.PATH ?? '', lookup);

  const ffmpeg = chooseFfmpeg(env, lookup, onPath, installCommand);
  const ffprobe = chooseFfprobe(env, ffmpeg, lookup, onPath);
  if (!ffprobe) {
    throw new FfmpegNotFoundError(
      installCommand,
      `ffprobe was not found (FFPROBE_PATH unset, none beside ${ffmpeg}, none on PATH).`,
    );
  }
  return { ffmpeg, ffprobe };
}

/**
 * Finds ffprobe alone, for what only probes (the api's upload checks, whose bundle carries ffprobe
 * and no ffmpeg): FFPROBE_PATH when set, else as findFfmpeg finds it.
 */
export function findFfprobe(
  env: NodeJS.ProcessEnv = process.env,
  lookup: FfmpegLookup = systemLookup,
): string {
  if (env.FFPROBE_PATH) {
    if (lookup.isExecutable(env.FFPROBE_PATH)) return env.FFPROBE_PATH;
    throw new FfmpegNotFoundError(
      ffmpegInstallCommand(lookup),
      `FFPROBE_PATH=${env.FFPROBE_PATH} is not an executable file.`,
    );
  }
  return findFfmpeg(env, lookup).ffprobe;
}

/** The exact command that installs ffmpeg and ffprobe on this (Debian) machine. */
export function ffmpegInstallCommand(lookup: FfmpegLookup = systemLookup): string {
  return lookup.isRoot() ? 'apt-get install -y ffmpeg' : 'sudo apt-get install -y ffmpeg';
}

function chooseFfmpeg(
  env: NodeJS.ProcessEnv,
  lookup: FfmpegLookup,
  onPath: (name: string) => string | undefined,
  installCommand: string,
): string {
  if (env.FFMPEG_PATH) {
    // An explicit setting that points nowhere is a mistake to report, not to paper over.
    if (!lookup.isExecutable(env.FFMPEG_PATH)) {
      throw new FfmpegNotFoundError(
        installCommand,
        `FFMPEG_PATH=${env.FFMPEG_PATH} is not an executable file.`,
      );
    }
    return env.FFMPEG_PATH;
  }
  const fromPackage = lookup.ffmpegStaticPath();
  if (fromPackage && lookup.isExecutable(fromPackage)) return fromPackage;
  const fromPath = onPath('ffmpeg');
  if (fromPath) return fromPath;
  throw new FfmpegNotFoundError(installCommand);
}

function chooseFfprobe(
  env: NodeJS.ProcessEnv,
  ffmpeg: string,
  lookup: FfmpegLookup,
  onPath: (name: string) => string | undefined,
): string | undefined {
  if (env.FFPROBE_PATH) return lookup.isExecutable(env.FFPROBE_PATH) ? env.FFPROBE_PATH : undefined;
  const beside = join(dirname(ffmpeg), 'ffprobe');
  if (lookup.isExecutable(beside)) return beside;
  return onPath('ffprobe');
}

function findOnPath(name: string, pathVariable: string, lookup: FfmpegLookup): string | undefined {
  for (const dir of pathVariable.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (lookup.isExecutable(candidate)) return candidate;
  }
  return undefined;
}

let cached: FfmpegBinaries | undefined;
let cachedFfprobe: string | undefined;

/** findFfmpeg for this process's environment, looked up once (cold start). */
export function defaultFfmpegBinaries(): FfmpegBinaries {
  cached ??= findFfmpeg();
  return cached;
}

/** findFfprobe for this process's environment, looked up once (cold start). */
export function defaultFfprobe(): string {
  cachedFfprobe ??= cached?.ffprobe ?? findFfprobe();
  return cachedFfprobe;
}
