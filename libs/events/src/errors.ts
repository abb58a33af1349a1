/** Base of every Reelay error: says what and why, and whether trying again can help. */
export abstract class ReelayError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class EventTooLargeError extends ReelayError {
  readonly code = 'EVENT_TOO_LARGE';
  readonly retryable = false;
}

export class PublishFailedError extends ReelayError {
  readonly code = 'PUBLISH_FAILED';
  readonly retryable = true;
}

/** A message whose body is not an EventBridge event at all. */
export class MalformedEnvelopeError extends ReelayError {
  readonly code = 'MALFORMED_ENVELOPE';
  readonly retryable = false;
}

export class UnknownEventTypeError extends ReelayError {
  readonly code = 'UNKNOWN_EVENT_TYPE';
  readonly retryable = false;
}

export class UnknownEventVersionError extends ReelayError {
  readonly code = 'UNKNOWN_EVENT_VERSION';
  readonly retryable = false;
}

export class InvalidEventError extends ReelayError {
  readonly code = 'INVALID_EVENT';
  readonly retryable = false;
}
