import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface StageResult {
  staged: string[];
  missing: Array<{ tool: string; reason: string }>;
}
interface PluginLike {
  hooks: Record<string, () => void>;
  resolvePackage: (request: string) => string;
}
type PluginClass = (new (
  serverless: unknown,
  options: unknown,
  utils: { log: { notice(m: string): void; warning(m: string): void } },
) => PluginLike) & {
  stageFfmpegBinaries(options: {
    binDir: string;
    arch: 'arm64' | 'x86_64';
    tools?: Array<'ffmpeg' | 'ffprobe'>;
    resolvePackage?: (request: string) => string;
  }): StageResult;
};
// The framework requires plugins as CommonJS, so the plugin is plain JavaScript.
const Plugin = require('../../deploy/ffmpeg-binaries.cjs') as PluginClass;

/** The first 20 bytes of an ELF executable for a machine (0xb7 aarch64, 0x3e x86-64), then filler. */
function fakeElf(machine: number): Buffer {
  const header = Buffer.alloc(64);
  header.writeUInt32BE(0x7f454c46, 0);
  header.writeUInt16LE(machine, 18);
  return header;
}

describe('static ffmpeg and ffprobe in the Lambda bundles (deploy/ffmpeg-binaries.cjs)', () => {
  let root: string;
  /** The plugin's switch, off here whatever the environment running the tests says. */
  let stageSwitch: string | undefined;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ffmpeg-binaries-'));
    stageSwitch = process.env.REELAY_STAGE_FFMPEG_BINARIES;
    delete process.env.REELAY_STAGE_FFMPEG_BINARIES;
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    if (stageSwitch !== undefined) process.env.REELAY_STAGE_FFMPEG_BINARIES = stageSwitch;
  });

  /** node_modules with ffmpeg-static and ffprobe-static as their installs lay them out. */
  const installPackages = (machine: number) => {
    const modules = join(root, 'node_modules');
    mkdirSync(join(modules, 'ffmpeg-static'), { recursive: true });
    writeFileSync(join(modules, 'ffmpeg-static', 'package.json'), '{}');
    writeFileSync(join(modules, 'ffmpeg-static', 'ffmpeg'), fakeElf(machine));
    mkdirSync(join(modules, 'ffprobe-static', 'bin', 'linux', 'arm64'), { recursive: true });
    writeFileSync(join(modules, 'ffprobe-static', 'package.json'), '{}');
    writeFileSync(join(modules, 'ffprobe-static', 'bin', 'linux', 'arm64', 'ffprobe'), fakeElf(0xb7));
    return (request: string) => join(modules, request);
  };
  const notInstalled = (request: string): string => {
    throw new Error(`Cannot find module '${request}'`);
  };

  it('copies ffmpeg and ffprobe from the installed optional packages into bin/, executable', () => {
    // Prepare
    const resolvePackage = installPackages(0xb7);
    const binDir = join(root, 'bin');
    // Act
    const result = Plugin.stageFfmpegBinaries({ binDir, arch: 'arm64', resolvePackage });
    // Assess
    expect(result).toEqual({ staged: [join(binDir, 'ffmpeg'), join(binDir, 'ffprobe')], missing: [] });
    expect(readFileSync(join(binDir, 'ffmpeg'))).toEqual(fakeElf(0xb7));
    expect(statSync(join(binDir, 'ffprobe')).mode & 0o111).toBe(0o111);
  });

  it('leaves the bundle without binaries and says why when the packages are not installed (offline)', () => {
    // Act
    const result = Plugin.stageFfmpegBinaries({
      binDir: join(root, 'bin'),
      arch: 'arm64',
      resolvePackage: notInstalled,
    });
    // Assess
    expect(result.staged).toEqual([]);
    expect(result.missing.map((m) => m.reason)).toEqual([
      'ffmpeg-static is not installed (npm run deploy installs it)',
      'ffprobe-static is not installed (npm run deploy installs it)',
    ]);
  });

  it('refuses a binary built for another architecture than the functions run on', () => {
    // Prepare: ffmpeg-static installed on an x64 machine, functions on arm64.
    const resolvePackage = installPackages(0x3e);
    // Act
    const result = Plugin.stageFfmpegBinaries({ binDir: join(root, 'bin'), arch: 'arm64', resolvePackage });
    // Assess
    expect(result.staged).toEqual([join(root, 'bin', 'ffprobe')]);
    expect(result.missing).toEqual([
      { tool: 'ffmpeg', reason: 'ffmpeg-static holds a binary for another architecture than arm64' },
    ]);
  });

  it('warns once and changes nothing in the functions when packaging offline', () => {
    // Prepare
    const warnings: string[] = [];
    const environment: Record<string, string> = { FFMPEG_PATH: '', FFPROBE_PATH: '' };
    const serverless = {
      serviceDir: root,
      service: { service: 'reelay-composer', provider: { architecture: 'arm64', environment } },
    };
    const plugin = new Plugin(
      serverless,
      {},
      { log: { notice: () => undefined, warning: (m) => warnings.push(m) } },
    );
    plugin.resolvePackage = notInstalled;
    // Act
    plugin.hooks['package:initialize']?.();
    // Assess
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/reelay-composer bundle without ffmpeg and ffprobe/);
    expect(environment).toEqual({ FFMPEG_PATH: '', FFPROBE_PATH: '' });
  });

  it('points FFMPEG_PATH and FFPROBE_PATH at the staged binaries unless the deploy params name a path', () => {
    // Prepare
    const environment: Record<string, string> = { FFMPEG_PATH: '', FFPROBE_PATH: '/opt/bin/ffprobe' };
    const serverless = { serviceDir: root, service: { provider: { architecture: 'arm64', environment } } };
    const plugin = new Plugin(serverless, {}, { log: { notice: () => undefined, warning: () => undefined } });
    plugin.resolvePackage = installPackages(0xb7);
    // Act
    plugin.hooks['package:initialize']?.();
    // Assess
    expect(environment).toEqual({ FFMPEG_PATH: '/var/task/bin/ffmpeg', FFPROBE_PATH: '/opt/bin/ffprobe' });
    expect(readFileSync(join(root, 'bin', 'ffmpeg'))).toEqual(fakeElf(0xb7));
  });
  it('stages only the tools a service asks for, and sets their paths on the functions it names', () => {
    // Prepare: the api's configuration (ffprobe for submitJob only).
    const provider = { architecture: 'arm64', environment: {} as Record<string, string> };
    const functions: Record<string, { environment?: Record<string, string> }> = {
      submitJob: {},
      getJob: {},
    };
    const serverless = {
      serviceDir: root,
      service: {
        service: 'reelay-api',
        provider,
        functions,
        custom: { ffmpegBinaries: { tools: ['ffprobe'], functions: ['submitJob'] } },
      },
    };
    const plugin = new Plugin(serverless, {}, { log: { notice: () => undefined, warning: () => undefined } });
    plugin.resolvePackage = installPackages(0xb7);
    // Act
    plugin.hooks['package:initialize']?.();
    // Assess
    expect(functions.submitJob?.environment).toEqual({ FFPROBE_PATH: '/var/task/bin/ffprobe' });
    expect(functions.getJob?.environment).toBeUndefined();
    expect(provider.environment).toEqual({});
    expect(() => statSync(join(root, 'bin', 'ffmpeg'))).toThrow();
    expect(statSync(join(root, 'bin', 'ffprobe')).isFile()).toBe(true);
  });

  it('refuses a configuration that names an unknown tool or function', () => {
    const make = (ffmpegBinaries: unknown) =>
      new Plugin(
        {
          serviceDir: root,
          service: { provider: {}, functions: { submitJob: {} }, custom: { ffmpegBinaries } },
        },
        {},
        { log: { notice: () => undefined, warning: () => undefined } },
      );
    expect(() => make({ tools: ['ffplay'] }).hooks['package:initialize']?.()).toThrow(
      /"ffplay" is not ffmpeg or ffprobe/,
    );
    expect(() => make({ functions: ['submitJobs'] }).hooks['package:initialize']?.()).toThrow(
      /no function "submitJobs"/,
    );
  });
});
