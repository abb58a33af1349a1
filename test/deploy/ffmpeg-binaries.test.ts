/**
 * The ffmpeg and ffprobe that ship: packages the services that run them (as `npm run package`
 * does), opens the produced zips, extracts the binaries and runs them, natively or under Debian's
 * qemu-user-static for another architecture. No stand-in binaries: what runs here is what Lambda runs.
 *
 * The first run on a machine builds the static ffmpeg (deploy/static-ffmpeg: minutes, cached);
 * `npm test` builds it before the suite, so this file then finds it in the cache.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { type FfmpegBinaries, findFfmpeg, probeMedia, runFfmpeg } from '@reelay/media';
import {
  ensureStaticFfmpeg,
  hostLambdaArch,
  type LambdaArch,
  packageService,
  REPO_ROOT,
  type ServiceName,
  ServicePackagingError,
} from '../../local/packaging/src';
import { burnedCaptionFilters } from '../../services/composer/src/composition/captions';

const run = promisify(execFile);
const STAGE = 'ffbin';
const TASK_ROOT = '/var/task';

/** The functions whose code runs ffmpeg or ffprobe, found by reading it (see each service's serverless.yml). */
const EXPECTED = {
  api: { submitJob: ['ffprobe'], seriesApi: ['ffprobe'], seriesRun: ['ffprobe'] },
  generator: {
    plan: ['ffmpeg', 'ffprobe'],
    render: ['ffmpeg', 'ffprobe'],
    chain: ['ffmpeg', 'ffprobe'],
    storeScene: ['ffmpeg', 'ffprobe'],
  },
  composer: {
    prepare: ['ffmpeg', 'ffprobe'],
    compose: ['ffmpeg', 'ffprobe'],
    composeChunk: ['ffmpeg', 'ffprobe'],
  },
} satisfies Partial<Record<ServiceName, Record<string, string[]>>>;
type ShippingService = keyof typeof EXPECTED;
const SHIPPING_SERVICES = Object.keys(EXPECTED) as ShippingService[];

/** Everything the functions' code asks of ffmpeg (libs/media, services/composer, services/generator). */
// biome-ignore format: grouped by the code path that needs them
const USED = {
  filters: [
    // the blend path and transitions
    'overlay', 'fade', 'xfade', 'concat', 'format', 'trim', 'settb', 'setpts', 'null',
    // normalize, stills, captions
    'scale', 'pad', 'fps', 'setsar', 'tpad', 'zoompan', 'color', 'drawtext',
    // the soundtrack: ducking, loudness, mixing
    'sidechaincompress', 'loudnorm', 'ebur128', 'amix', 'adelay', 'afade', 'acrossfade', 'apad',
    'atrim', 'asplit', 'aresample', 'aformat', 'anull', 'anullsrc', 'volume',
  ],
  encoders: ['libx264', 'aac', 'mjpeg', 'mov_text', 'pcm_f32le', 'wrapped_avframe'],
  decoders: [
    'h264', 'hevc', 'vp8', 'vp9', 'mjpeg', 'png', 'webp',
    'aac', 'mp3float', 'flac', 'vorbis', 'opus', 'pcm_s16le', 'ass',
  ],
  // the upload allowlist (libs/media/src/media-caps.ts) and the code's own inputs
  demuxers: [
    'mov,mp4,m4a,3gp,3g2,mj2', 'matroska,webm', 'image2', 'png_pipe', 'jpeg_pipe', 'webp_pipe',
    'wav', 'mp3', 'ogg', 'flac', 'aac', 'concat', 'ass',
  ],
  muxers: ['mp4', 'wav', 'null', 'image2'],
  protocols: ['file', 'pipe'],
} as const;

/**
 * Where the functions' ffmpeg code lives: scanned for filter names, so a filter the code starts
 * using fails this test until deploy/static-ffmpeg/components.cjs enables it.
 */
