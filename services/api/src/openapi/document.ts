import { jobSpecSchema } from '@reelay/events';
import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject } from 'zod-openapi';
import { registerCallbackRequestSchema } from '../callbacks/register-callback';
import { CONNECTION_NAME, youtubeConnectionSchema } from '../connections/connection-store';
import { API_JOB_STATUSES } from '../jobs/job-status';
import { listJobsQuerySchema } from '../jobs/list-jobs';
import { regenerateRequestSchema } from '../jobs/regenerate-job';
import { SERIES_ROUTE_EXAMPLES, seriesOperations } from '../series/series-openapi';
import { createUploadRequestSchema } from '../uploads/create-upload';

/** Every route with a body, its request schema (the one the handler validates with) and an example. */
export const ROUTE_EXAMPLES = [
  {
    method: 'post',
    path: '/jobs',
    schema: jobSpecSchema,
    example: {
      prompt: 'a lighthouse in a storm at night',
      scenes: 3,
      secondsPerScene: 4,
      resolution: '720p',
    },
  },
  {
    method: 'post',
    path: '/jobs/{jobId}/regenerate',
    schema: regenerateRequestSchema,
    example: { prompt: 'a lighthouse in a calm sunrise', options: { transition: 'fade' } },
  },
  {
    method: 'post',
    path: '/uploads',
    schema: createUploadRequestSchema,
    example: { contentType: 'image/png', bytes: 48213 },
  },
  {
    method: 'put',
    path: '/callback',
    schema: registerCallbackRequestSchema,
    example: { url: 'https://hooks.example.com/reelay' },
  },
  {
    method: 'put',
    path: '/connections/youtube/{name}',
    schema: youtubeConnectionSchema,
    example: {
      clientId: '1234567890-abc.apps.googleusercontent.com',
      clientSecret: 'GOCSPX-example',
      refreshToken: '1//0example-refresh-token',
    },
  },
  ...SERIES_ROUTE_EXAMPLES,
] as const;

const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional().meta({ description: 'on a 500: urn:reelay:request:<Lambda request id>' }),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

const jobIdParam = z.object({
  jobId: z
    .string()
    .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/)
    .meta({ description: 'the job id (ULID)' }),
});
const idempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .meta({ description: 'makes retries safe: same key and body, same job' }),
});
const accepted = z.object({
  jobId: z.string(),
  status: z.string(),
  statusUrl: z.string(),
  parentJobId: z.string().optional(),
});

/** The problem answers of a route; every route can also answer 500 (libs/lambda's error handler). */
function problems(...codes: number[]) {
  return Object.fromEntries(
    [...codes, 500].map((c) => [
      String(c),
      {
        description: PROBLEM_TEXT[c] ?? 'error',
        content: { 'application/problem+json': { schema: problemSchema } },
      },
    ]),
  );
}
const PROBLEM_TEXT: Record<number, string> = {
  400: 'the request is malformed or invalid; `errors` names each field',
  401: 'no valid bearer token',
  404: 'no such job for this user',
  409: 'the job has already ended',
  413: 'the body or the declared upload is too large',
  415: 'the body is not application/json',
  422: 'understood but unusable (reused Idempotency-Key, upload not yours or not valid, refused callback URL)',
  429: 'the daily quota is spent; see Retry-After',
  503: 'contention; retry with the same Idempotency-Key',
  500: 'an unexpected failure on our side; `instance` names the request to quote when reporting it',
};

const connectionNameParam = z.object({
  name: z.string().regex(CONNECTION_NAME).meta({ description: 'your name for the connection (a channel)' }),
});
const connectionSummary = z.object({
  type: z.enum(['youtube']),
  name: z.string(),
  updatedAt: z.string(),
});

function jsonBody(index: number) {
  const route = ROUTE_EXAMPLES[index];
  if (!route) throw new Error(`no route example ${index}`);
  return {
    required: true,
    content: { 'application/json': { schema: route.schema, example: route.example } },
  };
}

const secured = { security: [{ bearer: [] }] };

