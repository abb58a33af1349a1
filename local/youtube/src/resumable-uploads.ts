import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TwinClock } from './clock';
import type { YouTubeFaults } from './faults';
import { badRequest, GoogleApiError, sendJson } from './google-errors';
import type { VideoMetadata } from './video-metadata';
import { presentVideo, type StoredVideo, type VideoStore } from './video-store';

/** Every chunk but the last must be a multiple of this many bytes (Google's resumable protocol). */
export const CHUNK_GRANULARITY = 256 * 1024;
const MAX_VIDEO_BYTES = 256 * 1024 ** 3;

interface UploadSession {
  id: string;
  channelId: string;
  parts: string[];
  metadata: VideoMetadata;
  /** Known from X-Upload-Content-Length at the start, or from a chunk's `/N`. */
  totalBytes: number | undefined;
  chunks: Buffer[];
  receivedBytes: number;
  puts: number;
  statusQueries: number;
  video?: StoredVideo;
}

/** What a test sees of a session: how the bytes came (a resume shows as a status query after a break). */
export interface UploadSessionView {
  id: string;
  receivedBytes: number;
  totalBytes: number | undefined;
  puts: number;
  statusQueries: number;
  /** Each PUT's first byte, in order: a resume continues from the break, a restart goes back to 0. */
  chunkStarts: number[];
  videoId: string | undefined;
}

type ContentRange =
  | { kind: 'query'; total: number | undefined }
  | { kind: 'chunk'; first: number; last: number; total: number | undefined };

/**
 * The resumable upload protocol of videos.insert: a session started with the metadata, then PUTs of
 * the bytes with Content-Range, 308 Resume Incomplete with the Range kept so far, a status query
 * (`Content-Range: bytes *\/N`) to learn where to resume after a break, and 201 with the video
 * resource once every byte has arrived.
 */
export class ResumableUploads {
  private readonly sessions = new Map<string, UploadSession>();
  private readonly chunkStarts = new Map<string, number[]>();

  constructor(
    private readonly store: VideoStore,
    private readonly faults: YouTubeFaults,
    private readonly clock: TwinClock,
  ) {}

  /** POST ...?uploadType=resumable: 200 with the session URI in Location. */
  start(
    origin: string,
    input: {
      channelId: string;
      parts: string[];
      metadata: VideoMetadata;
      declaredLength: string | undefined;
      declaredType: string | undefined;
    },
    response: ServerResponse,
  ): void {
    if (input.declaredType !== undefined && !isVideoType(input.declaredType)) {
      throw badRequest(
        'invalidContentType',
        `Media type '${input.declaredType}' is not supported.`,
        'global',
      );
    }
    const totalBytes = input.declaredLength === undefined ? undefined : Number(input.declaredLength);
    if (
      totalBytes !== undefined &&
      (!Number.isSafeInteger(totalBytes) || totalBytes < 1 || totalBytes > MAX_VIDEO_BYTES)
    ) {
      throw badRequest(
        'invalidValue',
        'X-Upload-Content-Length must be a positive length of at most 256 GB.',
        'global',
      );
    }
    const id = `AUj${randomBytes(24).toString('base64url')}`;
    this.sessions.set(id, {
      id,
      channelId: input.channelId,
      parts: input.parts,
      metadata: input.metadata,
      totalBytes,
      chunks: [],
      receivedBytes: 0,
      puts: 0,
      statusQueries: 0,
    });
    this.chunkStarts.set(id, []);
    const location = `${origin}/upload/youtube/v3/videos?uploadType=resumable&part=${encodeURIComponent(input.parts.join(','))}&upload_id=${id}`;
    response.writeHead(200, { location, 'x-guploader-uploadid': id, 'content-length': 0 });
    response.end();
  }

  /** PUT to a session URI: a chunk, the whole file, or a status query. */
  async put(uploadId: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const session = this.sessions.get(uploadId);
    if (!session) {
      drain(request);
      throw new GoogleApiError(404, 'notFound', 'The upload session was not found or has expired.', 'global');
    }
    const range = parseContentRange(request.headers['content-range'], request.headers['content-length']);
    if (range.kind === 'query') {
      drain(request);
      session.statusQueries += 1;
      this.checkTotal(session, range.total);
      this.answer(session, response);
      return;
    }
    if (session.video) {
      drain(request);
      this.answer(session, response);
      return;
    }
    this.checkTotal(session, range.total);
    if (range.first > session.receivedBytes) {
      drain(request);
      throw badRequest(
        'invalidRange',
        `Content-Range starts at ${range.first} but only ${session.receivedBytes} bytes were received.`,
        'global',
      );
    }
    session.puts += 1;
    this.chunkStarts.get(session.id)?.push(range.first);
    const breakAfter = this.faults.takeUploadBreak();
    const body = await readUpTo(request, breakAfter);
    if (breakAfter !== undefined) {
      // The connection drops mid-chunk: what arrived is kept, the client gets no answer at all.
      this.append(session, range.first, body);
      request.socket.destroy();
      return;
    }
    const length = range.last - range.first + 1;
    if (body.length !== length) {
      throw badRequest(
        'invalidRange',
        `Content-Range names ${length} bytes but the body has ${body.length}.`,
        'global',
      );
    }
    const isLast = range.total !== undefined && range.last + 1 === range.total;
    if (!isLast && length % CHUNK_GRANULARITY !== 0) {
      throw badRequest(
        'invalidChunkSize',
        `Every chunk but the last must be a multiple of ${CHUNK_GRANULARITY} bytes; this one has ${length}.`,
        'global',
      );
    }
    this.append(session, range.first, body);
    this.answer(session, response);
  }