const FUNCTION_SOURCES = [
  'libs/media/src',
  'services/composer/src',
  'services/generator/src',
  'services/api/src',
];
/** Words the scan finds that are names of ffmpeg filters but not filters the code runs. */
const NOT_FILTERS: Record<string, string> = {
  ass: "'-f', 'ass': the ASS subtitle demuxer (soft captions), not the libass filter",
  eq: 'a condition of the S3 POST policy (api create-upload)',
  normalize: "a variable of the soundtrack pass (and amix's option)",
  rotate: 'the legacy rotate tag, named in a comment of probe-media',
  segment: 'a variable of compose-timeline',
};

/** Every .ts file under the function sources but tests. */
const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });

/** ELF e_machine of the architectures Lambda runs. */
const ELF_MACHINE: Record<LambdaArch, number> = { x86_64: 0x3e, arm64: 0xb7 };
const QEMU: Record<LambdaArch, string> = { x86_64: 'qemu-x86_64-static', arm64: 'qemu-aarch64-static' };

interface ElfFacts {
  machine: number;
  /** A PT_INTERP segment: the binary needs the system's dynamic loader (and its glibc). */
  dynamic: boolean;
}

/** Reads an ELF64 header and its program headers. */
function elfFacts(file: string): ElfFacts {
  const elf = readFileSync(file);
  expect(elf.readUInt32BE(0)).toBe(0x7f454c46);
  expect(elf[4]).toBe(2); // ELFCLASS64
  const machine = elf.readUInt16LE(18);
  const phoff = Number(elf.readBigUInt64LE(32));
  const phentsize = elf.readUInt16LE(54);
  const phnum = elf.readUInt16LE(56);
  let dynamic = false;
  for (let i = 0; i < phnum; i++) if (elf.readUInt32LE(phoff + i * phentsize) === 3) dynamic = true;
  return { machine, dynamic };
}

interface ShippedFunction {
  service: ShippingService;
  name: string;
  arch: LambdaArch;
  zip: string;
  entries: string[];
  env: Record<string, string>;
  /** The handler bundle's code. */
  bundle: string;
}

const unzipList = (zip: string): string[] =>
  execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8', maxBuffer: 64 << 20 })
    .split('\n')
    .filter(Boolean);

