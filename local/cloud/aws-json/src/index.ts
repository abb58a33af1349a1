import { formatEventTime } from './events/event-envelope';
import { eventBridgeJsonService } from './events/eventbridge-api';
import { DEFAULT_BUS, EventBridgeBackend } from './events/eventbridge-backend';
import { TargetDeliveryError } from './events/eventbridge-errors';
import type { TargetDeliverer } from './events/target-delivery';
import { type JsonRequestGate, startJsonServer } from './http/json-server';
import { SchedulerBackend } from './scheduler/scheduler-backend';
import { startSchedulerServer } from './scheduler/scheduler-server';
import { stepFunctionsJsonService } from './sfn/sfn-api';
import { StepFunctionsBackend } from './sfn/step-functions-backend';
import { DurableStore } from './shared/durable-store';
import type { BeforeDeliverHook } from './sqs/delivery-faults';
import { sqsJsonService } from './sqs/sqs-api';
import { SqsBackend } from './sqs/sqs-backend';
import { ParameterStore } from './ssm/parameter-store';
import { ssmJsonService } from './ssm/ssm-api';

export interface AwsJsonEmulatorOptions {
  region?: string;
  accountId?: string;
  /** 0 (the default) picks a free port on 127.0.0.1. */
  port?: number;
  /**
   * Runs a Lambda function for a Step Functions Task state whose Resource is a Lambda ARN (or
   * arn:aws:states:::lambda:invoke with Parameters.FunctionName), and for EventBridge rule targets
   * that are Lambda functions. Rejects with the function's error (name + message) on failure.
   */
  invokeLambda: (functionArn: string, payload: unknown) => Promise<unknown>;
  /** Fault injection, off unless given; more hooks can be added later on the backends. */
  faults?: {
    /** Consulted by ReceiveMessage for each message about to be delivered. */
    sqsBeforeDeliver?: BeforeDeliverHook;
  };
  /** Checks every request before it runs (signatures, IAM); none trusts every caller. */
  gate?: JsonRequestGate;
  /** Back-off between EventBridge target retries (attempt 0, 1, ...); compressed by default. */
  eventRetryDelayMs?: (attempt: number) => number;
  /**
   * A SQLite file that keeps SQS messages, archived and undelivered events, schedules and executions across restarts
   * (shared/durable-store.ts). Without it everything is in memory. After a restart, create the
   * resources again (queues, archives, state machines), then call `resume()`.
   */
  stateFile?: string;
  /**
   * Whether a schedule's role may put its event on the bus (the role trusts scheduler.amazonaws.com
   * and allows events:PutEvents there): undefined when it may, else why not. Without it every role may.
   */
  authorizeScheduleTarget?: (roleArn: string, busArn: string) => Promise<string | undefined>;
}

export interface AwsJsonEmulator {
  url: string;
  region: string;
  accountId: string;
  sqs: SqsBackend;
  events: EventBridgeBackend;
  sfn: StepFunctionsBackend;
  /** SSM Parameter Store (AmazonSSM, on the JSON endpoint). */
  ssm: ParameterStore;
  /** EventBridge Scheduler (REST-JSON, on its own port: `schedulerUrl`). */
  scheduler: SchedulerBackend;
  schedulerUrl: string;
  /**
   * Resumes what a previous run left unfinished (call once the queues, state machines and functions
   * exist again): delivers the events EventBridge had accepted and not yet delivered, and runs again
   * the Step Functions executions left RUNNING, and starts firing the schedules; returns those
   * executions' ARNs.
   */
  resume(): string[];
  /** Stops timers, replays, running executions and open long polls, then the server. */
  close(): Promise<void>;
}

