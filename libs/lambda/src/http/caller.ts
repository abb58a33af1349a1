import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';

/** The authenticated user, from the claims API Gateway's JWT authorizer verified. */
export function callerId(event: APIGatewayProxyEventV2WithJWTAuthorizer): string | undefined {
  const sub = event.requestContext?.authorizer?.jwt?.claims?.sub;
  return typeof sub === 'string' && sub.length > 0 ? sub : undefined;
}