describe('static ffmpeg and ffprobe in the deployable zips (deploy/ffmpeg-binaries.cjs, deploy/static-ffmpeg)', () => {
  let work: string;
  const shipped: ShippedFunction[] = [];
  /** The binaries and font as extracted from one function's zip. */
  const extracted = (fn: ShippedFunction) => {
    const dir = join(work, `${fn.service}-${fn.name}`);
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true });
      const shippedFiles = fn.entries.filter((e) => e.startsWith('bin/') || e.startsWith('fonts/'));
      execFileSync('unzip', ['-q', fn.zip, ...shippedFiles, '-d', dir]);
    }
    return {
      ffmpeg: join(dir, 'bin', 'ffmpeg'),
      ffprobe: join(dir, 'bin', 'ffprobe'),
      font: join(dir, 'fonts', 'DejaVuSans.ttf'),
    };
  };
  const shippedFunction = (service: ShippingService, name: string): ShippedFunction => {
    const fn = shipped.find((f) => f.service === service && f.name === name);
    if (!fn) throw new Error(`no packaged function ${service}.${name}`);
    return fn;
  };
  /** Runs a shipped binary: natively when it is for this machine, else under qemu-user-static. */
  const runShipped = async (binary: string, args: string[]) => {
    const arch = (Object.keys(ELF_MACHINE) as LambdaArch[]).find(
      (a) => ELF_MACHINE[a] === elfFacts(binary).machine,
    );
    if (!arch) throw new Error(`${binary} is for no Lambda architecture`);
    const [command, commandArgs] =
      arch === hostLambdaArch() ? [binary, args] : [`/usr/bin/${QEMU[arch]}`, [binary, ...args]];
    if (command !== binary && !existsSync(command)) {
      throw new Error(
        `running ${arch} binaries here needs qemu-user-static: apt-get install -y qemu-user-static`,
      );
    }
    return run(command, commandArgs, { maxBuffer: 16 << 20 });
  };
  /** Names in the second column of `ffmpeg -filters/-encoders/...` after the legend. */
  const listed = async (ffmpeg: string, what: string) => {
    const { stdout } = await runShipped(ffmpeg, ['-hide_banner', `-${what}`]);
    const body = stdout.split(/\n\s*-+\n/).pop() ?? '';
    return new Set(
      body
        .split('\n')
        .map((line) => line.trim().split(/\s+/)[1])
        .filter((name): name is string => Boolean(name)),
    );
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ffmpeg-binaries-'));
    await ensureStaticFfmpeg();
    // One at a time: packaging is CPU-heavy and other suites run beside this one.
    for (const service of SHIPPING_SERVICES) {
      const { template, dir } = await packageService(service, {
        stage: STAGE,
        ffmpegBinaries: true,
        force: true,
      });
      for (const resource of Object.values(template.Resources)) {
        if (resource.Type !== 'AWS::Lambda::Function') continue;
        const props = resource.Properties as {
          FunctionName: string;
          Architectures?: LambdaArch[];
          Code: { S3Key: string };
          Environment?: { Variables?: Record<string, string> };
        };
        const zip = join(dir, basename(props.Code.S3Key));
        const entries = unzipList(zip);
        const handler = entries.find((e) => e.endsWith('handler.js'));
        if (!handler) throw new Error(`${zip} has no handler bundle`);
        shipped.push({
          service,
          name: props.FunctionName.replace(`reelay-${service}-${STAGE}-`, ''),
          arch: props.Architectures?.[0] ?? 'x86_64',
          zip,
          entries,
          env: props.Environment?.Variables ?? {},
          bundle: execFileSync('unzip', ['-p', zip, handler], { encoding: 'utf8', maxBuffer: 64 << 20 }),
        });
      }
    }
  }, 30 * 60_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('ships ffmpeg/ffprobe in exactly the zips whose code can run them, with their paths in /var/task', () => {
    // Assess: a bundle that carries libs/media's lookup can run the tools; its zip must hold them.
    const canRunTools = shipped.filter((fn) => fn.bundle.includes('FFPROBE_PATH'));
    expect(canRunTools.map((fn) => `${fn.service}.${fn.name}`).sort()).toEqual(
      SHIPPING_SERVICES.flatMap((s) => Object.keys(EXPECTED[s]).map((name) => `${s}.${name}`)).sort(),
    );
    for (const fn of shipped) {
      const tools: string[] = (EXPECTED[fn.service] as Record<string, string[]>)[fn.name] ?? [];
      const binaries = fn.entries.filter((e) => e.startsWith('bin/') || e.startsWith('fonts/')).sort();
      const expected = [
        ...tools.map((tool) => `bin/${tool}`),
        ...(tools.includes('ffmpeg') ? ['fonts/DejaVuSans.ttf', 'fonts/wqy-microhei.ttc'] : []),
      ].sort();
      expect({ fn: fn.name, binaries }).toEqual({ fn: fn.name, binaries: expected });
      if (tools.includes('ffprobe')) expect(fn.env.FFPROBE_PATH).toBe(`${TASK_ROOT}/bin/ffprobe`);
      if (tools.includes('ffmpeg')) {
        expect(fn.env.FFMPEG_PATH).toBe(`${TASK_ROOT}/bin/ffmpeg`);
        expect(fn.env.CAPTION_FONT_FILE).toBe(`${TASK_ROOT}/fonts/DejaVuSans.ttf`);
        expect(fn.env.CAPTION_CJK_FONT_FILE).toBe(`${TASK_ROOT}/fonts/wqy-microhei.ttc`);
      }
    }
  });

  it('ships static executables for each function’s architecture (Lambda’s glibc is older than Debian’s)', async () => {
    for (const fn of shipped.filter((f) => f.entries.some((e) => e.startsWith('bin/')))) {
      const { ffmpeg, ffprobe } = extracted(fn);
      for (const binary of fn.entries.includes('bin/ffmpeg') ? [ffmpeg, ffprobe] : [ffprobe]) {
        const facts = elfFacts(binary);
        expect({ fn: fn.name, binary: basename(binary), ...facts }).toEqual({
          fn: fn.name,
          binary: basename(binary),
          machine: ELF_MACHINE[fn.arch],
          dynamic: false,
        });
      }
    }
  });

  it('ships ffmpeg 5.1 or newer with every filter, codec, format and protocol the code uses', async () => {
    // Prepare
    const { ffmpeg } = extracted(shippedFunction('composer', 'compose'));
    // Act
    const { stdout: version } = await runShipped(ffmpeg, ['-hide_banner', '-version']);
    const have = {
      filters: await listed(ffmpeg, 'filters'),
      encoders: await listed(ffmpeg, 'encoders'),
      decoders: await listed(ffmpeg, 'decoders'),
      demuxers: await listed(ffmpeg, 'demuxers'),
      muxers: await listed(ffmpeg, 'muxers'),
    };
    const { stdout: protocols } = await runShipped(ffmpeg, ['-hide_banner', '-protocols']);
    // Assess
    const [major, minor] = (version.match(/^ffmpeg version (\d+)\.(\d+)/)?.slice(1) ?? []).map(Number);
    expect((major ?? 0) * 100 + (minor ?? 0)).toBeGreaterThanOrEqual(501);
    for (const kind of ['filters', 'encoders', 'decoders', 'demuxers', 'muxers'] as const) {
      expect({ kind, missing: USED[kind].filter((name) => !have[kind].has(name)) }).toEqual({
        kind,
        missing: [],
      });
    }
    const inputProtocols =
      protocols
        .split('Output:')[0]
        ?.split('\n')
        .map((l) => l.trim()) ?? [];
    for (const protocol of USED.protocols) expect(inputProtocols).toContain(protocol);
  });

  it('ships every filter named in the functions’ filtergraphs (scanned from their source)', async () => {
    // Prepare: the names Debian's full ffmpeg knows as filters, found in the code's strings where a
    // filtergraph puts a filter (after a quote, bracket, comma, semicolon or interpolation).
    const debian = findFfmpeg({ PATH: process.env.PATH });
    const { stdout } = await run(debian.ffmpeg, ['-hide_banner', '-filters'], { maxBuffer: 16 << 20 });
    const known = stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[1] ?? '')
      .filter((name) => /^[a-z0-9_]+$/.test(name));
    const code = FUNCTION_SOURCES.flatMap((dir) => sourceFiles(join(REPO_ROOT, dir)))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const used = known.filter(
      (name) => !(name in NOT_FILTERS) && new RegExp(`[\\][,;'"\`}]${name}[=,;\\['"\`]`).test(code),
    );
    const { ffmpeg } = extracted(shippedFunction('composer', 'compose'));
    // Act
    const shippedFilters = await listed(ffmpeg, 'filters');
    // Assess: the scan finds the graphs' filters at all, and the shipped build has each of them.
    expect(used).toEqual(expect.arrayContaining(['overlay', 'sidechaincompress', 'drawtext', 'crop']));
    expect(used.filter((name) => !shippedFilters.has(name))).toEqual([]);
  });

  describe('running the shipped binaries', () => {
    let debian: FfmpegBinaries;
    let clipA = '';
    let clipB = '';
    let voiceMp3 = '';
    let musicWav = '';
    const captionCue = { startSec: 0, endSec: 10, text: 'Reelay' };
    beforeAll(async () => {
      // Fixtures come from Debian's full ffmpeg (testsrc2, sine): the shipped one has no synthetic sources.
      debian = findFfmpeg({ PATH: process.env.PATH });
      const source = (file: string, hz: number) =>
        runFfmpeg(
          [
            '-f',
            'lavfi',
            '-i',
            'testsrc2=s=320x240:r=30:d=2',
            '-f',
            'lavfi',
            '-i',
            `sine=f=${hz}:sample_rate=44100:d=2`,
            '-c:v',
            'libx264',
            '-preset',
            'ultrafast',
            '-c:a',
            'aac',
            '-shortest',
            file,
          ],
          { allowLavfi: true, binaries: debian },
        );
      clipA = join(work, 'a.mp4');
      clipB = join(work, 'b.mp4');
      await source(clipA, 440);
      await source(clipB, 660);
      // Audio in the containers models hand us: a voice (mp3) and a music bed (wav).
      const tone = (file: string, hz: number) =>
        runFfmpeg(['-f', 'lavfi', '-i', `sine=f=${hz}:sample_rate=44100:d=2`, file], {
          allowLavfi: true,
          binaries: debian,
        });
      voiceMp3 = join(work, 'voice.mp3');
      musicWav = join(work, 'music.wav');
      await tone(voiceMp3, 1000);
      await tone(musicWav, 3000);
    });

    it('probes a video with the api’s shipped ffprobe as libs/media reads it', async () => {
      // Prepare
      const { ffprobe } = extracted(shippedFunction('api', 'submitJob'));
      // Act
      const probe = await probeMedia(clipA, { binaries: { ffmpeg: '/nonexistent', ffprobe } });
      // Assess
      expect(probe.video).toMatchObject({ codec: 'h264', width: 320, height: 240 });
      expect(probe.audio).toMatchObject({ codec: 'aac' });
      expect(probe.durationSec).toBeCloseTo(2, 0);
    });

    it('burns captions in with the font shipped in the zip, and cannot without naming one', async () => {
      // Prepare
      const { ffmpeg, font } = extracted(shippedFunction('composer', 'compose'));
      const [drawtext] = await burnedCaptionFilters([captionCue], work, 240, font);
      const frame = async (name: string, filter: string) => {
        const out = join(work, `${name}.png`);
        await runShipped(ffmpeg, ['-v', 'error', '-y', '-i', clipA, '-vf', filter, '-frames:v', '1', out]);
        return readFile(out);
      };
      // Act
      const plain = await frame('plain', 'null');
      const captioned = await frame('captioned', drawtext ?? '');
      const withoutFont = frame('no-font', `drawtext=text=Reelay:fontsize=24`);
      // Assess: the text changed the picture; with no fontfile the static build has nothing to draw with.
      expect(captioned.equals(plain)).toBe(false);
      await expect(withoutFont).rejects.toThrow();
    });

    it('composes as the composer does: normalize, crossfade, ducked and loudness-normalized soundtrack, burned captions, thumbnail', async () => {
      // Prepare: the composer's own code, pointed at the binaries extracted from its zip.
      const { ffmpeg, ffprobe, font } = extracted(shippedFunction('composer', 'compose'));
      const saved = { ...process.env };
      Object.assign(process.env, { FFMPEG_PATH: ffmpeg, FFPROBE_PATH: ffprobe, CAPTION_FONT_FILE: font });
      try {
        jest.resetModules();
        const composition = await import('../../services/composer/src/composition/index');
        const media = await import('@reelay/media');
        const format = {
          width: 320,
          height: 240,
          fps: 30,
          transition: 'crossfade',
          transitionSec: 0.5,
        } as const;
        const clips = [];
        for (const [i, input] of [clipA, clipB].entries()) {
          const probe = await media.probeMedia(input);
          const clip = await composition.normalizeClip({
            input,
            output: join(work, `normalized-${i}.mp4`),
            format,
            probe,
            durationSec: 2,
            keyframeTimesSec: composition.transitionKeyframeTimes(2, format),
          });
          clips.push({ file: clip.file, durationSec: clip.durationSec });
        }
        const audio = async (input: string, name: string) =>
          (
            await composition.normalizeAudio({
              input,
              output: join(work, `${name}.m4a`),
              probe: await media.probeMedia(input),
              durationSec: 2,
            })
          ).file;
        const narration = await audio(voiceMp3, 'voice');
        const music = await audio(musicWav, 'music');
        // Act
        const composed = await composition.composeTimeline({
          clips,
          format,
          workDir: work,
          output: join(work, 'final.mp4'),
          narration: [{ file: narration, startSec: 1 }],
          music: [music],
          captions: { mode: 'burned', cues: [captionCue] },
        });
        const thumbnail = join(work, 'thumb.jpg');
        await composition.makeThumbnail({ video: composed.file, output: thumbnail, atSec: 1.5 });
        // Assess
        expect(media.defaultFfmpegBinaries()).toEqual({ ffmpeg, ffprobe });
        const probe = await media.probeMedia(composed.file);
        expect(probe.video).toMatchObject({ codec: 'h264', width: 320, height: 240 });
        expect(probe.audio).toMatchObject({ codec: 'aac' });
        expect(probe.durationSec).toBeCloseTo(3.5, 1);
        expect(readFileSync(thumbnail).subarray(0, 2).toString('hex')).toBe('ffd8');
      } finally {
        process.env = saved;
        jest.resetModules();
      }
    });
  });

  it(
    'fails packaging, naming the command that builds the binaries, when they are not built',
    async () => {
      // Prepare: a machine whose cache holds no build.
      const saved = process.env.REELAY_FFMPEG_CACHE;
      process.env.REELAY_FFMPEG_CACHE = join(work, 'empty-cache');
      try {
        // Act
        const packaging = packageService('composer', {
          stage: `${STAGE}-missing`,
          ffmpegBinaries: true,
          force: true,
        });
        // Assess
        await expect(packaging).rejects.toBeInstanceOf(ServicePackagingError);
        await expect(packaging).rejects.toThrow(
          /prepare, compose, composeChunk run ffmpeg\/ffprobe and would ship without them.*Run: node deploy\/static-ffmpeg\/index\.cjs/s,
        );
      } finally {
        if (saved === undefined) delete process.env.REELAY_FFMPEG_CACHE;
        else process.env.REELAY_FFMPEG_CACHE = saved;
      }
    },
    5 * 60_000,
  );
});