/** Starts SQS, EventBridge and Step Functions behind one JSON-protocol endpoint on 127.0.0.1. */
export async function startAwsJsonEmulator(options: AwsJsonEmulatorOptions): Promise<AwsJsonEmulator> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const store = options.stateFile ? new DurableStore(options.stateFile) : undefined;
  const sqs = new SqsBackend({ region, accountId, ...(store ? { store } : {}) });
  if (options.faults?.sqsBeforeDeliver) sqs.addBeforeDeliverHook(options.faults.sqsBeforeDeliver);

  // Step Functions and EventBridge refer to each other (status events, rule targets), so the
  // target router looks the state machines up lazily.
  let sfn: StepFunctionsBackend | undefined;
  const deliverToTarget: TargetDeliverer = async (arn, input) => {
    const service = arn.split(':')[2];
    if (service === 'lambda') {
      try {
        await options.invokeLambda(arn, JSON.parse(input));
      } catch (error) {
        throw new TargetDeliveryError(
          'LAMBDA_FUNCTION_ERROR',
          error instanceof Error ? error.message : String(error),
          true,
        );
      }
      return;
    }
    if (service === 'states' && sfn) {
      try {
        sfn.startExecution(arn, { input });
      } catch (error) {
        throw new TargetDeliveryError(
          'RESOURCE_NOT_FOUND',
          error instanceof Error ? error.message : String(error),
          false,
        );
      }
      return;
    }
    throw new TargetDeliveryError(
      'UNSUPPORTED_TARGET',
      `The local emulator cannot deliver to ${arn}.`,
      false,
    );
  };
  const events = new EventBridgeBackend({
    region,
    accountId,
    sqs,
    deliverToTarget,
    ...(store ? { store } : {}),
    ...(options.eventRetryDelayMs ? { retryDelayMs: options.eventRetryDelayMs } : {}),
  });
  sfn = new StepFunctionsBackend({
    region,
    accountId,
    ...(store ? { store } : {}),
    invokeLambda: options.invokeLambda,
    putEvents: (entries) => {
      const results = events.putEvents(entries);
      return { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results };
    },
    sendMessage: (queueUrl, body) => {
      const sent = sqs.sendMessage(queueUrl, { body });
      return { MessageId: sent.messageId, MD5OfMessageBody: sent.md5OfMessageBody };
    },
    onStatusChange: (change) => {
      events.putServiceEvent(DEFAULT_BUS, {
        'detail-type': 'Step Functions Execution Status Change',
        source: 'aws.states',
        time: formatEventTime(new Date(change.stopDate ?? change.startDate)),
        resources: [change.executionArn],
        detail: { ...change },
      });
    },
  });

  const scheduler = new SchedulerBackend({
    region,
    accountId,
    ...(store ? { store } : {}),
    deliver: async (delivery) => {
      const refusal = await options.authorizeScheduleTarget?.(delivery.roleArn, delivery.busArn);
      if (refusal) return refusal;
      const [result] = events.putEvents([
        {
          EventBusName: delivery.busName,
          Source: delivery.source,
          DetailType: delivery.detailType,
          Detail: delivery.detail,
          Resources: [delivery.scheduleArn],
          Time: delivery.time,
        },
      ]);
      return result && 'ErrorCode' in result ? `${result.ErrorCode}: ${result.ErrorMessage}` : undefined;
    },
  });
  const schedulerServer = await startSchedulerServer(scheduler, options.gate);

  const parameters = new ParameterStore({ region, accountId, ...(store ? { store } : {}) });
  const server = await startJsonServer(
    [
      sqsJsonService(sqs),
      eventBridgeJsonService(events),
      stepFunctionsJsonService(sfn),
      ssmJsonService(parameters),
    ],
    options.port ?? 0,
    options.gate,
  );
  sqs.setEndpoint(server.url);
  const stepFunctions = sfn;
  return {
    url: server.url,
    region,
    accountId,
    sqs,
    events,
    sfn: stepFunctions,
    ssm: parameters,
    scheduler,
    schedulerUrl: schedulerServer.url,
    resume: () => {
      events.resumeDeliveries();
      scheduler.start();
      return stepFunctions.resumeExecutions();
    },
    close: async () => {
      scheduler.close();
      await schedulerServer.close();
      stepFunctions.close();
      events.close();
      sqs.close();
      await server.close();
      store?.close();
    },
  };
}

export type { EventEnvelope } from './events/event-envelope';
export { InvalidEventPatternError, matchesEventPattern, parseEventPattern } from './events/event-pattern';
export type { PutEventsEntry, PutEventsFault } from './events/eventbridge-backend';
export { TargetDeliveryError } from './events/eventbridge-errors';
export type { DeliveryCounts, DeliveryFault, RuleTarget } from './events/target-delivery';
export type { JsonRequestGate } from './http/json-server';
export { AwsServiceError } from './http/service-error';
export type { ScheduleInvocation, ScheduleRecord } from './scheduler/scheduler-backend';
export { SCHEDULER_GATE_PREFIX } from './scheduler/scheduler-server';
export type { ExecutionRecord, ExecutionStatus, ExecutionStatusChange } from './sfn/step-functions-backend';
export type { BeforeDeliverHook, DeliveryCandidate, DeliveryDecision } from './sqs/delivery-faults';
export type { MessageLifecycleEvent, PeekedMessage, QueueDepth, ReceivedMessage } from './sqs/sqs-backend';
export { EventBridgeBackend, SchedulerBackend, SqsBackend, StepFunctionsBackend };
