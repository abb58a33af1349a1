import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { type CloudFormationTemplate, isCloudFormationTemplate } from './cloudformation';
import { withDirectoryLock } from './directory-lock';
import {
  DEFAULT_REGION,
  DEFAULT_STAGE,
  packageDir,
  REPO_ROOT,
  SERVICES,
  type ServiceName,
  serviceDir,
} from './services';
import { findStaticFfmpeg } from './static-ffmpeg';

export interface PackageOptions {
  stage?: string;
  region?: string;
  /** Package even when a cached package for the same configuration exists. */
  force?: boolean;
  /**
   * Put the static ffmpeg/ffprobe and caption font (deploy/static-ffmpeg, cached per machine) into
   * the zip of every function that runs them (deploy/ffmpeg-binaries.cjs); packaging fails when the
   * build is missing. Off by default: the local cloud reads only the templates and runs the
   * handlers on the host, so the zips' ~50 MB of binaries would only slow every start.
   */
  ffmpegBinaries?: boolean;
}

export interface PackagedService {
  template: CloudFormationTemplate;
  /** The directory holding the template and the zips. */
  dir: string;
}

export class ServicePackagingError extends Error {
  readonly retryable = false;
  constructor(
    readonly service: ServiceName,
    reason: string,
  ) {
    super(`serverless package failed for ${service}: ${reason}`);
    this.name = 'ServicePackagingError';
  }
}

const TEMPLATE_FILE = 'cloudformation-template-update-stack.json';
const CACHE_KEY_FILE = 'reelay-package-key.json';
/** Bump when the way a package is produced changes, so old caches are not reused. */
const PACKAGING_FORMAT = 1;
const PACKAGING_TIMEOUT_MS = 5 * 60_000;

/** The tools whose version changes the packaged template. */
const TOOLS = ['osls', 'serverless-esbuild', 'serverless-step-functions'] as const;

const toolVersion = async (tool: string): Promise<string> => {
  try {
    const manifest = JSON.parse(
      await readFile(join(REPO_ROOT, 'node_modules', tool, 'package.json'), 'utf8'),
    );
    return String(manifest.version);
  } catch {
    return 'absent';
  }
};

/**
 * What a package depends on. Only the configuration, not the handler sources: the local
 * cloud and the tests read the template, which the sources do not change. `force`
 * (and `npm run package`) repackage when fresh zips are wanted.
 */
const cacheKey = async (
  service: ServiceName,
  stage: string,
  region: string,
  ffmpegBinaries: boolean,
): Promise<string> => {
  const config = await readFile(join(serviceDir(service), 'serverless.yml'), 'utf8');
  const versions = await Promise.all(TOOLS.map(async (tool) => `${tool}@${await toolVersion(tool)}`));
  const included = await includedFiles(service, config);
  // The ledger's monitoring.js reads every service's serverless.yml at package time (an alarm per
  // function and queue): a function or queue added elsewhere must repackage the ledger too.
  const others =
    service === 'ledger'
      ? await Promise.all(
          SERVICES.map(async (other) =>
            createHash('sha256')
              .update(await readFile(join(serviceDir(other), 'serverless.yml'), 'utf8'))
              .digest('hex'),
          ),
        )
      : [];
  return createHash('sha256')
    .update(
      JSON.stringify({
        PACKAGING_FORMAT,
        service,
        stage,
        region,
        publishBucket: localPublishBucket(stage),
        versions,
        config,
        included,
        others,
        ffmpegBinaries,
        // Which build the zips carry: a rebuilt cache repackages.
        staticFfmpeg: ffmpegBinaries ? (findStaticFfmpeg()?.dir ?? 'absent') : undefined,
      }),
    )
    .digest('hex');
};

/** The files the configuration pulls in with `${file(...)}` (e.g. the ledger's monitoring.js), by content. */
const includedFiles = async (service: ServiceName, config: string): Promise<Record<string, string>> => {
  const paths = new Set([...config.matchAll(/\$\{file\(([^):]+)\)/g)].map((m) => (m[1] ?? '').trim()));
  const entries = await Promise.all(
    [...paths].map(async (path) => {
      const content = await readFile(join(serviceDir(service), path), 'utf8').catch(() => 'absent');
      return [path, createHash('sha256').update(content).digest('hex')] as const;
    }),
  );
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
};

const readTemplate = async (service: ServiceName, dir: string): Promise<CloudFormationTemplate> => {
  const parsed: unknown = JSON.parse(await readFile(join(dir, TEMPLATE_FILE), 'utf8'));
  if (!isCloudFormationTemplate(parsed))
    throw new ServicePackagingError(service, `${TEMPLATE_FILE} has no Resources`);
  return parsed;
};

