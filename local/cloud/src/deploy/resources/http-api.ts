import type { StackScope } from '../stack-scope';
import { type CorsSpec, UnwiredResourceError } from '../stack-specs';
import type { CloudFormationResource } from '../template';
import type { ResourceDeployer, StackDeployment } from './resource-deployer';

/** AWS::ApiGatewayV2::Integration: remembered until the routes are wired. */
export const deployIntegration: ResourceDeployer = async (id, p, { httpApi }) => {
  httpApi.integrations.set(id, String(p.IntegrationUri));
  return { ref: id, attrs: {} };
};

/** AWS::ApiGatewayV2::Authorizer: the JWT issuer and audience a route that uses it checks. */
export const deployAuthorizer: ResourceDeployer = async (id, p, { httpApi }) => {
  httpApi.authorizers.set(id, {
    issuer: p.JwtConfiguration?.Issuer,
    audience: (p.JwtConfiguration?.Audience ?? []) as string[],
  });
  return { ref: id, attrs: {} };
};

/** AWS::ApiGatewayV2::Route: wired once every function and integration of the stack exists. */
export const deployRoute: ResourceDeployer = async (id, p, { httpApi }) => {
  httpApi.routes.push({ id, p });
  return { ref: id, attrs: {} };
};

/** Hands the local HTTP API the stack's CORS configuration and its routes, each to its function. */
export function wireHttpApi(
  resources: Record<string, CloudFormationResource>,
  scope: StackScope,
  deployment: StackDeployment,
): void {
  for (const resource of Object.values(resources)) {
    if (resource.Type === 'AWS::ApiGatewayV2::Api' && resource.Properties?.CorsConfiguration)
      deployment.targets.setCors?.(scope.props(resource).CorsConfiguration as CorsSpec);
  }
  const { integrations, authorizers, routes } = deployment.httpApi;
  for (const { id, p } of routes) {
    const integrationId = String(p.Target ?? '').replace(/^integrations\//, '');
    const functionArn = integrations.get(integrationId);
    if (!functionArn) throw new UnwiredResourceError(`route ${id} (${p.RouteKey}) has no integration`);
    const fnArn = functionArn.match(/arn:aws:lambda:[^:]+:[^:]+:function:[^/:]+/)?.[0] ?? functionArn;
    const fn = deployment.functions.get(fnArn);
    if (!fn)
      throw new UnwiredResourceError(
        `route ${id} (${p.RouteKey}) targets an unknown function ${functionArn}`,
      );
    const jwt = p.AuthorizationType === 'JWT' ? authorizers.get(String(p.AuthorizerId)) : undefined;
    deployment.targets.addRoute({
      routeKey: String(p.RouteKey),
      functionArn: fn.arn,
      ...(jwt ? { jwt } : {}),
    });
    deployment.triggered.add(fn.name);
  }
}
