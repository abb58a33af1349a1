import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonRequestGate } from '../http/json-server';
import { AwsServiceError } from '../http/service-error';
import { asRecord, type RequestBody } from '../shared/request-fields';
import type { SchedulerBackend } from './scheduler-backend';

/** The gate sees a Scheduler request under this prefix (its IAM service name is "scheduler"). */
export const SCHEDULER_GATE_PREFIX = 'AWSScheduler';

type Route = { operation: string; run: (backend: SchedulerBackend, input: RequestBody) => unknown };

/**
 * EventBridge Scheduler's REST-JSON protocol (what @aws-sdk/client-scheduler speaks): the operation
 * is the method and path (`POST /schedules/{Name}`), query strings carry groupName and the list
 * filters, errors are `x-amzn-errortype` plus `{"Message"}`. It has its own port: the other
 * emulated services dispatch on X-Amz-Target, which this protocol does not send.
 */
export async function startSchedulerServer(
  backend: SchedulerBackend,
  gate: JsonRequestGate | undefined,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    void handle(backend, gate, request, response);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function route(method: string, path: string): { route: Route; name?: string } | undefined {
  if (path === '/schedules' && method === 'GET')
    return { route: { operation: 'ListSchedules', run: (b, input) => b.listSchedules(input) } };
  const match = /^\/schedules\/([^/]+)$/.exec(path);
  if (!match) return undefined;
  const name = decodeURIComponent(match[1] as string);
  const routes: Record<string, Route> = {
    POST: { operation: 'CreateSchedule', run: (b, input) => b.createSchedule(input) },
    PUT: { operation: 'UpdateSchedule', run: (b, input) => b.updateSchedule(input) },
    GET: { operation: 'GetSchedule', run: (b, input) => b.getSchedule(input) },
    DELETE: { operation: 'DeleteSchedule', run: (b, input) => b.deleteSchedule(input) },
  };
  const found = routes[method];
  return found ? { route: found, name } : undefined;
}

async function handle(
  backend: SchedulerBackend,
  gate: JsonRequestGate | undefined,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const requestId = randomUUID();
  try {
    const url = new URL(request.url ?? '/', 'http://scheduler.local');
    const raw = await readBody(request);
    const found = route(request.method ?? 'GET', url.pathname);
    if (!found)
      throw new AwsServiceError(
        'UnknownOperationException',
        `No operation at ${request.method} ${url.pathname}`,
        { status: 404 },
      );
    const body = raw.length === 0 ? {} : asRecord(JSON.parse(raw.toString('utf8')));
    const query = Object.fromEntries(url.searchParams);
    // Path and query members join the body under their shape names, as the SDK's model names them.
    const input: RequestBody = {
      ...body,
      ...(found.name !== undefined ? { Name: found.name } : {}),
      ...(query.groupName !== undefined ? { GroupName: query.groupName } : {}),
      ...(query.ScheduleGroup !== undefined ? { ScheduleGroup: query.ScheduleGroup } : {}),
      ...(query.NamePrefix !== undefined ? { NamePrefix: query.NamePrefix } : {}),
      ...(query.State !== undefined ? { State: query.State } : {}),
      ...(query.NextToken !== undefined ? { NextToken: query.NextToken } : {}),
      ...(query.MaxResults !== undefined ? { MaxResults: Number(query.MaxResults) } : {}),
    };
    const rawUrl = request.url ?? '/';
    const q = rawUrl.indexOf('?');
    await gate?.({
      targetPrefix: SCHEDULER_GATE_PREFIX,
      operation: found.route.operation,
      method: request.method ?? 'GET',
      rawPath: q < 0 ? rawUrl : rawUrl.slice(0, q),
      rawQuery: q < 0 ? '' : rawUrl.slice(q + 1),
      headers: request.headers,
      body: raw,
      parsed: input,
    });
    const result = found.route.run(backend, input);
    send(response, 200, requestId, result ?? {});
  } catch (error) {
    const failure =
      error instanceof AwsServiceError
        ? error
        : error instanceof SyntaxError
          ? new AwsServiceError('ValidationException', 'Request body is not valid JSON', { status: 400 })
          : new AwsServiceError(
              'InternalServerException',
              error instanceof Error ? error.message : String(error),
              {
                status: 500,
              },
            );
    send(response, failure.status, requestId, { Message: failure.message }, failure.code);
  }
}

function send(
  response: ServerResponse,
  status: number,
  requestId: string,
  payload: unknown,
  errorType?: string,
): void {
  const body = Buffer.from(JSON.stringify(payload));
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': body.length,
    'x-amzn-requestid': requestId,
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  response.end(body);
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