describe('the ffmpeg plugin refuses zips that would fail in the cloud', () => {
  // The framework requires plugins as CommonJS, so the plugin is plain JavaScript.
  const Plugin = require('../../deploy/ffmpeg-binaries.cjs') as new (
    serverless: unknown,
    options: unknown,
    utils: { log: { notice(m: string): void } },
  ) => { hooks: Record<string, () => void> };
  let serviceDir: string;
  let stageSwitch: string | undefined;
  beforeEach(() => {
    serviceDir = mkdtempSync(join(tmpdir(), 'ffmpeg-plugin-'));
    stageSwitch = process.env.REELAY_STAGE_FFMPEG_BINARIES;
    delete process.env.REELAY_STAGE_FFMPEG_BINARIES;
  });
  afterEach(() => {
    rmSync(serviceDir, { recursive: true, force: true });
    if (stageSwitch !== undefined) process.env.REELAY_STAGE_FFMPEG_BINARIES = stageSwitch;
  });
  const packaging = (functions: Record<string, { architecture?: string }>, listed: string[]) => {
    const plugin = new Plugin(
      {
        service: {
          service: 'reelay-composer',
          provider: { architecture: 'arm64' },
          custom: { ffmpegBinaries: { functions: listed } },
          functions,
        },
        classes: { Error },
        serviceDir,
      },
      {},
      { log: { notice: () => undefined } },
    );
    return () => plugin.hooks['package:initialize']?.();
  };

  it('refuses a function of an architecture this machine cannot build for, naming the fix', () => {
    // Prepare: the provider says arm64 and the function does not override it.
    const other = hostLambdaArch() === 'arm64' ? 'x86_64' : 'arm64';
    const stage = packaging({ compose: { architecture: other } }, ['compose']);
    // Act / Assess
    expect(stage).toThrow(/reelay-composer: compose run ffmpeg\/ffprobe and would ship without them/);
    expect(stage).toThrow(other === 'arm64' ? /Set `architecture: x86_64`/ : /package on an arm64/);
  });

  it('refuses a configuration that names no function, or one that does not exist', () => {
    expect(packaging({ compose: {} }, [])).toThrow(/name the functions that run ffmpeg or ffprobe/);
    expect(packaging({ compose: {} }, ['composer'])).toThrow(/no function "composer"/);
  });
});
