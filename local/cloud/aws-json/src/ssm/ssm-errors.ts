import { AwsServiceError } from '../http/service-error';

/** Parameter Store errors (Smithy shapes of com.amazonaws.ssm), worded as AWS words them. */
export class SsmError extends AwsServiceError {
  static parameterNotFound(name?: string): SsmError {
    return new SsmError('ParameterNotFound', name ? `Parameter ${name} not found.` : '');
  }

  static parameterAlreadyExists(): SsmError {
    return new SsmError(
      'ParameterAlreadyExists',
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    );
  }

  static hierarchyLevelLimitExceeded(): SsmError {
    return new SsmError(
      'HierarchyLevelLimitExceededException',
      'Parameter name hierarchy levels cannot exceed 15 levels.',
    );
  }

  static validation(message: string): SsmError {
    return new SsmError('ValidationException', message);
  }

  static invalidKeyId(): SsmError {
    return new SsmError('InvalidKeyId', 'The query key ID is not valid.');
  }

  static invalidNextToken(): SsmError {
    return new SsmError('InvalidNextToken', 'The specified token is not valid.');
  }
}
