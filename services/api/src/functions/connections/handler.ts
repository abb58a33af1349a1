import { httpHandler, readConfig, ssmClient } from '@reelay/lambda';
import {
  deleteYouTubeConnectionRoute,
  listConnectionsRoute,
  putYouTubeConnectionRoute,
} from '../../connections/connection-routes';
import type { ConnectionStoreDeps } from '../../connections/connection-store';
import { connectionsConfig } from '../../connections/connections-config';
import { powertools } from '../../powertools';

const config = readConfig(connectionsConfig);
const deps: ConnectionStoreDeps = { ssm: ssmClient(), parameterPrefix: config.CONNECTIONS_PARAMETER_PREFIX };

/** The caller's publishing connections: stored as SSM SecureStrings under their own prefix, never returned. */
export const handler = httpHandler(powertools, {
  'PUT /connections/youtube/{name}': (userId, event) => putYouTubeConnectionRoute(userId, event, deps),
  'GET /connections': (userId) => listConnectionsRoute(userId, deps),
  'DELETE /connections/youtube/{name}': (userId, event) => deleteYouTubeConnectionRoute(userId, event, deps),
});
