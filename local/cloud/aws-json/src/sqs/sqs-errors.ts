import { AwsServiceError } from '../http/service-error';

/** SQS errors, carrying both the Smithy shape name and the legacy query code the SDK maps from. */
export class SqsError extends AwsServiceError {
  static queueDoesNotExist(): SqsError {
    return new SqsError('QueueDoesNotExist', 'The specified queue does not exist.', {
      queryCode: 'AWS.SimpleQueueService.NonExistentQueue',
    });
  }

  static queueNameExists(name: string): SqsError {
    return new SqsError(
      'QueueNameExists',
      `A queue already exists with the same name (${name}) and a different value for an attribute`,
      {
        queryCode: 'QueueAlreadyExists',
      },
    );
  }

  static invalidParameterValue(message: string): SqsError {
    return new SqsError('InvalidParameterValue', message);
  }

  static missingParameter(name: string): SqsError {
    return new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
  }

  static invalidAttributeName(name: string): SqsError {
    return new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
  }

  static invalidAttributeValue(message: string): SqsError {
    return new SqsError('InvalidAttributeValue', message);
  }

  static receiptHandleIsInvalid(handle: string): SqsError {
    return new SqsError(
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${handle}" is not a valid receipt handle.`,
      {
        status: 404,
      },
    );
  }

  static messageNotInflight(): SqsError {
    return new SqsError('MessageNotInflight', 'The message referred to is not in flight.', {
      queryCode: 'AWS.SimpleQueueService.MessageNotInflight',
    });
  }

  static invalidMessageContents(): SqsError {
    return new SqsError('InvalidMessageContents', 'Invalid characters found in the message body.');
  }

  static unsupportedOperation(message: string): SqsError {
    return new SqsError('UnsupportedOperation', message, {
      queryCode: 'AWS.SimpleQueueService.UnsupportedOperation',
    });
  }

  static resourceNotFound(message: string): SqsError {
    return new SqsError('ResourceNotFoundException', message, { status: 404 });
  }

  static emptyBatchRequest(): SqsError {
    return new SqsError('EmptyBatchRequest', 'There should be at least one entry in the request.', {
      queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest',
    });
  }

  static tooManyEntriesInBatchRequest(): SqsError {
    return new SqsError('TooManyEntriesInBatchRequest', 'Maximum number of entries per request are 10.', {
      queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    });
  }

  static batchEntryIdsNotDistinct(id: string): SqsError {
    return new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`, {
      queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    });
  }

  static invalidBatchEntryId(id: string): SqsError {
    return new SqsError(
      'InvalidBatchEntryId',
      `A batch entry id can only contain alphanumeric characters, hyphens and underscores: ${id}`,
      {
        queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId',
      },
    );
  }

  static batchRequestTooLong(): SqsError {
    return new SqsError('BatchRequestTooLong', 'Batch requests cannot be longer than 262144 bytes.', {
      queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong',
    });
  }
}
