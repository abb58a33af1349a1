import type { RequestBody } from '../shared/request-fields';

/** What an operation handler gets besides the body: a signal that fires when the caller goes away. */
export interface OperationContext {
  signal: AbortSignal;
}

export type OperationHandler = (body: RequestBody, context: OperationContext) => unknown;

/** One AWS JSON-protocol service, addressed by the prefix of its X-Amz-Target header. */
export interface JsonService {
  /** "AmazonSQS", "AWSEvents", "AWSStepFunctions". */
  targetPrefix: string;
  /** "1.0" or "1.1" (the awsJson protocol version, echoed in the response content type). */
  jsonVersion: '1.0' | '1.1';
  /** Smithy namespace of the error shapes, e.g. "com.amazonaws.sqs". */
  errorNamespace: string;
  /** SQS still sends the query-protocol error code in x-amzn-query-error. */
  queryCompatible: boolean;
  operations: Readonly<Record<string, OperationHandler>>;
}
