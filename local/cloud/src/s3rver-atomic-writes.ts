import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The part of s3rver 3.7.1's FilesystemStore this patch touches (s3rver has no types). */
export interface S3rverStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  getMetadata(bucket: string, key: string): Promise<Record<string, unknown>>;
  putMetadata(bucket: string, key: string, metadata: Record<string, unknown>, md5?: string): Promise<void>;
  getObject(bucket: string, key: string, options?: unknown): Promise<unknown>;
  putObject(object: S3rverPut): Promise<{ size: number; md5: string }>;
  copyObject(...args: unknown[]): Promise<unknown>;
  deleteObject(bucket: string, key: string): Promise<void>;
}

interface S3rverPut {
  bucket: string;
  key: string;
  metadata: Record<string, unknown>;
  content: Buffer | Readable;
}

/**
 * S3 replaces an object atomically: a GET during a PUT of the same key returns the old object or
 * the new one, whole, with its own metadata. s3rver 3.7.1 truncates the object file in place (and
 * answers the PUT before the file is flushed), then rewrites the metadata file, so a concurrent
 * reader gets a short body ("aborted") or one object's bytes with the other's metadata: a
 * duplicate SceneReady re-storing a prepared clip while the composer downloads it failed the job.
 *
 * This makes each store write land at once: the body goes to a temporary file beside the object
 * (a name the listing ignores) and is flushed, then, under a per-key lock, renamed over the object
 * together with its md5 and metadata; reads of one key take the same lock until their file is
 * open (an open file keeps the old bytes across a rename). Hand-written: s3rver is unmaintained
 * and no release fixes it; the lock is a promise chain, too small for a dependency.
 */
export function makeS3rverWritesAtomic(store: S3rverStore): void {
  const locks = new Map<string, Promise<unknown>>();
  const withKeyLock = <T>(bucket: string, key: string, work: () => Promise<T>): Promise<T> => {
    const id = `${bucket}/${key}`;
    const result = (locks.get(id) ?? Promise.resolve()).then(work, work);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    locks.set(id, settled);
    void settled.then(() => {
      if (locks.get(id) === settled) locks.delete(id);
    });
    return result;
  };
  const original = {
    getMetadata: store.getMetadata.bind(store),
    getObject: store.getObject,
    copyObject: store.copyObject,
    deleteObject: store.deleteObject.bind(store),
  };
  // s3rver's own methods call this.getMetadata; inside a held lock they must not take it again.
  const unlocked = Object.create(store) as S3rverStore;
  unlocked.getMetadata = original.getMetadata;

  store.getMetadata = (bucket, key) => withKeyLock(bucket, key, () => original.getMetadata(bucket, key));
  store.getObject = (bucket, key, options) =>
    withKeyLock(bucket, key, () => original.getObject.call(unlocked, bucket, key, options));
  store.deleteObject = (bucket, key) => withKeyLock(bucket, key, () => original.deleteObject(bucket, key));
  store.copyObject = (...args: unknown[]) => {
    const [, , destBucket, destKey] = args as [string, string, string, string];
    return withKeyLock(destBucket, destKey, () => original.copyObject.apply(unlocked, args));
  };
  store.putObject = async (object) => {
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    const staging = `${objectPath}.${randomUUID()}.uploading`;
    await mkdir(dirname(objectPath), { recursive: true });
    const md5 = createHash('md5');
    let size = 0;
    try {
      const content = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
      await pipeline(
        content,
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            md5.update(chunk);
            size += chunk.length;
            callback(null, chunk);
          },
        }),
        createWriteStream(staging),
      );
      const digest = md5.digest('hex');
      await withKeyLock(object.bucket, object.key, async () => {
        await rename(staging, objectPath);
        await store.putMetadata(object.bucket, object.key, object.metadata, digest);
      });
      return { size, md5: digest };
    } catch (error) {
      // Only a write that never landed leaves its staging file behind.
      await rm(staging, { force: true });
      throw error;
    }
  };
}
