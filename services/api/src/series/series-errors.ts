import { HttpProblemError } from '@reelay/lambda';

/** Another user's series, or none: the same 404 (a user never learns another's ids exist). */
export class SeriesNotFoundError extends HttpProblemError {
  constructor(seriesId: string | undefined) {
    super({ status: 404, title: 'Series not found', detail: `no series ${seriesId ?? ''} of yours` });
  }
}

/** The same Idempotency-Key with a different series body. */
export class SeriesIdempotencyKeyReusedError extends HttpProblemError {
  constructor() {
    super({
      status: 422,
      title: 'Idempotency-Key reused',
      detail: 'this Idempotency-Key created a different series; send a new key for a new series',
    });
  }
}

/** The schedule expression or time zone is one EventBridge Scheduler refuses (its own words in detail). */
export class InvalidSeriesScheduleError extends HttpProblemError {
  constructor(detail: string) {
    super({
      status: 400,
      title: 'Invalid schedule',
      detail,
      errors: [{ path: 'schedule', message: detail }],
    });
  }
}

/** Two appends raced for the same item positions: the client sends its items again. */
export class SeriesItemsContendedError extends HttpProblemError {
  constructor() {
    super(
      {
        status: 409,
        title: 'Items appended concurrently',
        detail: 'another append to this series won; send the items again',
      },
      { headers: { 'retry-after': '1' } },
    );
  }
}

/** An append past the most items a series holds. */
export class SeriesFullError extends HttpProblemError {
  constructor(limit: number) {
    super({ status: 422, title: 'Series full', detail: `a series holds at most ${limit} items` });
  }
}
