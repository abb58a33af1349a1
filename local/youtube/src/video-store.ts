import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VideoMetadata } from './video-metadata';

/** An uploaded video as the twin keeps it: its resource fields and where its bytes are. */
export interface StoredVideo extends VideoMetadata {
  id: string;
  channelId: string;
  publishedAt: string;
  /** The file holding exactly the uploaded bytes (a test ffprobes it). */
  file: string;
  bytes: number;
  /** How the bytes arrived: one resumable session (with how many PUTs and resumes) or multipart. */
  upload: { type: 'resumable' | 'multipart'; puts: number; statusQueries: number };
}

/**
 * Uploaded videos, one `<id>.json` + `<id>.mp4` pair in the work folder, so they outlive a restart of
 * the twin as they outlive one of YouTube.
 */
export class VideoStore {
  private readonly videos = new Map<string, StoredVideo>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.json')) continue;
      const video = JSON.parse(readFileSync(join(dir, name), 'utf8')) as StoredVideo;
      this.videos.set(video.id, video);
    }
  }

  add(input: Omit<StoredVideo, 'id' | 'file' | 'bytes'>, content: Buffer): StoredVideo {
    // YouTube ids are 11 base64url characters.
    const id = randomBytes(8).toString('base64url').slice(0, 11);
    const file = join(this.dir, `${id}.mp4`);
    writeFileSync(file, content);
    const video: StoredVideo = { ...input, id, file, bytes: content.length };
    writeFileSync(join(this.dir, `${id}.json`), JSON.stringify(video));
    this.videos.set(id, video);
    return video;
  }

  get(id: string): StoredVideo | undefined {
    return this.videos.get(id);
  }

  all(): StoredVideo[] {
    return [...this.videos.values()].sort((a, b) => a.publishedAt.localeCompare(b.publishedAt));
  }
}

/** The video resource as the API returns it, with only the requested parts. */
export function presentVideo(video: StoredVideo, parts: readonly string[]): Record<string, unknown> {
  const resource: Record<string, unknown> = {
    kind: 'youtube#video',
    etag: randomBytes(12).toString('base64url'),
    id: video.id,
  };
  if (parts.includes('snippet')) {
    resource.snippet = {
      publishedAt: video.publishedAt,
      channelId: video.channelId,
      title: video.snippet.title,
      description: video.snippet.description,
      thumbnails: {},
      channelTitle: 'Reelay local channel',
      ...(video.snippet.tags.length > 0 ? { tags: video.snippet.tags } : {}),
      categoryId: video.snippet.categoryId,
      liveBroadcastContent: 'none',
      localized: { title: video.snippet.title, description: video.snippet.description },
    };
  }
  if (parts.includes('status')) {
    resource.status = {
      uploadStatus: 'uploaded',
      privacyStatus: video.status.privacyStatus,
      license: 'youtube',
      embeddable: true,
      publicStatsViewable: true,
      ...(video.status.selfDeclaredMadeForKids !== undefined
        ? { selfDeclaredMadeForKids: video.status.selfDeclaredMadeForKids }
        : {}),
    };
  }
  return resource;
}
