import { type HttpEvent, type HttpResponse, json, readJsonObject, validate } from '@reelay/lambda';
import { ConnectionNotFoundError } from './connection-errors';
import {
  type ConnectionStoreDeps,
  deleteConnection,
  listConnections,
  putYouTubeConnection,
  youtubeConnectionSchema,
} from './connection-store';

/** PUT /connections/youtube/{name}: stores the caller's YouTube credentials; the answer never holds them. */
export async function putYouTubeConnectionRoute(
  userId: string,
  event: HttpEvent,
  deps: ConnectionStoreDeps,
): Promise<HttpResponse> {
  const credentials = validate(youtubeConnectionSchema, readJsonObject(event), 'Invalid YouTube connection');
  const name = event.pathParameters?.name ?? '';
  return json(200, await putYouTubeConnection(userId, name, credentials, deps));
}

/** GET /connections: names, types and when each was stored. */
export async function listConnectionsRoute(userId: string, deps: ConnectionStoreDeps): Promise<HttpResponse> {
  return json(200, { connections: await listConnections(userId, deps) });
}

/** DELETE /connections/youtube/{name}: 204, or 404 when the caller has no such connection. */
export async function deleteYouTubeConnectionRoute(
  userId: string,
  event: HttpEvent,
  deps: ConnectionStoreDeps,
): Promise<HttpResponse> {
  const name = event.pathParameters?.name ?? '';
  if (!name) throw new ConnectionNotFoundError('youtube', name);
  await deleteConnection(userId, 'youtube', name, deps);
  return { statusCode: 204 };
}
