import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  HttpProblemError,
  type HttpRequestParts,
  type HttpResponse,
  json,
  readJsonObject,
  validate,
} from '@reelay/lambda';
import { z } from 'zod';
import type { TableDeps } from '../jobs/create-job';
import { CALLBACK_SK, userPk } from '../table/api-table';
import {
  type CallbackUrlPolicy,
  CallbackUrlRefusedError,
  checkCallbackUrl,
  type Resolve,
} from './callback-url';

export interface RegisterCallbackDeps extends TableDeps {
  policy: CallbackUrlPolicy;
  resolve?: Resolve;
  now?: () => Date;
}

export const registerCallbackRequestSchema = z.strictObject({
  url: z.string().min(1).max(2048),
});

export interface CallbackRegistration {
  url: string;
  /** The Standard Webhooks signing secret (whsec_…), shown once at registration. */
  secret: string;
  registeredAt: string;
}

/** The URL a caller registers is refused (not https, private address, does not resolve): a 422. */
export class CallbackRegistrationRefusedError extends HttpProblemError {
  constructor(refusal: CallbackUrlRefusedError) {
    super(
      {
        status: 422,
        title: 'Callback URL refused',
        detail: refusal.message,
        errors: [{ path: 'url', message: refusal.message }],
      },
      { cause: refusal },
    );
  }
}

export class NoCallbackRegisteredError extends HttpProblemError {
  constructor() {
    super({ status: 404, title: 'No callback registered', detail: 'register one with PUT /callback' });
  }
}

/** PUT /callback: registers (or replaces) the caller's callback URL and returns a new signing secret once. */
export async function registerCallback(
  userId: string,
  req: HttpRequestParts,
  deps: RegisterCallbackDeps,
): Promise<HttpResponse> {
  const { url } = validate(
    registerCallbackRequestSchema,
    readJsonObject(req),
    'Invalid callback registration',
  );
  try {
    await checkCallbackUrl(url, deps.policy, deps.resolve);
  } catch (error) {
    if (error instanceof CallbackUrlRefusedError) throw new CallbackRegistrationRefusedError(error);
    throw error;
  }
  const registration: CallbackRegistration = {
    url,
    secret: `whsec_${randomBytes(32).toString('base64')}`,
    registeredAt: (deps.now?.() ?? new Date()).toISOString(),
  };
  await deps.doc.send(
    new PutCommand({ TableName: deps.table, Item: { pk: userPk(userId), sk: CALLBACK_SK, ...registration } }),
  );
  return json(200, registration);
}

/** GET /callback: the registered URL, never the secret. */
export async function describeCallback(userId: string, deps: TableDeps): Promise<HttpResponse> {
  const registration = await readCallbackRegistration(userId, deps);
  if (!registration) throw new NoCallbackRegisteredError();
  return json(200, { url: registration.url, registeredAt: registration.registeredAt });
}

export async function readCallbackRegistration(
  userId: string,
  deps: TableDeps,
): Promise<CallbackRegistration | undefined> {
  const { Item } = await deps.doc.send(
    new GetCommand({ TableName: deps.table, Key: { pk: userPk(userId), sk: CALLBACK_SK } }),
  );
  return Item
    ? { url: String(Item.url), secret: String(Item.secret), registeredAt: String(Item.registeredAt) }
    : undefined;
}
