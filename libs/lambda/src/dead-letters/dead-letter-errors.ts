/** A dead message whose body names no job: it cannot become JobFailed, so it stays for an operator. */
export class UnattributedDeadLetterError extends Error {
  readonly code = 'UNATTRIBUTED_DEAD_LETTER';
  /** Not retryable, yet thrown: leaving it in its DLQ (and its alarm on) is how an operator sees it. */
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'UnattributedDeadLetterError';
  }
}

/** A record from a queue missing in DEAD_LETTER_QUEUES: the service's serverless.yml is incomplete. */
export class UnknownDeadLetterQueueError extends Error {
  readonly code = 'UNKNOWN_DEAD_LETTER_QUEUE';
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'UnknownDeadLetterQueueError';
  }
}
