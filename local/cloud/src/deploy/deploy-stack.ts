import { CLOUD_ONLY_TYPES } from './cloud-only-types';
import { deploymentOrder } from './deployment-order';
import { resolve } from './intrinsics';
import { RESOURCE_DEPLOYERS, type StackDeployment, templateRoles, wireHttpApi } from './resources';
import { type Deployed, type StackScope, stackScope } from './stack-scope';
import {
  type DeployClients,
  type DeployTargets,
  type LocalCloudState,
  type StackInput,
  UnwiredResourceError,
} from './stack-specs';

export { CLOUD_ONLY_TYPES } from './cloud-only-types';
export { deploymentOrder } from './deployment-order';
export type {
  CorsSpec,
  DeployClients,
  DeployTargets,
  EventSourceSpec,
  LocalFunctionSpec,
  RoleSpec,
  RouteSpec,
  StackInput,
} from './stack-specs';
export { LocalCloudState, UnwiredResourceError } from './stack-specs';

/**
 * Deploys one CloudFormation template onto the embedded cloud through the real AWS APIs: queues,
 * buses, rules, archives, tables, buckets, state machines; and registers functions, event source
 * mappings and routes with the local runtime (resources/: one deployer per resource type). A
 * resource type it does not know and that is not listed as cloud-only fails the deploy, so nothing
 * is silently left unwired.
 */
export async function deployStack(
  stack: StackInput,
  clients: DeployClients,
  targets: DeployTargets,
  state: LocalCloudState,
  /**
   * Return before the background creations (tables) end: the caller awaits
   * `state.creationsSettled()` once every stack is deployed, so DynamoDB Local's start overlaps them.
   */
  options: { leaveCreationsRunning?: boolean } = {},
) {
  const resources = stack.template.Resources;
  const deployed = new Map<string, Deployed>();
  const scope = stackScope(stack, clients, deployed, state);
  const deployment: StackDeployment = {
    stack,
    clients,
    targets,
    cloud: state,
    functions: new Map(),
    triggered: new Set(),
    httpApi: { integrations: new Map(), authorizers: new Map(), routes: [] },
  };

  for (const id of deploymentOrder(resources)) {
    const resource = resources[id];
    if (!resource || Object.hasOwn(CLOUD_ONLY_TYPES, resource.Type)) continue;
    const p = scope.props(resource);
    const deployer = Object.hasOwn(RESOURCE_DEPLOYERS, resource.Type)
      ? RESOURCE_DEPLOYERS[resource.Type]
      : undefined;
    if (!deployer)
      throw new UnwiredResourceError(
        `${id} (${resource.Type}) is neither wired locally nor listed as cloud-only`,
      );
    deployed.set(id, await deployer(id, p, deployment));
  }

  wireHttpApi(resources, scope, deployment);
  publishExports(stack, scope, state);
  if (targets.addRole) {
    for (const role of templateRoles(resources, scope, clients.accountId)) targets.addRole(role);
  }
  assertEveryFunctionTriggered(deployment);
  if (!options.leaveCreationsRunning) await state.creationsSettled();
  return { resources: Object.fromEntries([...deployed].map(([id, d]) => [id, d.ref])) };
}

/** The stack's exported outputs, which later stacks read with Fn::ImportValue. */
function publishExports(stack: StackInput, scope: StackScope, state: LocalCloudState): void {
  for (const [key, output] of Object.entries(stack.template.Outputs ?? {})) {
    if (!output.Export) continue;
    try {
      state.exports.set(
        String(resolve(output.Export.Name, scope.context)),
        String(resolve(output.Value, scope.context)),
      );
    } catch (error) {
      throw new UnwiredResourceError(`output ${key} of ${stack.stackName}: ${(error as Error).message}`);
    }
  }
}

/** A function nothing invokes locally (no queue, rule, route or state machine) would never run: refuse it. */
function assertEveryFunctionTriggered({ functions, triggered }: StackDeployment): void {
  const untriggered = [...new Set(functions.values())].filter((f) => !triggered.has(f.name));
  if (untriggered.length > 0) {
    throw new UnwiredResourceError(
      `functions with no local trigger: ${untriggered.map((f) => f.name).join(', ')}`,
    );
  }
}
