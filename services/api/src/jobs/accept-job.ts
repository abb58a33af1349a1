import { createHash } from 'node:crypto';
import type { EventPublisher, JobSpec } from '@reelay/events';
import { type HttpResponse, json } from '@reelay/lambda';
import { ulid } from 'ulid';
import { type AdmissionPolicy, defaultAdmissionPolicy } from '../admission/admission-policy';
import { publishAdmittedJob, startQueuedJobs } from '../admission/start-queued-jobs';
import type { ApiJob, PromptHistoryEntry } from './api-job';
import { createJob, type TableDeps } from './create-job';
import { DailyQuotaSpentError, IdempotencyKeyReusedError } from './job-errors';
import { type QuotaPolicy, quotaDay, quotaUnits, secondsUntilQuotaReset } from './quota';

export interface AcceptJobDeps extends TableDeps {
  publisher: Pick<EventPublisher, 'publish'>;
  quota: QuotaPolicy;
  /** The per-user limit of concurrent jobs (default 10: src/admission/admission-policy.ts). */
  admission?: AdmissionPolicy;
  now?: () => Date;
  newJobId?: () => string;
}

export interface JobRequest {
  userId: string;
  spec: JobSpec;
  uploadKeys: string[];
  /** The style references' S3 keys (resolveStyleReferences), when the spec has any. */
  styleReferenceKeys?: string[];
  parentJobId?: string;
  /** The parent's prompt history, for a regeneration. */
  history?: PromptHistoryEntry[];
  idempotencyKey?: string;
  /** An episode of a series: carried on the job and its JobRequested. */
  series?: { seriesId: string; itemId: string };
}

/**
 * Accepts a validated job: records it with its quota in one transaction, then publishes JobRequested
 * unless the user's slots are full: then the job is QUEUED and its JobRequested is published when it
 * starts (api.notify, src/admission/start-queued-jobs.ts).
 * If the process dies between the two, the job is recorded unpublished; a retry with the same
 * Idempotency-Key finds it and publishes it (documented in the api README). A reused key and a spent
 * quota are thrown (IdempotencyKeyReusedError, DailyQuotaSpentError).
 */
export async function acceptJob(request: JobRequest, deps: AcceptJobDeps): Promise<HttpResponse> {
  const now = deps.now?.() ?? new Date();
  const jobId = deps.newJobId?.() ?? ulid(now.getTime());
  const createdAt = now.toISOString();
  const job: Omit<ApiJob, 'admission' | 'startedAt'> = {
    jobId,
    userId: request.userId,
    correlationId: ulid(now.getTime()),
    spec: request.spec,
    ...(request.parentJobId ? { parentJobId: request.parentJobId } : {}),
    uploadKeys: request.uploadKeys,
    ...(request.styleReferenceKeys?.length ? { styleReferenceKeys: request.styleReferenceKeys } : {}),
    ...(request.series ? { series: request.series } : {}),
    createdAt,
    deadlineAt: new Date(now.getTime() + request.spec.deadlineSec * 1000).toISOString(),
    quotaDay: quotaDay(now),
    quotaUnits: quotaUnits(request.spec, deps.quota),
    published: false,
    history: [
      ...(request.history ?? []),
      { jobId, ...(request.spec.prompt ? { prompt: request.spec.prompt } : {}), createdAt },
    ],
  };
  const claim = request.idempotencyKey
    ? { key: request.idempotencyKey, requestHash: requestHash(request) }
    : undefined;
  const outcome = await createJob(job, claim, deps.quota, deps, deps.admission);
  switch (outcome.kind) {
    case 'key-reused':
      throw new IdempotencyKeyReusedError();
    case 'quota-exceeded':
      throw new DailyQuotaSpentError({
        units: outcome.units,
        limit: outcome.limit,
        unit: deps.quota.unit,
        retryAfterSec: secondsUntilQuotaReset(now),
      });
    case 'created':
    case 'replayed': {
      // A queued job is published when it starts; one that ended (cancelled while queued) never is.
      const queued = outcome.job.admission === 'QUEUED';
      if (!queued) await publishAdmittedJob(outcome.job, deps);
      // Queued behind full slots: a slot held by a job whose submit died before publishing it is freed
      // by publishing that job (it then runs and ends), and a slot freed meanwhile goes to the oldest.
      else if (outcome.kind === 'created')
        await startQueuedJobs(outcome.job.userId, {
          ...deps,
          admission: deps.admission ?? defaultAdmissionPolicy,
        });
      const id = outcome.job.jobId;
      return json(
        202,
        {
          jobId: id,
          status: queued ? 'QUEUED' : 'REQUESTED',
          statusUrl: `/jobs/${id}`,
          ...(outcome.job.parentJobId ? { parentJobId: outcome.job.parentJobId } : {}),
        },
        {
          location: `/jobs/${id}`,
          ...(outcome.kind === 'replayed' ? { 'idempotent-replayed': 'true' } : {}),
        },
      );
    }
  }
}

/** Same key and same validated request (defaults applied) is the same job. */
function requestHash(request: JobRequest): string {
  return createHash('sha256')
    .update(JSON.stringify({ spec: request.spec, parentJobId: request.parentJobId ?? null }))
    .digest('hex');
}
