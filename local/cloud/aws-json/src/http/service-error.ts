/**
 * An error a backend throws that the HTTP layer turns into AWS's JSON error shape.
 * `code` is the Smithy shape name the SDK maps to its typed exception; `queryCode` is the
 * legacy query-protocol code SQS also sends (x-amzn-query-error) so query-compatible
 * clients resolve the same exception.
 */
export class AwsServiceError extends Error {
  readonly code: string;
  readonly status: number;
  readonly queryCode: string | undefined;

  constructor(code: string, message: string, options: { status?: number; queryCode?: string } = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = options.status ?? 400;
    this.queryCode = options.queryCode;
  }
}

/** A request parameter is missing or malformed. */
export class ValidationError extends AwsServiceError {
  constructor(message: string, code = 'ValidationException') {
    super(code, message);
  }
}

/** The X-Amz-Target names an operation this emulator does not implement. */
export class UnknownOperationError extends AwsServiceError {
  constructor(target: string) {
    super('UnknownOperationException', `Operation ${target} is not supported by the local emulator`);
  }
}