  sessionViews(): UploadSessionView[] {
    return [...this.sessions.values()].map((session) => ({
      id: session.id,
      receivedBytes: session.receivedBytes,
      totalBytes: session.totalBytes,
      puts: session.puts,
      statusQueries: session.statusQueries,
      chunkStarts: [...(this.chunkStarts.get(session.id) ?? [])],
      videoId: session.video?.id,
    }));
  }

  private checkTotal(session: UploadSession, total: number | undefined): void {
    if (total === undefined) return;
    if (session.totalBytes !== undefined && session.totalBytes !== total) {
      throw badRequest(
        'invalidRange',
        `The upload was started for ${session.totalBytes} bytes, not ${total}.`,
        'global',
      );
    }
    session.totalBytes = total;
  }

  /** Keeps the bytes past what was already received (a chunk may overlap what arrived before a break). */
  private append(session: UploadSession, first: number, body: Buffer): void {
    const skip = session.receivedBytes - first;
    if (skip >= body.length) return;
    const fresh = body.subarray(skip);
    session.chunks.push(Buffer.from(fresh));
    session.receivedBytes += fresh.length;
  }

  private answer(session: UploadSession, response: ServerResponse): void {
    if (!session.video && session.totalBytes !== undefined && session.receivedBytes === session.totalBytes) {
      session.video = this.store.add(
        {
          ...session.metadata,
          channelId: session.channelId,
          publishedAt: new Date(this.clock.now()).toISOString(),
          upload: { type: 'resumable', puts: session.puts, statusQueries: session.statusQueries },
        },
        Buffer.concat(session.chunks),
      );
      session.chunks = [];
      sendJson(response, 201, presentVideo(session.video, session.parts));
      return;
    }
    if (session.video) {
      sendJson(response, 200, presentVideo(session.video, session.parts));
      return;
    }
    // 308 Resume Incomplete: the Range header says what was kept; none when nothing was.
    const headers: Record<string, string | number> = { 'content-length': 0 };
    if (session.receivedBytes > 0) headers.range = `bytes=0-${session.receivedBytes - 1}`;
    response.writeHead(308, headers);
    response.end();
  }
}

export function isVideoType(type: string): boolean {
  const base = type.split(';')[0]?.trim().toLowerCase() ?? '';
  return base.startsWith('video/') || base === 'application/octet-stream';
}

/** `bytes a-b/N`, `bytes a-b/*`, `bytes *\/N`; none with a body is the whole file in one PUT. */
function parseContentRange(header: string | undefined, contentLength: string | undefined): ContentRange {
  const length = Number(contentLength ?? '0');
  if (header === undefined) {
    if (length === 0) return { kind: 'query', total: undefined };
    return { kind: 'chunk', first: 0, last: length - 1, total: length };
  }
  const query = /^bytes \*\/(\d+|\*)$/.exec(header.trim());
  if (query?.[1]) return { kind: 'query', total: query[1] === '*' ? undefined : Number(query[1]) };
  const chunk = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header.trim());
  if (!chunk?.[1] || !chunk[2] || !chunk[3]) {
    throw badRequest('invalidRange', `Malformed Content-Range: ${header}`, 'global');
  }
  const first = Number(chunk[1]);
  const last = Number(chunk[2]);
  const total = chunk[3] === '*' ? undefined : Number(chunk[3]);
  if (last < first || (total !== undefined && last >= total)) {
    throw badRequest('invalidRange', `Invalid Content-Range: ${header}`, 'global');
  }
  return { kind: 'chunk', first, last, total };
}

/** Reads the body; with a limit, resolves as soon as that many bytes have come (the rest is not read). */
function readUpTo(request: IncomingMessage, limit: number | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (limit !== undefined && size >= limit) {
        request.off('data', onData);
        request.pause();
        resolve(Buffer.concat(chunks).subarray(0, limit));
      }
    };
    request.on('data', onData);
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export function drain(request: IncomingMessage): void {
  request.resume();
}
