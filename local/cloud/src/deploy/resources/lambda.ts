import { join } from 'node:path';
import type { ResolvedProperties } from '../stack-scope';
import { type LocalFunctionSpec, UnwiredResourceError } from '../stack-specs';
import { physicalName, type ResourceDeployer, type StackDeployment } from './resource-deployer';

/** AWS::Lambda::Function: registered with the local runtime, which runs its handler from the service's source. */
export const deployFunction: ResourceDeployer = async (id, p, deployment) => {
  const spec = localFunctionSpec(id, p, deployment);
  deployment.targets.addFunction(spec);
  deployment.functions.set(spec.arn, spec).set(spec.name, spec);
  return { ref: spec.name, attrs: { Arn: spec.arn } };
};

function localFunctionSpec(
  id: string,
  p: ResolvedProperties,
  deployment: StackDeployment,
): LocalFunctionSpec {
  const { region, accountId } = deployment.clients;
  const name = physicalName(p.FunctionName, id, deployment);
  const [, exportName] = splitHandler(String(p.Handler));
  return {
    logicalId: id,
    name,
    arn: `arn:aws:lambda:${region}:${accountId}:function:${name}`,
    handlerFile: handlerFile(deployment.stack.serviceDir, String(p.Handler)),
    exportName,
    env: Object.fromEntries(
      Object.entries((p.Environment?.Variables ?? {}) as Record<string, unknown>).map(([k, v]) => [
        k,
        String(v),
      ]),
    ),
    timeoutSec: Number(p.Timeout ?? 3),
    memoryMb: Number(p.MemorySize ?? 128),
    reservedConcurrency:
      p.ReservedConcurrentExecutions === undefined ? undefined : Number(p.ReservedConcurrentExecutions),
    ...(typeof p.Role === 'string' && p.Role.startsWith('arn:aws:iam::') ? { roleArn: p.Role } : {}),
  };
}

/** AWS::Lambda::EventSourceMapping: an SQS poller the runtime starts once every stack is deployed. */
export const deployEventSourceMapping: ResourceDeployer = async (id, p, deployment) => {
  const fn = deployment.functions.get(String(p.FunctionName));
  if (!fn)
    throw new UnwiredResourceError(
      `event source mapping ${id} targets an unknown function ${p.FunctionName}`,
    );
  deployment.targets.addEventSource({
    queueArn: String(p.EventSourceArn),
    functionName: fn.name,
    batchSize: Number(p.BatchSize ?? 10),
    reportBatchItemFailures: ((p.FunctionResponseTypes ?? []) as string[]).includes(
      'ReportBatchItemFailures',
    ),
    maximumConcurrency: p.ScalingConfig?.MaximumConcurrency,
    enabled: p.Enabled !== false,
  });
  deployment.triggered.add(fn.name);
  return { ref: id, attrs: {} };
};

/** The TypeScript source a function's `Handler` ("src/functions/x/handler.handler") names in its service. */
export function handlerFile(serviceDir: string, handler: string): string {
  return join(serviceDir, `${splitHandler(handler)[0]}.ts`);
}

/** "src/functions/x/handler.handler" -> the module path and its export. */
function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  return [handler.slice(0, dot), handler.slice(dot + 1)];
}
