import { sendJson } from '../http-io';
import type { RouteFamily } from './route-context';

/** The account and its default webhook signing secret, as Replicate answers them. */
export const accountRoutes: RouteFamily = async ({ res, url, method }, { webhookSigningSecret }) => {
  if (method !== 'GET') return false;
  if (url.pathname === '/v1/webhooks/default/secret') {
    sendJson(res, 200, { key: webhookSigningSecret });
    return true;
  }
  if (url.pathname === '/v1/account') {
    sendJson(res, 200, {
      type: 'organization',
      username: 'reelay-local',
      name: 'Reelay local models',
      github_url: null,
    });
    return true;
  }
  return false;
};
