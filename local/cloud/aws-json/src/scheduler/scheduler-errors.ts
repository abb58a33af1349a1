import { AwsServiceError } from '../http/service-error';

/** EventBridge Scheduler's errors, with the HTTP status its REST-JSON protocol gives each. */
export const SchedulerError = {
  validation: (message: string) => new AwsServiceError('ValidationException', message, { status: 400 }),
  conflict: (message: string) => new AwsServiceError('ConflictException', message, { status: 409 }),
  notFound: (message: string) => new AwsServiceError('ResourceNotFoundException', message, { status: 404 }),
};

/** Smithy's wording for a member that breaks its shape's constraint, as AWS's services answer it. */
export function constraintViolation(member: string, value: unknown, constraint: string): AwsServiceError {
  const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`;
  return SchedulerError.validation(
    `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}
