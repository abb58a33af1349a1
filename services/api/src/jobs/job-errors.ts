import { HttpProblemError } from '@reelay/lambda';

/** Refusals of the job routes: each becomes its problem+json in libs/lambda's one HTTP error handler. */

export class InvalidJobIdError extends HttpProblemError {
  constructor() {
    super({
      status: 400,
      title: 'Invalid job id',
      detail: 'a job id is the 26-character ULID that POST /jobs returned',
    });
  }
}

/** Missing, or someone else's: the two are indistinguishable to the caller. */
export class JobNotFoundError extends HttpProblemError {
  constructor(jobId: string) {
    super({ status: 404, title: 'Job not found', detail: `you have no job ${jobId}` });
  }
}

export class JobAlreadyEndedError extends HttpProblemError {
  constructor(jobId: string, how: string) {
    super({
      status: 409,
      title: 'Job already finished',
      detail: `job ${jobId} has already ended (${how.toLowerCase()}); only a running job can be cancelled`,
    });
  }
}

export class IdempotencyKeyReusedError extends HttpProblemError {
  constructor() {
    super({
      status: 422,
      title: 'Idempotency-Key reused',
      detail: 'this Idempotency-Key was already used with a different request; use a new key for a new job',
    });
  }
}

export class DailyQuotaSpentError extends HttpProblemError {
  constructor(quota: { units: number; limit: number; unit: string; retryAfterSec: number }) {
    super(
      {
        status: 429,
        title: 'Daily quota spent',
        detail: `this job needs ${quota.units} of your ${quota.limit} ${quota.unit} per day; the quota resets in ${quota.retryAfterSec} s (00:00 UTC)`,
      },
      { headers: { 'retry-after': String(quota.retryAfterSec) } },
    );
  }
}

/** The transaction kept conflicting with concurrent ones (e.g. many submissions of one user at once). */
export class JobCreationContendedError extends HttpProblemError {
  constructor(attempts: number) {
    super(
      {
        status: 503,
        title: 'Busy, try again',
        detail: `too many concurrent submissions for this user (still conflicting after ${attempts} attempts); retry with the same Idempotency-Key`,
      },
      { headers: { 'retry-after': '1' } },
    );
  }
}
