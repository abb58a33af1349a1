import { createSign, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';

/**
 * The local development token issuer: an RSA key made at start, its JWKS served by the local HTTP API.
 * Its issuer URL is a loopback address that no cloud authorizer is configured with, so the cloud
 * never accepts these tokens. Signing is hand-written (a few lines of RS256); verification uses
 * aws-jwt-verify exactly as for Cognito.
 */
export class DevIssuer {
  private readonly privateKey: KeyObject;
  private readonly publicJwk: Record<string, unknown>;
  readonly kid = randomUUID();
  static readonly AUDIENCE = 'reelay-local';

  constructor(readonly issuer: string) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicJwk = { ...publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'RS256', use: 'sig' };
  }

  jwks(): { keys: Record<string, unknown>[] } {
    return { keys: [this.publicJwk] };
  }

  token(userId: string, ttlSec = 24 * 3600): string {
    const now = Math.floor(Date.now() / 1000);
    const encode = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const header = encode({ alg: 'RS256', typ: 'JWT', kid: this.kid });
    const payload = encode({
      iss: this.issuer,
      sub: userId,
      aud: DevIssuer.AUDIENCE,
      iat: now,
      exp: now + ttlSec,
      token_use: 'id',
    });
    const signature = createSign('RSA-SHA256')
      .update(`${header}.${payload}`)
      .sign(this.privateKey)
      .toString('base64url');
    return `${header}.${payload}.${signature}`;
  }
}
