import { dynamoDocumentClient, httpHandler, readConfig } from '@reelay/lambda';
import {
  describeCallback,
  type RegisterCallbackDeps,
  registerCallback,
} from '../../callbacks/register-callback';
import { apiTableConfig, callbackConfig } from '../../config';
import { powertools } from '../../powertools';

const config = readConfig({ ...apiTableConfig, ...callbackConfig });
const deps: RegisterCallbackDeps = {
  doc: dynamoDocumentClient(),
  table: config.API_TABLE,
  policy: { allowLoopbackHttp: config.CALLBACK_TEST_ALLOW_LOOPBACK_HTTP === 'true' },
};

/** PUT /callback registers the caller's callback URL (the signing secret is shown once); GET shows it. */
export const handler = httpHandler(powertools, {
  'PUT /callback': (userId, event) => registerCallback(userId, event, deps),
  'GET /callback': (userId) => describeCallback(userId, deps),
});
