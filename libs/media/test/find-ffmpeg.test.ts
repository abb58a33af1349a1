import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FfmpegNotFoundError } from '../src/errors';
import { type FfmpegLookup, findFfmpeg, findFfprobe, systemLookup } from '../src/find-ffmpeg';

describe('findFfmpeg', () => {
  let root: string;
  const exe = (...parts: string[]) => {
    const file = join(root, ...parts);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, '#!/bin/sh\n');
    chmodSync(file, 0o755);
    return file;
  };
  const lookup = (overrides: Partial<FfmpegLookup> = {}): FfmpegLookup => ({
    ffmpegStaticPath: () => undefined,
    isExecutable: systemLookup.isExecutable,
    isRoot: () => false,
    ...overrides,
  });

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'find-ffmpeg-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('prefers FFMPEG_PATH over ffmpeg-static and PATH, with ffprobe from beside it', () => {
    // Prepare
    const ffmpeg = exe('custom', 'ffmpeg');
    const ffprobe = exe('custom', 'ffprobe');
    const staticBinary = exe('static', 'ffmpeg');
    exe('bin', 'ffmpeg');
    exe('bin', 'ffprobe');
    // Act
    const found = findFfmpeg(
      { FFMPEG_PATH: ffmpeg, PATH: join(root, 'bin') },
      lookup({ ffmpegStaticPath: () => staticBinary }),
    );
    // Assess
    expect(found).toEqual({ ffmpeg, ffprobe });
  });

  it('takes FFPROBE_PATH when it is set', () => {
    const ffmpeg = exe('custom', 'ffmpeg');
    const ffprobe = exe('elsewhere', 'ffprobe');
    const found = findFfmpeg({ FFMPEG_PATH: ffmpeg, FFPROBE_PATH: ffprobe, PATH: '' }, lookup());
    expect(found).toEqual({ ffmpeg, ffprobe });
  });

  it('uses the ffmpeg-static binary next, with ffprobe from PATH', () => {
    const staticBinary = exe('static', 'ffmpeg');
    exe('bin', 'ffmpeg');
    const ffprobe = exe('bin', 'ffprobe');
    const found = findFfmpeg({ PATH: join(root, 'bin') }, lookup({ ffmpegStaticPath: () => staticBinary }));
    expect(found).toEqual({ ffmpeg: staticBinary, ffprobe });
  });

  it('falls back to the first ffmpeg on PATH', () => {
    exe('empty', 'other-tool');
    const ffmpeg = exe('bin', 'ffmpeg');
    const ffprobe = exe('bin', 'ffprobe');
    const found = findFfmpeg({ PATH: [join(root, 'empty'), join(root, 'bin')].join(':') }, lookup());
    expect(found).toEqual({ ffmpeg, ffprobe });
  });

  it('says which command installs ffmpeg when there is none', () => {
    const act = (isRoot: boolean) => () =>
      findFfmpeg({ PATH: join(root, 'nothing') }, lookup({ isRoot: () => isRoot }));
    expect(act(false)).toThrow(FfmpegNotFoundError);
    expect(act(false)).toThrow(/\nsudo apt-get install -y ffmpeg$/);
    expect(act(true)).toThrow(/\napt-get install -y ffmpeg$/);
    try {
      act(true)();
    } catch (error) {
      expect(error).toMatchObject({ installCommand: 'apt-get install -y ffmpeg', retryable: false });
    }
  });

  it('reports an FFMPEG_PATH that points at nothing instead of silently using another ffmpeg', () => {
    exe('bin', 'ffmpeg');
    exe('bin', 'ffprobe');
    expect(() =>
      findFfmpeg({ FFMPEG_PATH: join(root, 'missing'), PATH: join(root, 'bin') }, lookup()),
    ).toThrow(/FFMPEG_PATH=.*missing is not an executable file/);
  });

  it('finds ffprobe alone from FFPROBE_PATH where there is no ffmpeg at all (the api bundle)', () => {
    const ffprobe = exe('bundle', 'ffprobe');
    expect(findFfprobe({ FFPROBE_PATH: ffprobe, PATH: '' }, lookup())).toBe(ffprobe);
    expect(() => findFfmpeg({ FFPROBE_PATH: ffprobe, PATH: '' }, lookup())).toThrow(FfmpegNotFoundError);
  });

  it('reports an FFPROBE_PATH that points at nothing, and looks beside ffmpeg without one', () => {
    const ffmpeg = exe('custom', 'ffmpeg');
    const ffprobe = exe('custom', 'ffprobe');
    expect(() => findFfprobe({ FFPROBE_PATH: join(root, 'missing'), PATH: '' }, lookup())).toThrow(
      /FFPROBE_PATH=.*missing is not an executable file/,
    );
    expect(findFfprobe({ FFMPEG_PATH: ffmpeg, PATH: '' }, lookup())).toBe(ffprobe);
  });

  it('finds the real ffmpeg and ffprobe of this machine', () => {
    const found = findFfmpeg({ PATH: '/usr/local/bin:/usr/bin' });
    expect(found.ffmpeg).toMatch(/ffmpeg$/);
    expect(found.ffprobe).toMatch(/ffprobe$/);
  });
});
