import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { runFfmpeg } from '@reelay/media';
import { silentAudioSource } from './clip-filters';
import { AUDIO_SAMPLE_RATE, intermediateAudioArgs, samplesForFrames } from './encoding';
import { loudnessApplyFilter, loudnessMeasureFilter, parseLoudnessReport } from './loudness';
import type { OutputFormat } from './output-format';
import { encodeAacInSlices, planAacSlices } from './sliced-aac';

/** A voice track (narration) placed on the output timeline. */
export interface VoiceTrack {
  file: string;
  /** Where it starts on the output timeline: its aligned scene's start. */
  startSec: number;
  /**
   * Its length, when known: voices that do not overlap then share one lane (one after the other
   * in a concat), so the mix's cost grows with the timeline, not with voices x timeline.
   */
  durationSec?: number;
}

export interface SoundtrackRequest {
  /**
   * The normalized clips, in timeline order; their own audio is the base of the soundtrack. A
   * `silent` clip (a still, or a video without sound: prepare gave it a silent track) is not
   * decoded: its span is silence in the mix, and a timeline of silent clips has no scene layer.
   */
  clips: ReadonlyArray<{ file: string; frames: number; silent?: boolean }>;
  overlapFrames: number;
  format: OutputFormat;
  narration?: readonly VoiceTrack[];
  /** Music beds, played one after the other and looped to fill the timeline. */
  music?: readonly string[];
  workDir: string;
  /** The soundtrack (AAC in MP4), exactly as long as the video. */
  output: string;
  signal?: AbortSignal;
  /**
   * AAC encodes run at once on a long soundtrack (one a core by default): the encoder is
   * single-threaded and, for 10 minutes, the longest step of a long job's soundtrack.
   */
  encoders?: number;
  /** A soundtrack shorter than this many seconds a slice is encoded in one run (default 60). */
  minSliceSec?: number;
}

export interface RenderedSoundtrack {
  file: string;
  ms: number;
  /** Integrated loudness of the mix before normalization (LUFS). */
  measuredLufs: number;
  normalized: boolean;
  peakRssKb?: number;
  /** How many AAC encodes made the track at once (1: one run). */
  slices?: number;
}

/** The music bed sits this far under the scenes' own sound before ducking (about -10 dB). */
const MUSIC_GAIN = 0.32;
const MUSIC_FADE_IN_SEC = 1;
const MUSIC_FADE_OUT_SEC = 2;
/** Ducking: the voice, through a sidechain, pulls the music down by up to ~18 dB while it speaks. */
const DUCKING = 'sidechaincompress=threshold=0.015:ratio=12:attack=15:release=350:makeup=1';
const AFORMAT = `aformat=sample_fmts=fltp:sample_rates=${AUDIO_SAMPLE_RATE}:channel_layouts=stereo`;

/**
 * The whole soundtrack in its own small pass, off the video graph (in one graph, audio
 * look-ahead makes ffmpeg queue decoded video frames: docs/architecture.md, ffmpeg 5.1 traps): the scenes' sound with
 * crossfades matching the video transitions, narration at its scenes, a music bed faded in and
 * out and ducked under the voice, then two-pass loudness normalization to -14 LUFS (the first
 * pass mixes to a float WAV and measures it at once; the second applies the measured values).
 */
export async function renderSoundtrack(request: SoundtrackRequest): Promise<RenderedSoundtrack> {
  const { workDir, output, signal } = request;
  const { args, totalSamples } = soundtrackMixArgs(request);
  const mixed = join(workDir, 'soundtrack-mix.wav');
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  const mixRun = await runFfmpeg(
    [
      ...args,
      '-map', '[mixed]', '-c:a', 'pcm_f32le', '-f', 'wav', mixed,
      '-map', '[measured]', '-f', 'null', '-',
    ],
    { logLevel: 'info', ...(signal ? { signal } : {}) },
  );
  const measured = parseLoudnessReport(mixRun.stderrTail);
  const normalize = loudnessApplyFilter(measured);
  // A gain (or none) treats every sample alike, so the track can be encoded in slices at once;
  // loudnorm's dynamic mode carries state from one second to the next, so it is encoded whole.
  const linear = normalize === undefined || normalize.startsWith('volume=');
  const sliceCount = Math.floor(totalSamples / ((request.minSliceSec ?? 60) * AUDIO_SAMPLE_RATE));
  const slices = planAacSlices(
    totalSamples,
    Math.min(request.encoders ?? availableParallelism(), sliceCount),
  );
  const sliced = linear && slices.length > 1;
  const encoded = sliced
    ? await encodeAacInSlices({
        input: mixed,
        totalSamples,
        filters: [...(normalize ? [normalize] : []), AFORMAT],
        slices,
        workDir,
        output,
        ...(signal ? { signal } : {}),
      })
    : await encodeWhole(mixed, normalize, totalSamples, output, signal);
  const peaks = [mixRun.peakRssKb, encoded.peakRssKb].filter((kb): kb is number => kb !== undefined);
  return {
    file: output,
    ms: mixRun.durationMs + encoded.ms,
    measuredLufs: measured.integratedLufs,
    normalized: normalize !== undefined,
    slices: sliced ? slices.length : 1,
    ...(peaks.length > 0 ? { peakRssKb: Math.max(...peaks) } : {}),
  };
}

