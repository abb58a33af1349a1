import { AwsServiceError, type JsonRequestGate } from '../../aws-json/src';
import { AccessRefusal, type IamGate } from './iam-gate';
import { JSON_SERVICE_BY_TARGET_PREFIX } from './json-actions';

/** The JSON emulator's gate: SigV4 and IAM for SQS, EventBridge and Step Functions, refused in AWS's words. */
export function jsonGate(iam: IamGate): JsonRequestGate {
  return async (request) => {
    const service = JSON_SERVICE_BY_TARGET_PREFIX[request.targetPrefix];
    if (!service) return;
    try {
      await iam.checkJson(service, request.operation, request, request.parsed);
    } catch (error) {
      if (!(error instanceof AccessRefusal)) throw error;
      throw new AwsServiceError(error.code, error.message, {
        status: error.status,
        queryCode: SQS_QUERY_CODES[error.code] ?? error.code,
      });
    }
  };
}

/** The query-protocol codes SQS sends (x-amzn-query-error) for these refusals. */
const SQS_QUERY_CODES: Record<string, string> = {
  AccessDeniedException: 'AccessDenied',
  MissingAuthenticationTokenException: 'MissingAuthenticationToken',
  UnrecognizedClientException: 'InvalidClientTokenId',
  InvalidSignatureException: 'SignatureDoesNotMatch',
  IncompleteSignatureException: 'IncompleteSignature',
};
