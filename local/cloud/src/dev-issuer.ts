import {
  createPrivateKey,
  createPublicKey,
  createSign,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
} from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '../../..');
/** Where the dev issuer's key lives, so tokens printed by `npm run token` work against any later local cloud. */
export const DEV_ISSUER_KEY_FILE = join(REPO_ROOT, '.reelay', 'dev-issuer', 'key.json');

/**
 * The local development token issuer: an RSA key kept under .reelay/ (made on first use), whose JWKS the
 * local HTTP API serves. Its issuer is a fixed loopback name that no cloud authorizer is configured with
 * (the cloud's is the Cognito user pool), so the cloud never accepts these tokens. Signing is hand-written
 * (a few lines of RS256, no library needed); verification uses aws-jwt-verify exactly as for Cognito.
 */
export class DevIssuer {
  static readonly AUDIENCE = 'reelay-local';
  static readonly ISSUER = 'http://127.0.0.1/reelay-local-dev-issuer';
  private readonly publicJwk: Record<string, unknown>;

  constructor(
    private readonly privateKey: KeyObject,
    readonly kid: string,
    readonly issuer: string = DevIssuer.ISSUER,
  ) {
    this.publicJwk = {
      ...createPublicKey(privateKey).export({ format: 'jwk' }),
      kid,
      alg: 'RS256',
      use: 'sig',
    };
  }

  /** The persisted issuer, created (atomically, readable by this user only) when there is none yet. */
  static loadOrCreate(file: string = DEV_ISSUER_KEY_FILE): DevIssuer {
    const existing = readKey(file);
    if (existing) return existing;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.${randomUUID()}`;
    writeFileSync(
      tmp,
      JSON.stringify({
        kid: randomUUID(),
        privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }),
      }),
      { mode: 0o600 },
    );
    renameSync(tmp, file);
    // Two processes may race to create it: whichever rename landed last is the key everyone uses.
    return readKey(file) as DevIssuer;
  }

  jwks(): { keys: Record<string, unknown>[] } {
    return { keys: [this.publicJwk] };
  }

  /**
   * The Cognito group that marks an operator (the console's /ops routes ask for it), carried as Cognito
   * carries groups: the `cognito:groups` claim.
   */
  static readonly OPERATOR_GROUP = 'operator';

  /** A signed ID token for `userId`; `groups` become its `cognito:groups` claim. */
  token(userId: string, ttlSec = 24 * 3600, groups: string[] = []): string {
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
      ...(groups.length ? { 'cognito:groups': groups } : {}),
    });
    const signature = createSign('RSA-SHA256')
      .update(`${header}.${payload}`)
      .sign(this.privateKey)
      .toString('base64url');
    return `${header}.${payload}.${signature}`;
  }
}

function readKey(file: string): DevIssuer | undefined {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const { kid, privateKeyPem } = JSON.parse(raw) as { kid: string; privateKeyPem: string };
  return new DevIssuer(createPrivateKey(privateKeyPem), kid);
}
