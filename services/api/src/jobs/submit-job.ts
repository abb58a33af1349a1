import { type EventPublisher, jobRequested, jobSpecSchema, newMeta } from '@reelay/events';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { ulid } from 'ulid';
import type { z } from 'zod';
import { json, problem } from '../http/problem';

export interface SubmitJobDeps {
  publisher: Pick<EventPublisher, 'publish'>;
  now?: () => Date;
  newJobId?: () => string;
}

/** POST /jobs: validates the spec and publishes JobRequested; the job then lives in events. */
export async function submitJob(
  userId: string,
  rawBody: string | undefined,
  deps: SubmitJobDeps,
): Promise<APIGatewayProxyResultV2> {
  let body: unknown;
  try {
    body = rawBody ? JSON.parse(rawBody) : undefined;
  } catch {
    return problem({ status: 400, title: 'Malformed JSON', detail: 'the request body is not valid JSON' });
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return problem({
      status: 400,
      title: 'Missing job spec',
      detail: 'send a JSON object with at least a prompt',
    });
  }
  const parsed = jobSpecSchema.safeParse(body);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({
      path: i.path.join('.') || '(body)',
      message: describeIssue(i),
    }));
    return problem({
      status: 400,
      title: 'Invalid job spec',
      detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      errors,
    });
  }
  if (parsed.data.uploads.length > 0) {
    return problem({
      status: 422,
      title: 'Uploads not available',
      detail: 'this deployment does not accept uploads yet',
    });
  }
  const now = deps.now?.() ?? new Date();
  const jobId = deps.newJobId?.() ?? ulid();
  await deps.publisher.publish(jobRequested, {
    version: 1,
    jobId,
    meta: newMeta(userId, now),
    spec: parsed.data,
    uploadKeys: [],
    deadlineAt: new Date(now.getTime() + parsed.data.deadlineSec * 1000).toISOString(),
  });
  return json(
    202,
    { jobId, status: 'REQUESTED', statusUrl: `/jobs/${jobId}` },
    { location: `/jobs/${jobId}` },
  );
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}
