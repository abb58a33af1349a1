import { open } from 'node:fs/promises';
import { MediaRejectedError } from './errors';

const SNIFF_BYTES = 4_096;

// Text formats that make ffmpeg open other files or URLs. Checked on the raw bytes because
// letting ffprobe identify them means letting it open them, and some demuxers (hls, dash)
// start following their entries while they read the header.
const REFUSED_SIGNATURES: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  { pattern: /^#EXTM3U/i, what: 'an HLS/M3U playlist' },
  { pattern: /^#EXTINF/i, what: 'an M3U playlist' },
  { pattern: /^ffconcat\b/i, what: 'an ffmpeg concat list' },
  { pattern: /^(#[^\n]*\n\s*)*file\s+['"]?[^\s]/i, what: 'an ffmpeg concat list' },
  { pattern: /^;FFMETADATA/i, what: 'an ffmpeg metadata file' },
  { pattern: /^\[playlist\]/i, what: 'a PLS playlist' },
  { pattern: /^<\?xml[\s\S]*<(MPD|smil|playlist)\b/i, what: 'an XML playlist (DASH/SMIL/XSPF)' },
  { pattern: /^<(MPD|smil|asx)\b/i, what: 'an XML playlist (DASH/SMIL/ASX)' },
  { pattern: /^[a-z][a-z0-9+.-]*:\/\//i, what: 'a URL, not media' },
];

/**
 * Refuses playlists and lists of files by their first bytes, before ffprobe or ffmpeg opens the
 * file (an upload named .mp4 can be an HLS playlist that points at other files or URLs).
 * Throws MediaRejectedError; returns normally for anything else.
 */
export async function sniffRefusedContainer(file: string): Promise<void> {
  const head = await readHead(file, SNIFF_BYTES);
  const text = head
    .toString('latin1')
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart();
  for (const { pattern, what } of REFUSED_SIGNATURES) {
    if (pattern.test(text)) {
      throw new MediaRejectedError(`the file is ${what}; upload the video, image or audio file itself`);
    }
  }
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
