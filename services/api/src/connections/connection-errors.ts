import { HttpProblemError } from '@reelay/lambda';

export class ConnectionNotFoundError extends HttpProblemError {
  constructor(type: string, name: string) {
    super({
      status: 404,
      title: 'Connection not found',
      detail: `You have no ${type} connection named '${name}'; store one with PUT /connections/${type}/${name}.`,
    });
  }
}

export class InvalidConnectionNameError extends HttpProblemError {
  constructor(name: string | undefined) {
    super({
      status: 400,
      title: 'Invalid connection name',
      detail: `'${name ?? ''}' is not a connection name: 1 to 64 lower-case letters, digits and hyphens, starting with a letter or digit.`,
      errors: [{ path: 'name', message: 'must match ^[a-z0-9][a-z0-9-]{0,63}$' }],
    });
  }
}