const readCachedKey = async (dir: string): Promise<string | undefined> => {
  try {
    return (JSON.parse(await readFile(join(dir, CACHE_KEY_FILE), 'utf8')) as { key?: string }).key;
  } catch {
    return undefined;
  }
};

/**
 * Credentials that are obviously fake, and no profile or instance metadata, so that nothing
 * in the framework can reach a real account: packaging must work offline.
 */
const offlineEnvironment = (region: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_')) delete env[name];
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'AKIAPACKAGEOFFLINE00',
    AWS_SECRET_ACCESS_KEY: 'package-offline-no-real-credentials',
    AWS_REGION: region,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_LOAD_CONFIG: '0',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    FORCE_COLOR: '0',
  };
};

/** The S3 destination bucket a locally packaged api may publish to (the embedded cloud's account is 000000000000). */
export const localPublishBucket = (stage: string): string => `reelay-exports-${stage}-000000000000`;

const runServerlessPackage = (
  service: ServiceName,
  stage: string,
  region: string,
  outDir: string,
  ffmpegBinaries: boolean,
  tmpDir: string,
) =>
  new Promise<void>((resolvePackaged, reject) => {
    const cli = join(REPO_ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');
    const child = spawn(
      process.execPath,
      [cli, 'package', '--stage', stage, '--region', region, '--package', outDir],
      {
        cwd: serviceDir(service),
        // TMPDIR: serverless-esbuild zips from a folder it makes in the temp dir and leaves there
        // (every bundled handler, each time); given one of ours, it is removed with the staging.
        env: {
          ...offlineEnvironment(region),
          REELAY_STAGE_FFMPEG_BINARIES: ffmpegBinaries ? '1' : '0',
          // The api's S3 publishing destination in the local account, whatever the caller's environment
          // says (the package cache is keyed by stage, not by environment); the embedded cloud creates it.
          REELAY_PUBLISH_BUCKETS: localPublishBucket(stage),
          TMPDIR: tmpDir,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), PACKAGING_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new ServicePackagingError(service, error.message));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePackaged();
      else reject(new ServicePackagingError(service, `exit ${code ?? signal}\n${output.trim()}`));
    });
  });

/**
 * Runs `serverless package` for one service into .reelay/package/<stage>/<service>/, unless
 * a package of the same serverless.yml (and tool versions, stage, region) is already there.
 * Safe under concurrent callers: one lock per service, since the esbuild plugin works in
 * the service's own .esbuild/ folder whatever the stage.
 */
export const packageService = async (
  service: ServiceName,
  {
    stage = DEFAULT_STAGE,
    region = DEFAULT_REGION,
    force = false,
    ffmpegBinaries = false,
  }: PackageOptions = {},
): Promise<PackagedService> => {
  const dir = packageDir(service, stage);
  const lock = join(REPO_ROOT, '.reelay', 'locks', `package-${service}`);
  return withDirectoryLock(lock, async () => {
    const key = await cacheKey(service, stage, region, ffmpegBinaries);
    if (!force && (await readCachedKey(dir)) === key) {
      try {
        return { template: await readTemplate(service, dir), dir };
      } catch {
        // A damaged cache is repackaged below.
      }
    }
    // Package next to the target and swap it in, so a failed run leaves no half package.
    const staging = `${dir}.staging-${process.pid}`;
    const workTmp = `${dir}.tmp-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    await mkdir(workTmp, { recursive: true });
    try {
      await runServerlessPackage(service, stage, region, staging, ffmpegBinaries, workTmp);
      const template = await readTemplate(service, staging);
      await writeFile(join(staging, CACHE_KEY_FILE), JSON.stringify({ key, stage, region }, null, 2));
      await rm(dir, { recursive: true, force: true });
      await rename(staging, dir);
      return { template, dir };
    } finally {
      await rm(staging, { recursive: true, force: true });
      await rm(workTmp, { recursive: true, force: true });
    }
  });
};

/** Packages every service, as many at once as the machine has cores (at most four). */
export const packageAllServices = async (
  options: PackageOptions = {},
): Promise<Record<ServiceName, PackagedService>> => {
  const width = Math.max(1, Math.min(availableParallelism(), SERVICES.length));
  const queue = [...SERVICES];
  const packaged = new Map<ServiceName, PackagedService>();
  const worker = async () => {
    for (let service = queue.shift(); service; service = queue.shift()) {
      packaged.set(service, await packageService(service, options));
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return Object.fromEntries(SERVICES.map((service) => [service, packaged.get(service)])) as Record<
    ServiceName,
    PackagedService
  >;
};
