// @ts-check
/**
 * What the static Lambda ffmpeg/ffprobe are built with: exactly what the functions' code uses
 * (libs/media, services/composer, services/generator, services/api), nothing more. Each line says
 * who needs it; a component the code starts using must be added here (the test in
 * test/deploy/ffmpeg-binaries.test.ts runs the shipped binaries and lists what they hold).
 *
 * The cache directory of a build is keyed by a hash of these flags, so editing this file
 * rebuilds once per machine.
 */

/** Filters named in the code's filtergraphs, plus those ffmpeg inserts itself. */
// biome-ignore format: grouped by who needs them
const FILTERS = [
  // video: normalize (clip-filters: letterbox with pad, or cover with crop), stills (zoompan),
  // transitions (transition-render), captions
  'scale', 'crop', 'pad', 'fps', 'format', 'setsar', 'settb', 'setpts', 'trim', 'tpad', 'null', 'copy',
  'zoompan', 'overlay', 'fade', 'xfade', 'concat', 'color', 'drawtext', 'split',
  // ffmpeg's -autorotate inserts these for a rotated phone clip (display matrix)
  'transpose', 'hflip', 'vflip',
  // audio: normalize-audio, soundtrack (ducking, loudness), copy-clip's silent track
  'aresample', 'aformat', 'anull', 'apad', 'atrim', 'asplit', 'amix', 'adelay', 'afade',
  'acrossfade', 'volume', 'sidechaincompress', 'loudnorm', 'ebur128', 'anullsrc', 'asetpts',
];

/** Encoders: x264 and AAC for every clip, JPEG for thumbnails and last frames, the rest for side outputs. */
// biome-ignore format: grouped by who needs them
const ENCODERS = [
  'libx264', 'aac', 'mjpeg', 'png',
  'pcm_f32le', 'pcm_s16le', // soundtrack-mix.wav; the null muxer's default audio
  'wrapped_avframe', // the null muxer's default video (-f null measurement runs)
  'movtext', // mov_text: soft captions in the MP4
];

/**
 * Decoders for model outputs, uploads (the allowlist in libs/media/src/media-caps.ts: MP4/MOV,
 * Matroska/WebM, PNG/JPEG/WebP, WAV/MP3/Ogg/FLAC/AAC) and lavfi inputs (wrapped frames, PCM).
 */
// biome-ignore format: grouped by who needs them
const DECODERS = [
  'h264', 'hevc', 'vp8', 'vp9', 'mpeg4', 'prores', 'mjpeg', 'png', 'webp',
  'aac', 'mp3float', 'mp3', 'flac', 'vorbis', 'opus', 'alac', 'pcm_*',
  'wrapped_avframe', 'rawvideo',
  'ass', 'movtext', 'webvtt', 'subrip', // captions: soft captions' ASS script; probed uploads
];

/** configure's names: the image pipes are image_<format>_pipe (ffprobe calls them <format>_pipe). */
// biome-ignore format: grouped by who needs them
const DEMUXERS = [
  'mov', 'matroska', 'image2', 'image_png_pipe', 'image_jpeg_pipe', 'image_webp_pipe',
  'wav', 'mp3', 'ogg', 'flac', 'aac',
  'concat', // compose-timeline's segment list
  'ass', 'webvtt', 'srt',
];

const MUXERS = ['mp4', 'mov', 'ipod', 'wav', 'null', 'image2', 'matroska', 'webm'];

// biome-ignore format: one list
const PARSERS = ['h264', 'hevc', 'aac', 'mpegaudio', 'flac', 'vp8', 'vp9', 'png', 'mjpeg', 'webp', 'opus', 'vorbis'];

/** Bitstream filters the MP4 muxer inserts when copying streams (ADTS AAC, VP9, Annex B). */
// biome-ignore format: one list
const BSFS = ['aac_adtstoasc', 'h264_mp4toannexb', 'hevc_mp4toannexb', 'vp9_superframe', 'extract_extradata', 'null'];

/** `file` for every input and output (-protocol_whitelist file); `pipe` for -progress pipe:1. */
const PROTOCOLS = ['file', 'pipe'];

/** `-f lavfi` inputs (copy-clip's black frames, silent audio). */
const INDEVS = ['lavfi'];

const list = (/** @type {string} */ kind, /** @type {string[]} */ names) =>
  names.map((name) => `--enable-${kind}=${name}`);

/**
 * configure's flags, apart from the toolchain ones the build adds per architecture.
 * GPL because of libx264; no network, no hardware acceleration, no docs, no shared libraries.
 */
const CONFIGURE_FLAGS = [
  '--disable-everything',
  '--disable-autodetect',
  '--disable-network',
  // glibc's iconv loads gconv modules with dlopen, which a static binary cannot do reliably.
  '--disable-iconv',
  '--disable-doc',
  '--disable-debug',
  '--disable-ffplay',
  '--disable-shared',
  '--enable-static',
  '--enable-gpl',
  '--enable-version3',
  '--enable-libx264',
  '--enable-libfreetype',
  '--enable-zlib',
  '--enable-bzlib',
  '--enable-avdevice',
  '--enable-swscale',
  '--enable-swresample',
  '--pkg-config-flags=--static',
  ...list('filter', FILTERS),
  ...list('encoder', ENCODERS),
  ...list('decoder', DECODERS),
  ...list('demuxer', DEMUXERS),
  ...list('muxer', MUXERS),
  ...list('parser', PARSERS),
  ...list('bsf', BSFS),
  ...list('protocol', PROTOCOLS),
  ...list('indev', INDEVS),
];

module.exports = {
  FILTERS,
  ENCODERS,
  DECODERS,
  DEMUXERS,
  MUXERS,
  PARSERS,
  BSFS,
  PROTOCOLS,
  INDEVS,
  CONFIGURE_FLAGS,
};