const operations: Record<string, Record<string, ZodOpenApiOperationObject>> = {
  '/jobs': {
    post: {
      ...secured,
      operationId: 'submitJob',
      summary: 'Submit a job',
      requestParams: { header: idempotencyHeader },
      requestBody: jsonBody(0),
      responses: {
        '202': { description: 'accepted', content: { 'application/json': { schema: accepted } } },
        ...problems(400, 401, 413, 415, 422, 429, 503),
      },
    },
    get: {
      ...secured,
      operationId: 'listJobs',
      summary: "The caller's jobs, newest first",
      requestParams: {
        query: listJobsQuerySchema.extend({
          next: z.string().optional(),
          status: z.enum(API_JOB_STATUSES).optional(),
        }),
      },
      responses: {
        '200': { description: 'a page of jobs; pass `next` for the following page' },
        ...problems(400, 401),
      },
    },
  },
  '/jobs/{jobId}': {
    get: {
      ...secured,
      operationId: 'getJob',
      summary: 'Status, scenes, timeline, cost, prompt history and output links',
      requestParams: { path: jobIdParam },
      responses: { '200': { description: 'the job' }, ...problems(400, 401, 404) },
    },
  },
  '/jobs/{jobId}/regenerate': {
    post: {
      ...secured,
      operationId: 'regenerateJob',
      summary: 'A new job from this one with a changed prompt or options',
      requestParams: { path: jobIdParam, header: idempotencyHeader },
      requestBody: jsonBody(1),
      responses: {
        '202': { description: 'accepted', content: { 'application/json': { schema: accepted } } },
        ...problems(400, 401, 404, 413, 415, 422, 429),
      },
    },
  },
  '/jobs/{jobId}/cancel': {
    post: {
      ...secured,
      operationId: 'cancelJob',
      summary: 'Cancel a running job',
      requestParams: { path: jobIdParam },
      responses: { '202': { description: 'cancelling' }, ...problems(400, 401, 404, 409) },
    },
  },
  '/uploads': {
    post: {
      ...secured,
      operationId: 'createUpload',
      summary: 'A presigned POST for one media file (15 minutes)',
      requestBody: jsonBody(2),
      responses: {
        '201': { description: 'POST the file with these fields to url' },
        ...problems(400, 401, 403, 413, 415),
      },
    },
  },
  '/callback': {
    put: {
      ...secured,
      operationId: 'registerCallback',
      summary: 'Register the callback URL; the Standard Webhooks secret is returned once',
      requestBody: jsonBody(3),
      responses: { '200': { description: 'registered' }, ...problems(400, 401, 415, 422) },
    },
    get: {
      ...secured,
      operationId: 'describeCallback',
      summary: 'The registered callback URL',
      responses: { '200': { description: 'registered' }, ...problems(401, 404) },
    },
  },
  '/connections': {
    get: {
      ...secured,
      operationId: 'listConnections',
      summary: "The caller's publishing connections: type and name only, never a secret",
      responses: {
        '200': {
          description: 'connections',
          content: { 'application/json': { schema: z.object({ connections: z.array(connectionSummary) }) } },
        },
        ...problems(401),
      },
    },
  },
  '/connections/youtube/{name}': {
    put: {
      ...secured,
      operationId: 'putYouTubeConnection',
      summary:
        'Store (or replace) a YouTube connection: your OAuth client and its refresh token, kept encrypted and never returned',
      requestParams: { path: connectionNameParam },
      requestBody: jsonBody(
        ROUTE_EXAMPLES.findIndex((route) => route.path === '/connections/youtube/{name}'),
      ),
      responses: {
        '200': { description: 'stored', content: { 'application/json': { schema: connectionSummary } } },
        ...problems(400, 401, 413, 415),
      },
    },
    delete: {
      ...secured,
      operationId: 'deleteYouTubeConnection',
      summary: 'Delete a YouTube connection',
      requestParams: { path: connectionNameParam },
      responses: { '204': { description: 'deleted' }, ...problems(400, 401, 404) },
    },
  },
};

/** The OpenAPI 3.1 document, generated from the zod schemas the handlers validate with. */
export function openApiDocument(serverUrl?: string) {
  return createDocument({
    openapi: '3.1.0',
    info: { title: 'Reelay API', version: '1.0.0', description: 'Prompt in, finished video out.' },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths: { ...operations, ...seriesOperations(problems) },
  });
}
