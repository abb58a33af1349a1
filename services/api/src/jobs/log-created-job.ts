import type { Logger } from '@aws-lambda-powertools/logger';
import type { HttpResponse } from '@reelay/lambda';

/**
 * A request that created a job (POST /jobs, POST /jobs/{jobId}/regenerate) learns the job's id only
 * once it is created: from then on the request's log lines (its "request served" line) carry it as
 * jobId, and a regenerate's path id as parentJobId. The id is read from the Location header the
 * 202 answer names the job by, so the domain modules need not know about logging.
 */
export function logCreatedJob(logger: Logger, response: HttpResponse, parentJobId?: string): HttpResponse {
  const location = response.headers?.location;
  const jobId = typeof location === 'string' ? /^\/jobs\/([^/?#]+)$/.exec(location)?.[1] : undefined;
  if (jobId) logger.appendKeys({ jobId, ...(parentJobId ? { parentJobId } : {}) });
  return response;
}
