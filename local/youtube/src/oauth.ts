import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TwinClock } from './clock';
import { GoogleApiError, sendJson } from './google-errors';

/** An OAuth client (one Google Cloud project: the quota is counted per project) and its channel. */
export interface ChannelCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  channelId: string;
}

interface AccessToken {
  clientId: string;
  channelId: string;
  expiresAt: number;
}

const ACCESS_TOKEN_PREFIX = 'ya29.local-';

/**
 * Google's OAuth 2.0 token endpoint for the refresh_token grant, and the access tokens it issues.
 * As strict as Google's: an unknown client or wrong secret is 401 invalid_client, an unknown or
 * revoked refresh token is 400 invalid_grant, and access tokens expire (`accessTokenTtlSec`).
 */
export class OAuthAuthority {
  private readonly clients = new Map<string, { secret: string; channelId: string }>();
  private readonly refreshTokens = new Map<string, { clientId: string; channelId: string }>();
  private readonly accessTokens = new Map<string, AccessToken>();
  readonly tokenRequests: { clientId: string; outcome: 'issued' | string }[] = [];

  constructor(
    private readonly clock: TwinClock,
    private readonly accessTokenTtlSec: number,
  ) {}

  /** A new project with a consented channel: what a user gets from Google's consent screen. */
  createCredentials(): ChannelCredentials {
    const clientId = `${randomBytes(6).toString('hex')}-local.apps.googleusercontent.com`;
    const clientSecret = `GOCSPX-${randomBytes(14).toString('base64url')}`;
    const refreshToken = `1//local-${randomBytes(24).toString('base64url')}`;
    const channelId = `UC${randomBytes(16).toString('base64url').slice(0, 22)}`;
    this.clients.set(clientId, { secret: clientSecret, channelId });
    this.refreshTokens.set(refreshToken, { clientId, channelId });
    return { clientId, clientSecret, refreshToken, channelId };
  }

  /** The user withdrew consent: the refresh token and every access token of its client stop working. */
  revoke(token: string): boolean {
    const refresh = this.refreshTokens.get(token);
    if (refresh) {
      this.refreshTokens.delete(token);
      for (const [key, access] of this.accessTokens) {
        if (access.clientId === refresh.clientId) this.accessTokens.delete(key);
      }
      return true;
    }
    return this.accessTokens.delete(token);
  }

  /** The caller of an API request, from its Bearer token; a 401 in Google's words otherwise. */
  authenticate(request: IncomingMessage): AccessToken {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) {
      throw new GoogleApiError(
        401,
        'required',
        'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        'global',
        { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' },
      );
    }
    const token = this.accessTokens.get(match[1]);
    if (!token || token.expiresAt <= this.clock.now()) {
      throw new GoogleApiError(
        401,
        'authError',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        'global',
        { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
      );
    }
    return token;
  }

  /** POST /token (application/x-www-form-urlencoded), as oauth2.googleapis.com/token answers it. */
  handleTokenRequest(form: URLSearchParams, response: ServerResponse): void {
    const grantType = form.get('grant_type');
    const clientId = form.get('client_id') ?? '';
    const refuse = (status: number, error: string, description: string) => {
      this.tokenRequests.push({ clientId, outcome: error });
      sendJson(response, status, { error, error_description: description });
    };
    if (grantType !== 'refresh_token') {
      refuse(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
      return;
    }
    const client = this.clients.get(clientId);
    if (!client) {
      refuse(401, 'invalid_client', 'The OAuth client was not found.');
      return;
    }
    if (client.secret !== form.get('client_secret')) {
      refuse(401, 'invalid_client', 'Unauthorized');
      return;
    }
    const refresh = this.refreshTokens.get(form.get('refresh_token') ?? '');
    if (!refresh || refresh.clientId !== clientId) {
      refuse(400, 'invalid_grant', 'Token has been expired or revoked.');
      return;
    }
    const accessToken = `${ACCESS_TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;
    this.accessTokens.set(accessToken, {
      clientId,
      channelId: refresh.channelId,
      expiresAt: this.clock.now() + this.accessTokenTtlSec * 1000,
    });
    this.tokenRequests.push({ clientId, outcome: 'issued' });
    sendJson(response, 200, {
      access_token: accessToken,
      expires_in: this.accessTokenTtlSec,
      scope: 'https://www.googleapis.com/auth/youtube.upload',
      token_type: 'Bearer',
    });
  }
}
