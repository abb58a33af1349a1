/**
 * Checks that a first deploy to a fresh account works: the api trusts a token issuer that exists,
 * browsers may send the headers the api reads, intermediates expire while outputs stay, and a
 * dev stage can be removed and deployed again.
 */
import { isRecord } from './intrinsics';
import type { Templates } from './template-checks';

const resource = (templates: Templates, service: string, id: string) =>
  templates[service]?.Resources[id] as {
    Type?: string;
    Condition?: string;
    Properties?: Record<string, unknown>;
  };

/** With no issuer configured, the JWT authorizer trusts the api stack's own Cognito user pool. */
export const checkOwnUserPool = (templates: Templates): string[] => {
  const violations: string[] = [];
  const conditions =
    (templates.api as { Conditions?: Record<string, unknown> } | undefined)?.Conditions ?? {};
  if (JSON.stringify(conditions.UseOwnUserPool) !== JSON.stringify({ 'Fn::Equals': ['', ''] }))
    violations.push('api: with no jwtIssuerUrl, UseOwnUserPool is not true');
  const jwt = resource(templates, 'api', 'HttpApiAuthorizerReelayJwt')?.Properties?.JwtConfiguration;
  const issuer = JSON.stringify(isRecord(jwt) ? jwt.Issuer : undefined) ?? '';
  const audience = JSON.stringify(isRecord(jwt) ? jwt.Audience : undefined) ?? '';
  // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
  if (!issuer.includes('https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}/${UserPool}'))
    violations.push('api: the authorizer does not trust the UserPool issuer');
  if (!audience.includes('{"Ref":"MachineClient"}'))
    violations.push('api: the authorizer audience is not the MachineClient id');
  const client = resource(templates, 'api', 'MachineClient');
  const flows = client?.Properties?.AllowedOAuthFlows;
  if (client?.Type !== 'AWS::Cognito::UserPoolClient' || JSON.stringify(flows) !== '["client_credentials"]')
    violations.push('api: no MachineClient app client with the client_credentials flow');
  const scopes = resource(templates, 'api', 'ApiResourceServer')?.Properties;
  const scopeNames = Array.isArray(scopes?.Scopes)
    ? scopes.Scopes.map((s) => `${scopes.Identifier}/${isRecord(s) ? s.ScopeName : ''}`)
    : [];
  for (const scope of (client?.Properties?.AllowedOAuthScopes as string[] | undefined) ?? [])
    if (!scopeNames.includes(scope))
      violations.push(`api: MachineClient scope ${scope} has no resource server`);
  if (resource(templates, 'api', 'UserPoolDomain')?.Type !== 'AWS::Cognito::UserPoolDomain')
    violations.push('api: no UserPoolDomain, so no token endpoint');
  for (const id of ['UserPool', 'UserPoolDomain', 'ApiResourceServer', 'MachineClient'])
    if (resource(templates, 'api', id)?.Condition !== 'UseOwnUserPool')
      violations.push(`api: ${id} is not conditional on UseOwnUserPool`);
  return violations;
};

/** Browsers may send every header the api reads. */
export const checkCorsHeaders = (templates: Templates): string[] => {
  const cors = resource(templates, 'api', 'HttpApi')?.Properties?.CorsConfiguration;
  const allowed = new Set(
    (isRecord(cors) && Array.isArray(cors.AllowHeaders) ? cors.AllowHeaders : []).map((h) =>
      String(h).toLowerCase(),
    ),
  );
  return ['authorization', 'content-type', 'idempotency-key']
    .filter((header) => !allowed.has(header))
    .map((header) => `api: CORS does not allow the ${header} header`);
};

interface LifecycleRule {
  Id?: string;
  Status?: string;
  Prefix?: string;
  ExpirationInDays?: unknown;
}

/**
 * The media bucket expires uploads/ and intermediates/ (scenes, prepared clips, frames) and has
 * no expiring rule that covers jobs/ (final video, thumbnail, captions).
 */
export const checkMediaLifecycle = (templates: Templates): string[] => {
  const config = resource(templates, 'api', 'MediaBucket')?.Properties?.LifecycleConfiguration;
  const rules = (isRecord(config) && Array.isArray(config.Rules) ? config.Rules : []) as LifecycleRule[];
  const expiring = rules.filter((rule) => rule.Status === 'Enabled' && rule.ExpirationInDays !== undefined);
  const violations: string[] = [];
  for (const prefix of ['uploads/', 'intermediates/'])
    if (!expiring.some((rule) => rule.Prefix === prefix && Number(rule.ExpirationInDays) > 0))
      violations.push(`api: nothing expires ${prefix} in the media bucket`);
  for (const rule of expiring)
    if (!rule.Prefix || 'jobs/'.startsWith(rule.Prefix) || rule.Prefix.startsWith('jobs/'))
      violations.push(`api: lifecycle rule ${rule.Id} expires final outputs under jobs/`);
  return violations;
};

/** In a dev stage, removing the stacks deletes the bucket and tables, so a redeploy succeeds. */
export const checkDevDataDeleted = (templates: Templates): string[] =>
  Object.entries(templates).flatMap(([service, template]) =>
    Object.entries(template.Resources)
      .filter(([, r]) => ['AWS::S3::Bucket', 'AWS::DynamoDB::Table'].includes(r.Type))
      .filter(([, r]) => (r as { DeletionPolicy?: string }).DeletionPolicy === 'Retain')
      .map(([id]) => `${service}: ${id} is retained on remove in dev, so a redeploy after remove fails`),
  );
