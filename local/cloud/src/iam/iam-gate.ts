import type { AccessKeyRegistry, KeyHolder, Principal } from './access-keys';
import { type ArnScope, type JsonServiceName, jsonOperation } from './json-actions';
import type { Decision, IamRequest, PolicyEngine } from './policy-engine';
import { listBucketCheck, type S3Operation, type S3RequestShape, s3Operation } from './s3-actions';
import { parseQuery, type SignatureError, type SignedRequest, verifySignature } from './sigv4-verifier';

/** A refusal, in the terms of the service that refuses: HTTP status, error code, message. */
export class AccessRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The embedded cloud's IAM: every request to S3, DynamoDB, SQS, EventBridge and Step Functions is
 * SigV4-verified against the credentials the cloud issued, then the caller's role is asked (with
 * the policy engine) for each action the request performs. The services turn an AccessRefusal into
 * their own error shape.
 */
export class IamGate {
  constructor(
    readonly keys: AccessKeyRegistry,
    readonly engine: PolicyEngine,
    readonly scope: ArnScope,
  ) {}

  /** A JSON-protocol request (DynamoDB, SQS, EventBridge, Step Functions): signature, then every action. */
  async checkJson(
    service: JsonServiceName,
    operation: string,
    request: SignedRequest,
    body: Record<string, unknown>,
  ): Promise<Principal> {
    const { holder } = await this.verify(request, service, jsonSignatureRefusal);
    const decision = await this.engine.authorizeAll(
      holder.principal,
      jsonOperation(service, operation, body, this.scope),
    );
    if (!decision.allowed)
      throw new AccessRefusal(service === 'sqs' ? 403 : 400, 'AccessDeniedException', decision.message);
    return holder.principal;
  }

  /** An S3 REST request: signature (header or presigned URL), then every action it performs. */
  async checkS3(
    request: SignedRequest & Pick<S3RequestShape, 'deleteKeys'>,
  ): Promise<{ holder: KeyHolder; operation: S3Operation }> {
    const { holder } = await this.verify(request, 's3', s3SignatureRefusal);
    const operation = s3Operation({ ...request, query: parseQuery(request.rawQuery) });
    const decision = await this.engine.authorizeAll(holder.principal, operation.requests);
    if (!decision.allowed) throw s3AccessDenied(decision);
    return { holder, operation };
  }

  /** A browser POST upload signed by `accessKeyId`: the holder, if the key and its token are ours. */
  postUploader(accessKeyId: string, sessionToken: string | undefined): KeyHolder {
    const holder = this.keys.lookup(accessKeyId);
    if (!holder)
      throw new AccessRefusal(
        403,
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
      );
    if (holder.credentials.sessionToken !== sessionToken)
      throw new AccessRefusal(400, 'InvalidToken', 'The provided token is malformed or otherwise invalid.');
    return holder;
  }

  /** May the signer of a POST policy write this key? */
  async checkPostUpload(holder: KeyHolder, bucket: string, key: string): Promise<void> {
    const decision = await this.engine.authorize(holder.principal, {
      action: 's3:PutObject',
      resource: `arn:aws:s3:::${bucket}/${key}`,
    });
    if (!decision.allowed) throw s3AccessDenied(decision);
  }

  /** S3 says "no such key" only to callers that may list the bucket; to others it is Access Denied. */
  async mayListBucket(principal: Principal, bucket: string): Promise<boolean> {
    return (await this.engine.authorize(principal, listBucketCheck(bucket))).allowed;
  }

  /** Whether a principal may do something (tests and tools ask this directly). */
  authorize(principal: Principal, request: IamRequest): Promise<Decision> {
    return this.engine.authorize(principal, request);
  }

  private async verify(
    request: SignedRequest,
    service: string,
    refusal: (error: SignatureError) => AccessRefusal,
  ): Promise<{ holder: KeyHolder }> {
    try {
      return await verifySignature(request, { service, region: this.scope.region, keys: this.keys });
    } catch (error) {
      if (error instanceof Error && 'reason' in error) throw refusal(error as SignatureError);
      throw error;
    }
  }
}

/** S3's own AccessDenied: since 2023 it names the caller, the action and why, for same-account callers. */
export function s3AccessDenied(decision: Extract<Decision, { allowed: false }>): AccessRefusal {
  return new AccessRefusal(403, 'AccessDenied', decision.message);
}

function s3SignatureRefusal(error: SignatureError): AccessRefusal {
  switch (error.reason) {
    case 'missing':
      // An anonymous request to a private bucket: no public policy grants anything here.
      return new AccessRefusal(403, 'AccessDenied', 'Access Denied');
    case 'unknown-key':
      return new AccessRefusal(
        403,
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
      );
    case 'bad-token':
      return new AccessRefusal(400, 'InvalidToken', 'The provided token is malformed or otherwise invalid.');
    case 'mismatch':
      return new AccessRefusal(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      );
    case 'skewed':
      return new AccessRefusal(
        403,
        'RequestTimeTooSkewed',
        'The difference between the request time and the current time is too large.',
      );
    case 'expired':
      return new AccessRefusal(403, 'AccessDenied', 'Request has expired');
    case 'malformed':
      return new AccessRefusal(400, 'AuthorizationHeaderMalformed', error.message);
  }
}

function jsonSignatureRefusal(error: SignatureError): AccessRefusal {
  switch (error.reason) {
    case 'missing':
      return new AccessRefusal(
        400,
        'MissingAuthenticationTokenException',
        'Request is missing Authentication Token',
      );
    case 'unknown-key':
    case 'bad-token':
      return new AccessRefusal(
        400,
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    case 'mismatch':
    case 'skewed':
    case 'expired':
      return new AccessRefusal(400, 'InvalidSignatureException', error.message);
    case 'malformed':
      return new AccessRefusal(400, 'IncompleteSignatureException', error.message);
  }
}
