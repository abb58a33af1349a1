import { AwsServiceError } from '../http/service-error';

/** EventBridge API errors (Smithy shapes of com.amazonaws.eventbridge). */
export class EventBridgeError extends AwsServiceError {
  static resourceNotFound(message: string): EventBridgeError {
    return new EventBridgeError('ResourceNotFoundException', message);
  }

  static resourceAlreadyExists(message: string): EventBridgeError {
    return new EventBridgeError('ResourceAlreadyExistsException', message);
  }

  static validation(message: string): EventBridgeError {
    return new EventBridgeError('ValidationException', message);
  }

  static invalidEventPattern(message: string): EventBridgeError {
    return new EventBridgeError('InvalidEventPatternException', message);
  }

  static limitExceeded(message: string): EventBridgeError {
    return new EventBridgeError('LimitExceededException', message);
  }

  static illegalStatus(message: string): EventBridgeError {
    return new EventBridgeError('IllegalStatusException', message);
  }
}

/** A target could not take an event; `retryable` decides between retrying and dead-lettering at once. */
export class TargetDeliveryError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'TargetDeliveryError';
  }
}
