import { randomBytes } from 'node:crypto';

/** Who signed a request: the operator (tests, the CLI, the console: full access) or a function's role. */
export type Principal =
  | { kind: 'operator'; arn: string }
  | {
      kind: 'role';
      /** arn:aws:iam::<account>:role/<name>: the role whose policies apply. */
      roleArn: string;
      roleName: string;
      /** The function whose sandbox holds the credentials (Lambda's role session name). */
      sessionName: string;
      /** arn:aws:sts::<account>:assumed-role/<role>/<function>: the caller AWS names in errors. */
      arn: string;
    };

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Lambda's credentials are temporary: the SDK signs the token (x-amz-security-token) with them. */
  sessionToken?: string;
}

export interface KeyHolder {
  credentials: IssuedCredentials;
  principal: Principal;
}

/**
 * The embedded cloud's credential store, standing in for STS and Lambda's role assumption: one key
 * per function sandbox (temporary, with a session token, as Lambda hands out) mapped to that
 * function's role, and one long-term operator key with full access. Keys are random per run.
 */
export class AccessKeyRegistry {
  private readonly byAccessKeyId = new Map<string, KeyHolder>();
  private readonly byFunction = new Map<string, IssuedCredentials>();
  readonly operator: IssuedCredentials;

  constructor(readonly accountId: string) {
    this.operator = { accessKeyId: `AKIA${keyId()}`, secretAccessKey: secret() };
    this.byAccessKeyId.set(this.operator.accessKeyId, {
      credentials: this.operator,
      principal: { kind: 'operator', arn: `arn:aws:iam::${accountId}:user/reelay-local-operator` },
    });
  }

  /** The credentials a function's sandboxes sign with: its role, assumed by Lambda for it. */
  issueForFunction(functionName: string, roleArn: string): IssuedCredentials {
    const existing = this.byFunction.get(functionName);
    if (existing) return existing;
    const roleName = roleArn.split('/').pop() ?? roleArn;
    const credentials: IssuedCredentials = {
      accessKeyId: `ASIA${keyId()}`,
      secretAccessKey: secret(),
      sessionToken: randomBytes(48).toString('base64'),
    };
    this.byFunction.set(functionName, credentials);
    this.byAccessKeyId.set(credentials.accessKeyId, {
      credentials,
      principal: {
        kind: 'role',
        roleArn,
        roleName,
        sessionName: functionName,
        arn: `arn:aws:sts::${this.accountId}:assumed-role/${roleName}/${functionName}`,
      },
    });
    return credentials;
  }

  lookup(accessKeyId: string): KeyHolder | undefined {
    return this.byAccessKeyId.get(accessKeyId);
  }

  /** Every issued key with its secret (the local S3 server must know them to accept them). */
  all(): IssuedCredentials[] {
    return [...this.byAccessKeyId.values()].map((h) => h.credentials);
  }
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function keyId(): string {
  return [...randomBytes(16)].map((b) => KEY_ALPHABET[b % 32]).join('');
}
function secret(): string {
  return randomBytes(30).toString('base64').replace(/[+/]/g, 'x');
}