/** The second pass in one run: the correction (loudnorm's output resampled back), cut to the video's length. */
async function encodeWhole(
  mixed: string,
  normalize: string | undefined,
  totalSamples: number,
  output: string,
  signal: AbortSignal | undefined,
): Promise<{ ms: number; peakRssKb?: number }> {
  const filter = [
    ...(normalize ? [normalize, `aresample=${AUDIO_SAMPLE_RATE}`] : []),
    AFORMAT,
    'apad',
    `atrim=end_sample=${totalSamples}`,
  ].join(',');
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  const run = await runFfmpeg(
    [
      '-i', mixed,
      '-af', filter,
      '-vn',
      ...intermediateAudioArgs(),
      '-map_metadata', '-1',
      '-f', 'mp4',
      output,
    ],
    signal ? { signal } : {},
  );
  return { ms: run.durationMs, ...(run.peakRssKb === undefined ? {} : { peakRssKb: run.peakRssKb }) };
}

/**
 * The mixing pass's inputs and graph (labels `[mixed]` for the WAV, `[measured]` for ebur128's
 * measurement). Every duration is counted in samples from the video's frames, so the audio ends
 * with the video to the sample (a decoded AAC clip runs ~16 ms long: docs/architecture.md, ffmpeg 5.1 trap 3).
 */
