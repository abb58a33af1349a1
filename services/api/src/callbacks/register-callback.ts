import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { json, problem } from '../http/problem';
import { type HttpRequestParts, readJsonObject, validate } from '../http/request';
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

/** PUT /callback: registers (or replaces) the caller's callback URL and returns a new signing secret once. */
export async function registerCallback(
  userId: string,
  req: HttpRequestParts,
  deps: RegisterCallbackDeps,
): Promise<APIGatewayProxyResultV2> {
  const body = readJsonObject(req);
  if (!body.ok) return body.response;
  const parsed = validate(registerCallbackRequestSchema, body.value, 'Invalid callback registration');
  if (!parsed.ok) return parsed.response;
  try {
    await checkCallbackUrl(parsed.value.url, deps.policy, deps.resolve);
  } catch (error) {
    if (!(error instanceof CallbackUrlRefusedError)) throw error;
    return problem({
      status: 422,
      title: 'Callback URL refused',
      detail: error.message,
      errors: [{ path: 'url', message: error.message }],
    });
  }
  const registration: CallbackRegistration = {
    url: parsed.value.url,
    secret: `whsec_${randomBytes(32).toString('base64')}`,
    registeredAt: (deps.now?.() ?? new Date()).toISOString(),
  };
  await deps.doc.send(
    new PutCommand({ TableName: deps.table, Item: { pk: userPk(userId), sk: CALLBACK_SK, ...registration } }),
  );
  return json(200, registration);
}

/** GET /callback: the registered URL, never the secret. */
export async function describeCallback(userId: string, deps: TableDeps): Promise<APIGatewayProxyResultV2> {
  const registration = await readCallbackRegistration(userId, deps);
  if (!registration)
    return problem({
      status: 404,
      title: 'No callback registered',
      detail: 'register one with PUT /callback',
    });
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
