import { CALLBACK_SUFFIX, type CallbackContext, callbackHandler } from './callback-tasks';
import { TaskFailedError } from './sfn-errors';

/** What Task states may call locally. */
export interface TaskPorts {
  region: string;
  accountId: string;
  invokeLambda: (functionArn: string, payload: unknown) => Promise<unknown>;
  /** arn:aws:states:::events:putEvents */
  putEvents?: (entries: Array<Record<string, unknown>>) => { FailedEntryCount: number; Entries: unknown[] };
  /** arn:aws:states:::sqs:sendMessage */
  sendMessage?: (queueUrl: string, body: string) => { MessageId: string; MD5OfMessageBody: string };
}

export type TaskHandler = (input: unknown) => Promise<unknown>;

const LAMBDA_FUNCTION_ARN = /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/;

/**
 * Maps each Task state (by name, the key aws-local-stepfunctions overrides by), including those
 * nested in Map and Parallel states, to a local handler, so no Task ever reaches real AWS.
 */
export function buildTaskHandlers(
  definition: unknown,
  ports: TaskPorts,
  callbacks?: CallbackContext,
): Record<string, TaskHandler> {
  const handlers: Record<string, TaskHandler> = {};
  for (const [stateName, resource] of taskResources(definition)) {
    handlers[stateName] =
      callbacks && resource.endsWith(CALLBACK_SUFFIX)
        ? callbackHandler(stateName, handlerFor(resource.slice(0, -CALLBACK_SUFFIX.length), ports), callbacks)
        : handlerFor(resource, ports);
  }
  return handlers;
}

/** Every Task state name with its Resource, walking nested Map iterators and Parallel branches. */
export function taskResources(definition: unknown): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  const visit = (machine: unknown) => {
    const states = record(record(machine).States);
    for (const [name, value] of Object.entries(states)) {
      const state = record(value);
      if (state.Type === 'Task' && typeof state.Resource === 'string') found.push([name, state.Resource]);
      if (state.Type === 'Map') {
        visit(state.ItemProcessor ?? state.Iterator);
      }
      if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
        for (const branch of state.Branches) visit(branch);
      }
    }
  };
  visit(definition);
  return found;
}

function handlerFor(resource: string, ports: TaskPorts): TaskHandler {
  if (LAMBDA_FUNCTION_ARN.test(resource)) {
    return (input) => invoke(ports, resource, input);
  }
  if (resource === 'arn:aws:states:::lambda:invoke') {
    return async (input) => {
      const parameters = record(input);
      const functionName = parameters.FunctionName;
      if (typeof functionName !== 'string')
        throw new TaskFailedError('States.Runtime', 'lambda:invoke needs Parameters.FunctionName');
      const payload = await invoke(ports, functionArn(functionName, ports), parameters.Payload ?? {});
      return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
    };
  }
  if (resource === 'arn:aws:states:::events:putEvents' && ports.putEvents) {
    const putEvents = ports.putEvents;
    return async (input) => {
      const entries = (Array.isArray(record(input).Entries) ? (record(input).Entries as unknown[]) : []).map(
        (entry) => {
          const fields = { ...record(entry) };
          if (typeof fields.Detail !== 'string') fields.Detail = JSON.stringify(fields.Detail ?? {});
          return fields;
        },
      );
      const result = putEvents(entries);
      if (result.FailedEntryCount > 0) {
        throw new TaskFailedError('EventBridge.FailedEntry', JSON.stringify(result));
      }
      return result;
    };
  }
  if (resource === 'arn:aws:states:::sqs:sendMessage' && ports.sendMessage) {
    const sendMessage = ports.sendMessage;
    return async (input) => {
      const parameters = record(input);
      const body =
        typeof parameters.MessageBody === 'string'
          ? parameters.MessageBody
          : JSON.stringify(parameters.MessageBody);
      try {
        return sendMessage(String(parameters.QueueUrl), body);
      } catch (error) {
        throw toTaskFailure(error, 'SQS.');
      }
    };
  }
  return async () => {
    throw new TaskFailedError('States.Runtime', `The local emulator cannot run Task resource ${resource}.`);
  };
}

async function invoke(ports: TaskPorts, arn: string, payload: unknown): Promise<unknown> {
  try {
    return await ports.invokeLambda(arn, payload);
  } catch (error) {
    throw toTaskFailure(error, '');
  }
}

/** Keeps the function's error name (its errorType) and carries Lambda's JSON cause as the message. */
function toTaskFailure(error: unknown, prefix: string): TaskFailedError {
  if (error instanceof TaskFailedError) return error;
  const fields = record(error);
  const errorType =
    error instanceof Error ? error.name : typeof fields.errorType === 'string' ? fields.errorType : 'Error';
  const errorMessage =
    error instanceof Error
      ? error.message
      : typeof fields.errorMessage === 'string'
        ? fields.errorMessage
        : String(error);
  return new TaskFailedError(`${prefix}${errorType}`, JSON.stringify({ errorMessage, errorType }));
}

function functionArn(functionName: string, ports: TaskPorts): string {
  return functionName.startsWith('arn:')
    ? functionName
    : `arn:aws:lambda:${ports.region}:${ports.accountId}:function:${functionName}`;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
