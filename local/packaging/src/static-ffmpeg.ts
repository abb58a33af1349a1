/**
 * Typed access to deploy/static-ffmpeg (plain CommonJS, because the serverless plugin loads it):
 * the static ffmpeg/ffprobe and caption font that ship in the Lambda zips, cached per machine.
 */
import { join } from 'node:path';
import { REPO_ROOT } from './services';

export type LambdaArch = 'x86_64' | 'arm64';

export interface StaticFfmpeg {
  dir: string;
  ffmpeg: string;
  ffprobe: string;
  /** The caption font shipped beside them (DejaVu Sans). */
  font: string;
  arch: LambdaArch;
  /** The Debian source version built, e.g. 5.1.9-0+deb12u1. */
  sourceVersion: string;
}

interface StaticFfmpegModule {
  hostArch(): LambdaArch | undefined;
  buildDir(arch: LambdaArch): string;
  buildCommand(): string;
  findStaticFfmpeg(arch: LambdaArch): StaticFfmpeg | undefined;
  ensureStaticFfmpeg(options?: { arch?: LambdaArch; log?: (line: string) => void }): Promise<StaticFfmpeg>;
}

const staticFfmpeg = require(join(REPO_ROOT, 'deploy', 'static-ffmpeg', 'index.cjs')) as StaticFfmpegModule;

/** This machine's architecture in Lambda's words (x86_64, arm64), or undefined. */
export const hostLambdaArch = (): LambdaArch | undefined => staticFfmpeg.hostArch();

/** The cached build for `arch` (default: this machine's), or undefined when it is not built here. */
export const findStaticFfmpeg = (
  arch: LambdaArch | undefined = hostLambdaArch(),
): StaticFfmpeg | undefined => (arch ? staticFfmpeg.findStaticFfmpeg(arch) : undefined);

/** The cached build for this machine's architecture, built first when absent (minutes, once per machine). */
export const ensureStaticFfmpeg = (log: (line: string) => void = () => undefined): Promise<StaticFfmpeg> =>
  staticFfmpeg.ensureStaticFfmpeg({ log });

/** The command that builds it, for messages. */
export const staticFfmpegBuildCommand = (): string => staticFfmpeg.buildCommand();