export function soundtrackMixArgs(request: Omit<SoundtrackRequest, 'workDir' | 'output' | 'signal'>): {
  args: string[];
  totalSamples: number;
} {
  const { clips, overlapFrames, format, narration = [], music = [] } = request;
  const overlapSamples = samplesForFrames(overlapFrames, format);
  const totalFrames = clips.reduce((sum, clip) => sum + clip.frames, 0) - (clips.length - 1) * overlapFrames;
  const totalSamples = samplesForFrames(totalFrames, format);
  const totalSec = totalSamples / AUDIO_SAMPLE_RATE;
  const inputs: string[] = [];
  const graph: string[] = [];
  let input = 0;

  // The scenes' own sound, crossfaded exactly over each transition's overlap: each clip cut to
  // its samples and faded linearly over its overlaps (out at its tail, in at its head: what
  // acrossfade's tri curves do), the even and the odd clips laid end to end in two lanes (each
  // padded with silence to the next one's start) and the lanes summed. A chain of acrossfades, as
  // this once was, passed every sample through every later crossfade: n scenes cost ~n^2/2
  // (120 pages: most of the soundtrack's time, issue 21 bench).
  const lengths = clips.map((clip) => samplesForFrames(clip.frames, format));
  const starts: number[] = [];
  lengths.reduce((at, length) => {
    starts.push(at);
    return at + length - overlapSamples;
  }, 0);
  const last = clips.length - 1;
  const laneCount = overlapSamples > 0 && clips.length > 1 ? 2 : 1;
  const allSilent = clips.every((clip) => clip.silent);
  const sceneLanes = Array.from({ length: allSilent ? 0 : laneCount }, (_, l) => {
    const members = clips.map((_, i) => i).filter((i) => i % laneCount === l);
    const parts = members.map((i, k) => {
      const clip = clips[i];
      if (!clip) throw new Error(`soundtrack: no clip ${i}`);
      const length = lengths[i] ?? 0;
      const start = starts[i] ?? 0;
      const next = members[k + 1];
      const fades = [
        ...(overlapSamples > 0 && i > 0 ? [`afade=t=in:ns=${overlapSamples}:curve=tri`] : []),
        ...(overlapSamples > 0 && i < last
          ? [`afade=t=out:ss=${length - overlapSamples}:ns=${overlapSamples}:curve=tri`]
          : []),
      ];
      const delay = k === 0 && start > 0 ? [`adelay=delays=${start}S:all=1`] : [];
      const pad =
        next === undefined ? [] : ['apad', `atrim=end_sample=${(starts[next] ?? 0) - (k === 0 ? 0 : start)}`];
      // Silence needs no decoding and no fades: a generated span of the clip's length.
      let source: string[];
      if (clip.silent) source = [silentAudioSource(length), AFORMAT];
      else {
        inputs.push('-i', clip.file);
        source = [`[${input++}:a:0]${AFORMAT}`, 'apad', `atrim=end_sample=${length}`, ...fades];
      }
      graph.push(`${[...source, ...delay, ...pad].join(',')}[c${l}_${k}]`);
      return `[c${l}_${k}]`;
    });
    graph.push(
      parts.length === 1
        ? `${parts[0]}anull[scenes${l}]`
        : `${parts.join('')}concat=n=${parts.length}:v=0:a=1[scenes${l}]`,
    );
    return `[scenes${l}]`;
  });
  const layers: string[] = [];
  if (sceneLanes.length > 0) {
    graph.push(
      `${sceneLanes.length === 1 ? `${sceneLanes[0]}anull` : `${sceneLanes.join('')}amix=inputs=2:normalize=0:duration=longest`},apad,atrim=end_sample=${totalSamples}[scenes]`,
    );
    layers.push('scenes');
  }

  // Narration: each voice at its scene's start, all voices on one track. Voices that do not
  // overlap follow one another in a lane (each padded with silence to the next one's start, then
  // concatenated); lanes are mixed. One amix input per voice, as this once was, made every voice
  // run as silence from 0 to its start: 120 pages cost 120 x the timeline (issue 21 bench).
  let voice: string | undefined;
  if (narration.length > 0) {
    const lanes = voiceLanes(narration).map((lane, l) => {
      const parts = lane.map((track, k) => {
        inputs.push('-i', track.file);
        const start = samplesAt(track.startSec);
        const next = lane[k + 1];
        const delay = k === 0 && start > 0 ? `,adelay=delays=${start}S:all=1` : '';
        // Padded to the next voice's start (from this part's own start: the timeline for the first).
        const end = next ? `,apad,atrim=end_sample=${samplesAt(next.startSec) - (k === 0 ? 0 : start)}` : '';
        graph.push(`[${input}:a:0]${AFORMAT}${delay}${end}[v${l}_${k}]`);
        input++;
        return `[v${l}_${k}]`;
      });
      graph.push(
        parts.length === 1
          ? `${parts[0]}anull[lane${l}]`
          : `${parts.join('')}concat=n=${parts.length}:v=0:a=1[lane${l}]`,
      );
      return `[lane${l}]`;
    });
    const joined =
      lanes.length === 1
        ? `${lanes[0]}anull`
        : `${lanes.join('')}amix=inputs=${lanes.length}:normalize=0:duration=longest`;
    graph.push(`${joined},apad,atrim=end_sample=${totalSamples}[voice]`);
    voice = 'voice';
  }

  // Music: one bed under everything, looped to the end, faded in and out, ducked under the voice.
  if (music.length > 0) {
    const beds = music.map((file, i) => {
      // One bed loops to fill the timeline; several play in order and are padded.
      inputs.push(...(music.length === 1 ? ['-stream_loop', '-1'] : []), '-i', file);
      graph.push(`[${input}:a:0]${AFORMAT}[m${i}]`);
      input++;
      return `[m${i}]`;
    });
    const fadeOut = Math.min(MUSIC_FADE_OUT_SEC, totalSec / 2);
    const bed = beds.length === 1 ? `${beds[0]}anull` : `${beds.join('')}concat=n=${beds.length}:v=0:a=1`;
    graph.push(
      `${bed},apad,atrim=end_sample=${totalSamples},volume=${MUSIC_GAIN},` +
        `afade=t=in:d=${Math.min(MUSIC_FADE_IN_SEC, totalSec / 2).toFixed(3)},` +
        `afade=t=out:st=${(totalSec - fadeOut).toFixed(3)}:d=${fadeOut.toFixed(3)}[bed]`,
    );
    if (voice) {
      graph.push('[voice]asplit=2[voicemix][voicekey]', `[bed][voicekey]${DUCKING}[ducked]`);
      layers.push('voicemix', 'ducked');
    } else {
      layers.push('bed');
    }
  } else if (voice) {
    layers.push(voice);
  }

  // Silent clips and nothing else: the soundtrack is silence, as long as the video.
  if (layers.length === 0) {
    graph.push(`${silentAudioSource(totalSamples)},${AFORMAT}[silence]`);
    layers.push('silence');
  }
  const mix =
    layers.length === 1
      ? `[${layers[0]}]anull`
      : `${layers.map((l) => `[${l}]`).join('')}amix=inputs=${layers.length}:normalize=0:duration=first`;
  graph.push(
    `${mix},apad,atrim=end_sample=${totalSamples},asplit=2[mixed][tomeasure]`,
    `[tomeasure]${loudnessMeasureFilter()}[measured]`,
  );
  return { args: [...inputs, '-filter_complex', graph.join(';')], totalSamples };
}

/** A voice's end may run this far past its declared length (AAC priming and padding). */
const VOICE_END_SLACK_SEC = 0.1;

function samplesAt(seconds: number): number {
  return Math.max(0, Math.round(seconds * AUDIO_SAMPLE_RATE));
}

/**
 * Voices sorted by start and dealt into lanes: each voice goes to the first lane whose last voice
 * has ended by its start, else a new lane. A voice of unknown length gets a lane of its own.
 */
export function voiceLanes(narration: readonly VoiceTrack[]): VoiceTrack[][] {
  const lanes: Array<{ voices: VoiceTrack[]; endsAt: number }> = [];
  const sorted = [...narration].sort((a, b) => a.startSec - b.startSec);
  for (const track of sorted) {
    const lane =
      track.durationSec === undefined
        ? undefined
        : lanes.find((candidate) => candidate.endsAt <= track.startSec);
    const endsAt =
      track.durationSec === undefined
        ? Number.POSITIVE_INFINITY
        : track.startSec + track.durationSec + VOICE_END_SLACK_SEC;
    if (lane) {
      lane.voices.push(track);
      lane.endsAt = endsAt;
    } else {
      lanes.push({ voices: [track], endsAt });
    }
  }
  return lanes.map((lane) => lane.voices);
}
