import type { JsonService, OperationHandler } from '../http/json-service';
import {
  optionalBoolean,
  optionalNumber,
  optionalString,
  requiredString,
  toEpochSeconds,
} from '../shared/request-fields';
import { StepFunctionsError } from './sfn-errors';
import type {
  ExecutionRecord,
  ExecutionStatus,
  StateMachineRecord,
  StepFunctionsBackend,
} from './step-functions-backend';

const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

/** Maps the AWSStepFunctions JSON operations onto the backend. */
export function stepFunctionsJsonService(sfn: StepFunctionsBackend): JsonService {
  const operations: Record<string, OperationHandler> = {
    CreateStateMachine: (body) => {
      const machine = sfn.createStateMachine({
        name: requiredString(body, 'name'),
        definition: requiredString(body, 'definition'),
        roleArn: requiredString(body, 'roleArn'),
        type: optionalString(body, 'type'),
      });
      return { stateMachineArn: machine.arn, creationDate: toEpochSeconds(machine.createdAt) };
    },
    DescribeStateMachine: (body) => machineView(sfn.stateMachine(requiredString(body, 'stateMachineArn'))),
    DescribeStateMachineForExecution: (body) => {
      const execution = sfn.execution(requiredString(body, 'executionArn'));
      const machine = sfn.stateMachine(execution.stateMachineArn);
      return {
        stateMachineArn: machine.arn,
        name: machine.name,
        definition: machine.definition,
        roleArn: machine.roleArn,
        updateDate: toEpochSeconds(machine.updatedAt ?? machine.createdAt),
      };
    },
    ListStateMachines: () => ({
      stateMachines: sfn.listStateMachines().map((machine) => ({
        stateMachineArn: machine.arn,
        name: machine.name,
        type: machine.type,
        creationDate: toEpochSeconds(machine.createdAt),
      })),
    }),
    UpdateStateMachine: (body) => {
      const machine = sfn.updateStateMachine(requiredString(body, 'stateMachineArn'), {
        definition: optionalString(body, 'definition'),
        roleArn: optionalString(body, 'roleArn'),
      });
      return { updateDate: toEpochSeconds(machine.updatedAt ?? machine.createdAt) };
    },
    DeleteStateMachine: (body) => {
      sfn.deleteStateMachine(requiredString(body, 'stateMachineArn'));
      return {};
    },
    StartExecution: (body) => {
      const execution = sfn.startExecution(requiredString(body, 'stateMachineArn'), {
        name: optionalString(body, 'name'),
        input: optionalString(body, 'input'),
      });
      return { executionArn: execution.arn, startDate: toEpochSeconds(execution.startDate) };
    },
    DescribeExecution: (body) => {
      const execution = sfn.execution(requiredString(body, 'executionArn'));
      return {
        ...executionView(execution),
        input: execution.input,
        inputDetails: { included: true },
        output: execution.output,
        outputDetails: execution.output === undefined ? undefined : { included: true },
        error: execution.error,
        cause: execution.cause,
        redriveCount: 0,
        redriveStatus: 'NOT_REDRIVABLE',
      };
    },
    StopExecution: (body) => {
      const execution = sfn.stopExecution(
        requiredString(body, 'executionArn'),
        optionalString(body, 'error'),
        optionalString(body, 'cause'),
      );
      return { stopDate: toEpochSeconds(execution.stopDate ?? Date.now()) };
    },
    ListExecutions: (body) => {
      const statusFilter = optionalString(body, 'statusFilter');
      if (statusFilter !== undefined && !(STATUSES as readonly string[]).includes(statusFilter)) {
        throw StepFunctionsError.validation(`Invalid statusFilter: ${statusFilter}`);
      }
      const stateMachineArn = requiredString(body, 'stateMachineArn');
      const maxResults = optionalNumber(body, 'maxResults') || 1000;
      return {
        executions: sfn
          .listExecutions(stateMachineArn, statusFilter as ExecutionStatus | undefined)
          .slice(0, maxResults)
          .map(executionView),
      };
    },
    SendTaskSuccess: (body) => {
      sfn.sendTaskSuccess(requiredString(body, 'taskToken'), requiredString(body, 'output'));
      return {};
    },
    SendTaskFailure: (body) => {
      sfn.sendTaskFailure(
        requiredString(body, 'taskToken'),
        optionalString(body, 'error'),
        optionalString(body, 'cause'),
      );
      return {};
    },
    SendTaskHeartbeat: (body) => {
      sfn.sendTaskHeartbeat(requiredString(body, 'taskToken'));
      return {};
    },
    GetExecutionHistory: (body) => {
      const execution = sfn.execution(requiredString(body, 'executionArn'));
      const events = execution.history.events.map((event) => ({
        ...event,
        timestamp: toEpochSeconds(event.timestamp),
      }));
      if (optionalBoolean(body, 'reverseOrder')) events.reverse();
      const maxResults = optionalNumber(body, 'maxResults') || 1000;
      return { events: events.slice(0, maxResults) };
    },
  };
  return {
    targetPrefix: 'AWSStepFunctions',
    jsonVersion: '1.0',
    errorNamespace: 'com.amazonaws.sfn',
    queryCompatible: false,
    operations,
  };
}

function machineView(machine: StateMachineRecord) {
  return {
    stateMachineArn: machine.arn,
    name: machine.name,
    status: 'ACTIVE',
    definition: machine.definition,
    roleArn: machine.roleArn,
    type: machine.type,
    creationDate: toEpochSeconds(machine.createdAt),
    loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: { enabled: false },
  };
}

function executionView(execution: ExecutionRecord) {
  return {
    executionArn: execution.arn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: toEpochSeconds(execution.startDate),
    stopDate: execution.stopDate === undefined ? undefined : toEpochSeconds(execution.stopDate),
  };
}
