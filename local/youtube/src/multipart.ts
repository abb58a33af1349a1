import { badRequest } from './google-errors';

/**
 * Splits a multipart/related body (uploadType=multipart: the JSON metadata part, then the media part),
 * the shape @googleapis/youtube's videos.insert sends by default.
 */
export function parseMultipartRelated(
  contentType: string | undefined,
  body: Buffer,
): { metadata: unknown; mediaType: string; media: Buffer } {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
  if (!contentType?.toLowerCase().startsWith('multipart/related') || !boundary) {
    throw badRequest('badContent', 'uploadType=multipart needs a multipart/related body.', 'global');
  }
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Buffer[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    parts.push(body.subarray(start + delimiter.length, next));
    start = next;
  }
  const [metadataPart, mediaPart] = parts.map(splitPart);
  if (!metadataPart || !mediaPart) {
    throw badRequest('badContent', 'A multipart upload needs a metadata part and a media part.', 'global');
  }
  let metadata: unknown;
  try {
    metadata = JSON.parse(metadataPart.content.toString('utf8'));
  } catch {
    throw badRequest('parseError', 'The metadata part is not valid JSON.', 'global');
  }
  return { metadata, mediaType: mediaPart.type, media: mediaPart.content };
}

function splitPart(raw: Buffer): { type: string; content: Buffer } {
  const headerEnd = raw.indexOf('\r\n\r\n');
  const headers = raw.subarray(0, headerEnd).toString('utf8');
  let content = raw.subarray(headerEnd + 4);
  // The CRLF before the next delimiter belongs to the delimiter.
  if (content.subarray(-2).toString() === '\r\n') content = content.subarray(0, -2);
  const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim() ?? 'application/octet-stream';
  return { type, content };
}
