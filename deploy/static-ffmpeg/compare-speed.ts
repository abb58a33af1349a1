/**
 * How fast the composer runs on the static ffmpeg that ships vs Debian's ffmpeg, on the same
 * clips (docs/ffmpeg-binaries.md quotes its output):
 *
 *   node_modules/.bin/node --import tsx deploy/static-ffmpeg/compare-speed.ts
 *
 * Five 4 s 720p clips with sound: prepare each (normalizeClip), then compose them with crossfades,
 * a ducked music bed under narration and loudness normalization, then again with burned-in
 * captions. Each binary runs in its own process (the composer looks ffmpeg up once per process),
 * alternating, three times; the medians are printed. Needs the static build in the cache.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFfmpeg, probeMedia, runFfmpeg } from '@reelay/media';
import { findStaticFfmpeg } from '../../local/packaging/src';
import {
  captionCues,
  composeTimeline,
  normalizeAudio,
  normalizeClip,
  type OutputFormat,
  transitionKeyframeTimes,
} from '../../services/composer/src/composition';

const CLIPS = 5;
const CLIP_SEC = 4;
const RUNS = 3;
const FORMAT: OutputFormat = {
  width: 1280,
  height: 720,
  fps: 30,
  transition: 'crossfade',
  transitionSec: 0.5,
};

interface Timings {
  prepareMs: number;
  composeMs: number;
  burnedMs: number;
}

/** One measured run with whatever FFMPEG_PATH this process was given. */
async function child(sourcesDir: string, workDir: string): Promise<Timings> {
  const t0 = Date.now();
  const clips = [];
  for (let i = 0; i < CLIPS; i++) {
    const input = join(sourcesDir, `source-${i}.mp4`);
    const clip = await normalizeClip({
      input,
      output: join(workDir, `prepared-${i}.mp4`),
      format: FORMAT,
      probe: await probeMedia(input),
      durationSec: CLIP_SEC,
      keyframeTimesSec: transitionKeyframeTimes(CLIP_SEC, FORMAT),
    });
    clips.push({ file: clip.file, durationSec: clip.durationSec });
  }
  const audio = async (name: string, durationSec: number) => {
    const input = join(sourcesDir, `${name}.wav`);
    const output = join(workDir, `${name}.m4a`);
    return (await normalizeAudio({ input, output, probe: await probeMedia(input), durationSec })).file;
  };
  const narration = [{ file: await audio('voice', 4), startSec: 3.5 }];
  const music = [await audio('music', 10)];
  const prepareMs = Date.now() - t0;

  const t1 = Date.now();
  await composeTimeline({ clips, format: FORMAT, workDir: join(workDir, 'a'), narration, music });
  const composeMs = Date.now() - t1;

  const t2 = Date.now();
  const cues = captionCues(
    clips.map((clip, i) => ({
      durationSec: clip.durationSec,
      caption: `Scene ${i + 1}: a lighthouse in a storm`,
    })),
    FORMAT.transitionSec,
  );
  await composeTimeline({
    clips,
    format: FORMAT,
    workDir: join(workDir, 'b'),
    narration,
    music,
    captions: { mode: 'burned', cues },
  });
  const burnedMs = Date.now() - t2;
  return { prepareMs, composeMs, burnedMs };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function main() {
  const [mode, sourcesDir, workDir] = process.argv.slice(2);
  if (mode === '--child' && sourcesDir && workDir) {
    for (const sub of ['a', 'b']) mkdirSync(join(workDir, sub), { recursive: true });
    console.log(JSON.stringify(await child(sourcesDir, workDir)));
    return;
  }
  const shipped = findStaticFfmpeg();
  if (!shipped) throw new Error('no static ffmpeg in the cache: run node deploy/static-ffmpeg/index.cjs');
  const debian = findFfmpeg({ PATH: process.env.PATH });
  const root = mkdtempSync(join(tmpdir(), 'ffmpeg-speed-'));
  try {
    for (let i = 0; i < CLIPS; i++) {
      // biome-ignore format: ffmpeg flags and their values read as pairs
      await runFfmpeg([
        '-f', 'lavfi', '-i', `testsrc2=s=1920x1080:r=30:d=${CLIP_SEC},hue=h=${i * 70}`,
        '-f', 'lavfi', '-i', `sine=f=${220 + i * 110}:sample_rate=48000:d=${CLIP_SEC}`,
        '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest',
        join(root, `source-${i}.mp4`),
      ], { allowLavfi: true, binaries: debian });
    }
    await runFfmpeg(['-f', 'lavfi', '-i', 'sine=f=800:d=4', join(root, 'voice.wav')], {
      allowLavfi: true,
      binaries: debian,
    });
    await runFfmpeg(['-f', 'lavfi', '-i', 'sine=f=2500:d=10', join(root, 'music.wav')], {
      allowLavfi: true,
      binaries: debian,
    });

    const builds = {
      [`Debian ffmpeg (${debian.ffmpeg}, shared libraries)`]: {
        FFMPEG_PATH: debian.ffmpeg,
        FFPROBE_PATH: debian.ffprobe,
      },
      [`static ffmpeg ${shipped.sourceVersion} (${shipped.arch}, shipped)`]: {
        FFMPEG_PATH: shipped.ffmpeg,
        FFPROBE_PATH: shipped.ffprobe,
        CAPTION_FONT_FILE: shipped.font,
      },
    };
    const results = new Map<string, Timings[]>();
    for (let run = 0; run < RUNS; run++) {
      for (const [label, env] of Object.entries(builds)) {
        const workDir = join(root, `run-${run}-${label.split(' ')[0]}`);
        const out = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', root, workDir], {
          env: { ...process.env, ...env },
          encoding: 'utf8',
        });
        if (out.status !== 0) throw new Error(`${label}: ${out.stderr}`);
        const timings = JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}') as Timings;
        results.set(label, [...(results.get(label) ?? []), timings]);
        rmSync(workDir, { recursive: true, force: true });
      }
    }
    const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`median of ${RUNS} runs, ${CLIPS} × ${CLIP_SEC} s clips, 720p crossfades, narration + music`);
    console.log('| ffmpeg | prepare 5 clips + 2 audio | compose | compose, burned captions |');
    console.log('| --- | --- | --- | --- |');
    for (const [label, runs] of results) {
      const m = (key: keyof Timings) => seconds(median(runs.map((r) => r[key])));
      console.log(`| ${label} | ${m('prepareMs')} | ${m('composeMs')} | ${m('burnedMs')} |`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
