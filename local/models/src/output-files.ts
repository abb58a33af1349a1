import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Prediction } from './prediction';

/** Replicate's delivery URLs answer 404 once an output has been removed. */
function notFound(res: ServerResponse): void {
  const body = 'Not Found';
  res.writeHead(404, { 'content-type': 'text/plain', 'content-length': String(body.length) });
  res.end(body);
}

/** A single "bytes=a-b" range within size, or undefined (then the whole file is sent). */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [, from = '', to = ''] = match;
  const start = from === '' ? Math.max(0, size - Number(to)) : Number(from);
  const end = from === '' || to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (start > end || start >= size) return 'unsatisfiable';
  return { start, end };
}

/**
 * Serves /files/<predictionId>/<name>. The name must be the prediction's recorded output name,
 * so no path from the URL ever reaches the file system.
 */
export function serveOutputFile(
  req: IncomingMessage,
  res: ServerResponse,
  prediction: Prediction | undefined,
  name: string,
  expired: boolean,
): void {
  const file = [
    ...(prediction?.outputFiles ?? []),
    ...(prediction?.outputFile ? [prediction.outputFile] : []),
  ].find((f) => f.name === name);
  if (!prediction || !file || expired || prediction.outputRemoved) {
    notFound(res);
    return;
  }
  const range = parseRange(req.headers.range, file.bytes);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'content-range': `bytes */${file.bytes}` });
    res.end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: file.bytes - 1 };
  res.writeHead(range ? 206 : 200, {
    'content-type': file.contentType,
    'content-length': String(end - start + 1),
    'accept-ranges': 'bytes',
    'cache-control': 'private, max-age=3600',
    ...(range ? { 'content-range': `bytes ${start}-${end}/${file.bytes}` } : {}),
  });
  if (req.method === 'HEAD' || file.bytes === 0) {
    res.end();
    return;
  }
  const stream = createReadStream(file.path, { start, end });
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
