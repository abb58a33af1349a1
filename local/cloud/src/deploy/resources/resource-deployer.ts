import type { Deployed, ResolvedProperties } from '../stack-scope';
import type {
  DeployClients,
  DeployTargets,
  LocalCloudState,
  LocalFunctionSpec,
  StackInput,
} from '../stack-specs';

/** What the deployers of one stack share while it is deployed. */
export interface StackDeployment {
  stack: StackInput;
  clients: DeployClients;
  targets: DeployTargets;
  cloud: LocalCloudState;
  /** The stack's functions by ARN and by name, for the triggers that name them either way. */
  functions: Map<string, LocalFunctionSpec>;
  /** Names of the functions something invokes: a function left without a trigger fails the deploy. */
  triggered: Set<string>;
  /** The HTTP API's pieces, wired into routes once every function exists. */
  httpApi: {
    integrations: Map<string, string>;
    authorizers: Map<string, { issuer?: string; audience: string[] }>;
    routes: Array<{ id: string; p: ResolvedProperties }>;
  };
}

/** Creates one resource of a type on the embedded cloud (or registers it with the runtime). */
export type ResourceDeployer = (
  id: string,
  p: ResolvedProperties,
  deployment: StackDeployment,
) => Promise<Deployed>;

/** The name a resource is given: the template's, else one CloudFormation-style from the stack. */
export function physicalName(given: unknown, id: string, deployment: StackDeployment): string {
  return String(given ?? `${deployment.stack.stackName}-${id}`);
}

/** A pattern or policy the template may give as an object or as JSON text, as the APIs take it: text. */
export function jsonText(value: unknown): string | undefined {
  if (!value) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
