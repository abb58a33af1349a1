import { AwsServiceError } from '../http/service-error';

/** Step Functions API errors (Smithy shapes of com.amazonaws.sfn). */
export class StepFunctionsError extends AwsServiceError {
  static stateMachineDoesNotExist(arn: string): StepFunctionsError {
    return new StepFunctionsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  }

  static stateMachineAlreadyExists(arn: string): StepFunctionsError {
    return new StepFunctionsError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
  }

  static executionDoesNotExist(arn: string): StepFunctionsError {
    return new StepFunctionsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
  }

  static executionAlreadyExists(arn: string): StepFunctionsError {
    return new StepFunctionsError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
  }

  static invalidDefinition(message: string): StepFunctionsError {
    return new StepFunctionsError('InvalidDefinition', message);
  }

  static invalidArn(arn: string): StepFunctionsError {
    return new StepFunctionsError('InvalidArn', `Invalid Arn: '${arn}'`);
  }

  static invalidName(name: string): StepFunctionsError {
    return new StepFunctionsError('InvalidName', `Invalid Name: '${name}'`);
  }

  static invalidExecutionInput(message: string): StepFunctionsError {
    return new StepFunctionsError('InvalidExecutionInput', message);
  }

  static stateMachineTypeNotSupported(type: string): StepFunctionsError {
    return new StepFunctionsError(
      'StateMachineTypeNotSupported',
      `State machine type ${type} is not supported by the local emulator.`,
    );
  }

  static validation(message: string): StepFunctionsError {
    return new StepFunctionsError('ValidationException', message);
  }
}

/**
 * A Task failure that Retry/Catch match by name: aws-local-stepfunctions compares ErrorEquals
 * with `error.name`, so the name is the Lambda's errorType and the message its JSON cause.
 */
export class TaskFailedError extends Error {
  constructor(errorName: string, cause: string) {
    super(cause);
    this.name = errorName;
  }
}
