import type { IamRequest } from './policy-engine';

type Body = Record<string, unknown>;

/**
 * The IAM requests of a Parameter Store call (SSM's "Actions, resources and condition keys"): the
 * action `ssm:<Operation>` on each parameter it names, `arn:aws:ssm:<region>:<account>:parameter/<name
 * without its leading slash>`; GetParametersByPath on the path's ARN; DescribeParameters on `*`.
 * A SecureString read WithDecryption also needs kms:Decrypt on the key in AWS: not modelled (the
 * local store has no KMS; the aws/ssm managed key allows every principal of the account anyway).
 */
export function ssmRequests(
  operation: string,
  body: Body,
  { region, accountId }: { region: string; accountId: string },
): IamRequest[] {
  const action = `ssm:${operation}`;
  const arn = (name: string) =>
    name.startsWith('arn:')
      ? name
      : `arn:aws:ssm:${region}:${accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
  const names = (field: string) =>
    (Array.isArray(body[field]) ? (body[field] as unknown[]) : []).filter(
      (n): n is string => typeof n === 'string',
    );
  switch (operation) {
    case 'GetParameters':
    case 'DeleteParameters':
      return names('Names').map((name) => ({ action, resource: arn(name) }));
    case 'GetParametersByPath':
      return [{ action, resource: arn(typeof body.Path === 'string' ? body.Path.replace(/\/$/, '') : '') }];
    case 'DescribeParameters':
      return [{ action, resource: '*' }];
    default:
      return [{ action, resource: arn(typeof body.Name === 'string' ? body.Name : '') }];
  }
}
