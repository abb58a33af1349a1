import { CreateStateMachineCommand } from '@aws-sdk/client-sfn';
import type { ResolvedProperties } from '../stack-scope';
import { physicalName, type ResourceDeployer } from './resource-deployer';

/** AWS::StepFunctions::StateMachine on the emulator; the functions its definition names count as triggered. */
export const deployStateMachine: ResourceDeployer = async (id, p, deployment) => {
  const { clients, functions, triggered } = deployment;
  const name = physicalName(p.StateMachineName, id, deployment);
  const definition = substitutedDefinition(p);
  for (const [key, fn] of functions) if (definition.includes(key)) triggered.add(fn.name);
  const { stateMachineArn } = await clients.sfn.send(
    new CreateStateMachineCommand({
      name,
      definition,
      roleArn: String(p.RoleArn ?? `arn:aws:iam::${clients.accountId}:role/local`),
      type: p.StateMachineType ?? 'STANDARD',
    }),
  );
  return { ref: String(stateMachineArn), attrs: { Arn: String(stateMachineArn), Name: name } };
};

/** The definition as text with its DefinitionSubstitutions (${name}) filled in, as CloudFormation does. */
function substitutedDefinition(p: ResolvedProperties): string {
  let definition =
    typeof p.DefinitionString === 'string' ? p.DefinitionString : JSON.stringify(p.Definition ?? {});
  for (const [k, v] of Object.entries((p.DefinitionSubstitutions ?? {}) as Record<string, unknown>)) {
    definition = definition.split(`\${${k}}`).join(String(v));
  }
  return definition;
}
