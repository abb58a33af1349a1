import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_FILE_BYTES, parseUpload, presentFile } from '../files-api';
import { RequestBodyTooLargeError, readBody, sendJson, sendProblem } from '../http-io';
import { headerValue, type RouteContext, type RouteFamily, sendNotFound } from './route-context';

/** Replicate's files API: upload, list, get, download and delete under /v1/files. */
export const fileRoutes: RouteFamily = async ({ req, res, url, method }, context) => {
  const path = url.pathname;
  if (path === '/v1/files' && method === 'POST') {
    await uploadFile(req, res, context);
    return true;
  }
  if (path === '/v1/files' && method === 'GET') {
    const results = context.files.list().map((f) => presentFile(f, context.apiBase()));
    sendJson(res, 200, { previous: null, next: null, results });
    return true;
  }
  const oneFile = /^\/v1\/files\/([a-z0-9]+)(\/download)?$/.exec(path);
  if (!oneFile) return false;
  const [, id = '', download] = oneFile;
  if (method === 'DELETE' && !download) await deleteFile(id, res, context);
  else await sendFile(id, download !== undefined, method, res, context);
  return true;
};

async function uploadFile(
  req: IncomingMessage,
  res: ServerResponse,
  { files, apiBase }: RouteContext,
): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(req, MAX_FILE_BYTES);
  } catch (error) {
    if (error instanceof RequestBodyTooLargeError) sendProblem(res, 413, 'Request too large', error.message);
    else throw error;
    return;
  }
  const upload = await parseUpload(body, headerValue(req.headers['content-type']));
  if (typeof upload === 'string') {
    sendProblem(res, 400, 'Bad request', upload);
    return;
  }
  const file = await files.create(upload.content, upload.name, upload.contentType, upload.metadata);
  sendJson(res, 201, presentFile(file, apiBase()));
}

async function deleteFile(id: string, res: ServerResponse, { files }: RouteContext): Promise<void> {
  if (!(await files.delete(id))) return sendNotFound(res);
  res.writeHead(204);
  res.end();
}

/** GET a file's description, or its bytes with /download; any other method is a 404, as on Replicate. */
async function sendFile(
  id: string,
  download: boolean,
  method: string,
  res: ServerResponse,
  { files, apiBase }: RouteContext,
): Promise<void> {
  const file = files.get(id);
  if (method !== 'GET' || !file) return sendNotFound(res);
  if (!download) return sendJson(res, 200, presentFile(file, apiBase()));
  const body = (await files.read(id)) ?? Buffer.alloc(0);
  res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(body.length) });
  res.end(body);
}
