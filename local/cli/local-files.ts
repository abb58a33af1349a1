import { accessSync, closeSync, constants, openSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { UPLOAD_TYPES } from '../../services/api/src/uploads/upload-types';
import { UsageError } from './command-line';
import { contentTypeOf, UPLOAD_EXTENSIONS } from './upload-files';

const megabytes = (bytes: number) => `${Math.ceil(bytes / (1024 * 1024))} MB`;

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/**
 * Every `--upload` file exists, is a file, can be read, is of a type the api takes and within its
 * size cap (the api's own table, services/api/src/uploads/upload-types.ts). Checked before the
 * cloud starts, so a typo costs a second, not a whole start-up and a raw ENOENT.
 */
export function checkUploadFile(file: string): void {
  const where = `--upload ${file}`;
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(file);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') throw new UsageError(`${where}: no such file`);
    throw new UsageError(`${where}: cannot be read (${errorCode(error) ?? (error as Error).message})`);
  }
  if (stats.isDirectory()) throw new UsageError(`${where}: is a folder; give the picture or clip inside it`);
  if (!stats.isFile()) throw new UsageError(`${where}: is not a regular file`);
  if (!UPLOAD_EXTENSIONS.includes(extname(file).toLowerCase()))
    throw new UsageError(
      `${where}: ${extname(file) ? `a ${extname(file)} file` : 'a file without an extension'} cannot be uploaded; use ${UPLOAD_EXTENSIONS.join(' ')}`,
    );
  try {
    // Opening proves it readable (access() would say yes to root for a file no one may read).
    closeSync(openSync(file, 'r'));
  } catch (error) {
    throw new UsageError(`${where}: cannot be read (${errorCode(error) ?? (error as Error).message})`);
  }
  if (stats.size === 0) throw new UsageError(`${where}: is empty`);
  const contentType = contentTypeOf(file) as keyof typeof UPLOAD_TYPES;
  const cap = UPLOAD_TYPES[contentType]?.maxBytes;
  if (cap !== undefined && stats.size > cap)
    throw new UsageError(
      `${where}: is ${megabytes(stats.size)}; a ${contentType} upload is at most ${megabytes(cap)}`,
    );
}

/**
 * `--out FILE`: an .mp4 path that is not a folder, in a folder that exists or can be made (the
 * nearest existing ancestor is a writable folder).
 */
export function checkOutFile(out: string): void {
  const where = `--out ${out}`;
  const path = resolve(out);
  const existing = statOrUndefined(path);
  if (existing?.isDirectory())
    throw new UsageError(
      `${where}: is a folder; give the video's file name, e.g. ${out.replace(/\/?$/, '/')}video.mp4`,
    );
  if (extname(path).toLowerCase() !== '.mp4')
    throw new UsageError(`${where}: the video is an MP4, so the name must end in .mp4`);
  let folder = dirname(path);
  let stats = statOrUndefined(folder);
  while (!stats && dirname(folder) !== folder) {
    folder = dirname(folder);
    stats = statOrUndefined(folder);
  }
  if (!stats?.isDirectory()) throw new UsageError(`${where}: ${folder} is a file, not a folder`);
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new UsageError(`${where}: cannot write in ${folder}`);
  }
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** Every local file the command line names, checked before anything starts. */
export function checkLocalFiles(options: { uploads: readonly string[]; out?: string }): void {
  for (const file of options.uploads) checkUploadFile(file);
  if (options.out) checkOutFile(options.out);
}
