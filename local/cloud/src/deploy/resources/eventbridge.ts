import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import type { ResolvedProperties } from '../stack-scope';
import { UnwiredResourceError } from '../stack-specs';
import { jsonText, physicalName, type ResourceDeployer, type StackDeployment } from './resource-deployer';

/** AWS::Events::EventBus */
export const deployEventBus: ResourceDeployer = async (_id, p, { clients }) => {
  const name = String(p.Name);
  const { EventBusArn } = await clients.events.send(new CreateEventBusCommand({ Name: name }));
  return { ref: name, attrs: { Arn: String(EventBusArn), Name: name } };
};

/** AWS::Events::Archive: the emulator keeps matching events for replay. */
export const deployArchive: ResourceDeployer = async (id, p, deployment) => {
  const name = physicalName(p.ArchiveName, id, deployment);
  const { ArchiveArn } = await deployment.clients.events.send(
    new CreateArchiveCommand({
      ArchiveName: name,
      EventSourceArn: p.SourceArn,
      EventPattern: jsonText(p.EventPattern),
      RetentionDays: p.RetentionDays,
    }),
  );
  return { ref: name, attrs: { Arn: String(ArchiveArn), ArchiveName: name } };
};

/** AWS::Events::Rule with its targets: queues and buses are put as targets, a function of the stack is invoked by the emulator. */
export const deployRule: ResourceDeployer = async (id, p, deployment) => {
  const { events } = deployment.clients;
  const name = physicalName(p.Name, id, deployment);
  const busName = p.EventBusName ? String(p.EventBusName).split('/').pop() : 'default';
  const { RuleArn } = await events.send(
    new PutRuleCommand({
      Name: name,
      EventBusName: busName,
      EventPattern: jsonText(p.EventPattern),
      ScheduleExpression: p.ScheduleExpression,
      State: p.State ?? 'ENABLED',
    }),
  );
  const targets = (p.Targets ?? []) as ResolvedProperties[];
  for (const target of targets) checkRuleTarget(name, target, deployment);
  if (targets.length > 0) {
    await events.send(
      new PutTargetsCommand({
        Rule: name,
        EventBusName: busName,
        Targets: targets.map((t) => ({
          Id: String(t.Id),
          Arn: String(t.Arn),
          Input: t.Input,
          InputPath: t.InputPath,
          InputTransformer: t.InputTransformer,
          DeadLetterConfig: t.DeadLetterConfig,
          RetryPolicy: t.RetryPolicy,
        })),
      }),
    );
  }
  return { ref: name, attrs: { Arn: String(RuleArn) } };
};

/** A target the emulator cannot deliver to fails the deploy rather than dropping the rule's events. */
function checkRuleTarget(rule: string, target: ResolvedProperties, deployment: StackDeployment): void {
  const arn = String(target.Arn);
  // A Lambda target (e.g. a `schedule` event) is invoked by the emulator's EventBridge.
  const lambdaTarget = deployment.functions.get(arn);
  if (lambdaTarget) {
    deployment.triggered.add(lambdaTarget.name);
    return;
  }
  if (!arn.startsWith('arn:aws:sqs:') && !arn.startsWith('arn:aws:events:')) {
    throw new UnwiredResourceError(
      `rule ${rule} targets ${target.Arn}: only SQS queues, event buses and functions of this stack are wired locally`,
    );
  }
}
