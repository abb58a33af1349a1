import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DurableStore } from '../shared/durable-store';
import { SsmError } from './ssm-errors';

export type ParameterType = 'String' | 'StringList' | 'SecureString';

export interface StoredParameter {
  name: string;
  type: ParameterType;
  /** A SecureString's value is kept encrypted (as KMS would hand SSM a ciphertext), base64. */
  value: string;
  version: number;
  lastModified: number;
  keyId?: string;
  description?: string;
  dataType: string;
}

const NAME_PATTERN = /^[a-zA-Z0-9_.\-/]+$/;
const MAX_NAME_LENGTH = 2048;
const MAX_STANDARD_VALUE = 4096;
const MAX_HIERARCHY_LEVELS = 15;
const RESERVED_PREFIX = /^\/?(aws|ssm)/i;
const DEFAULT_KEY = 'alias/aws/ssm';
const DURABLE_KIND = 'ssm-parameter';

/**
 * The Parameter Store: Standard-tier String, StringList and SecureString parameters, versions,
 * hierarchies (paths) and AWS's checks on names and values. SecureStrings are encrypted with a key of
 * this store (the stand-in for KMS's aws/ssm key): without WithDecryption a caller gets the
 * ciphertext, as from AWS. Durable in the emulator's SQLite store when it has one.
 */
export class ParameterStore {
  private readonly parameters = new Map<string, StoredParameter>();
  private readonly key: Buffer;

  constructor(
    private readonly options: { region: string; accountId: string; store?: DurableStore; now?: () => number },
  ) {
    const savedKey = options.store?.list<string>('ssm-key')[0]?.value;
    this.key = savedKey ? Buffer.from(savedKey, 'base64') : randomBytes(32);
    if (!savedKey) options.store?.put('ssm-key', 'aws/ssm', this.key.toString('base64'));
    for (const { value } of options.store?.list<StoredParameter>(DURABLE_KIND) ?? []) {
      this.parameters.set(value.name, value);
    }
  }

  arn(name: string): string {
    return `arn:aws:ssm:${this.options.region}:${this.options.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
  }

  put(input: {
    name: string;
    value: string;
    type?: string;
    overwrite: boolean;
    keyId?: string;
    description?: string;
    dataType?: string;
    hasTags: boolean;
  }): { version: number } {
    validateName(input.name);
    if (input.value.length === 0 || input.value.length > MAX_STANDARD_VALUE) {
      throw SsmError.validation(
        `1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length between 1 and ${MAX_STANDARD_VALUE}`,
      );
    }
    if (input.overwrite && input.hasTags) {
      throw SsmError.validation(
        "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
      );
    }
    const existing = this.parameters.get(input.name);
    if (existing && !input.overwrite) throw SsmError.parameterAlreadyExists();
    const type = input.type ?? existing?.type;
    if (!type) throw SsmError.validation('A parameter type is required when you create a parameter.');
    if (type !== 'String' && type !== 'StringList' && type !== 'SecureString') {
      throw SsmError.validation(
        `1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`,
      );
    }
    if (input.keyId !== undefined && type !== 'SecureString') {
      throw SsmError.validation('KeyId is required for SecureString type parameter only.');
    }
    const keyId = type === 'SecureString' ? (input.keyId ?? existing?.keyId ?? DEFAULT_KEY) : undefined;
    if (
      keyId !== undefined &&
      keyId !== DEFAULT_KEY &&
      !keyId.startsWith('alias/') &&
      !keyId.startsWith('arn:aws:kms:')
    ) {
      throw SsmError.invalidKeyId();
    }
    const parameter: StoredParameter = {
      name: input.name,
      type,
      value: type === 'SecureString' ? this.encrypt(input.value) : input.value,
      version: (existing?.version ?? 0) + 1,
      lastModified: (this.options.now ?? Date.now)(),
      dataType: input.dataType ?? 'text',
      ...(keyId ? { keyId } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
    };
    this.parameters.set(input.name, parameter);
    this.options.store?.put(DURABLE_KIND, input.name, parameter);
    return { version: parameter.version };
  }

  /** The parameter; a version or label selector (`name:3`) is not modelled and is refused. */
  get(name: string): StoredParameter {
    const parameter = this.parameters.get(name);
    if (!parameter) throw SsmError.parameterNotFound(name);
    return parameter;
  }

  find(name: string): StoredParameter | undefined {
    return this.parameters.get(name);
  }

  delete(name: string): void {
    if (!this.parameters.delete(name)) throw SsmError.parameterNotFound(name);
    this.options.store?.delete(DURABLE_KIND, name);
  }

  /** Parameters under a path: its direct children, or every descendant when recursive; name order. */
  byPath(path: string, recursive: boolean): StoredParameter[] {
    if (!path.startsWith('/')) {
      throw SsmError.validation(
        'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/".',
      );
    }
    const prefix = path.endsWith('/') ? path : `${path}/`;
    return [...this.parameters.values()]
      .filter((parameter) => {
        if (!parameter.name.startsWith(prefix)) return false;
        return recursive || !parameter.name.slice(prefix.length).includes('/');
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The value a caller sees: a SecureString in clear only WithDecryption. */
  visibleValue(parameter: StoredParameter, withDecryption: boolean): string {
    if (parameter.type !== 'SecureString' || !withDecryption) return parameter.value;
    return this.decrypt(parameter.value);
  }

  private encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([1, 2]), iv, cipher.getAuthTag(), body]).toString('base64');
  }

  private decrypt(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64');
    const iv = raw.subarray(2, 14);
    const tag = raw.subarray(14, 30);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(raw.subarray(30)), decipher.final()]).toString('utf8');
  }
}

function validateName(name: string): void {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw SsmError.validation(
      `1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length between 1 and ${MAX_NAME_LENGTH}`,
    );
  }
  if (
    !NAME_PATTERN.test(name) ||
    name.includes('//') ||
    (name.includes('/') && !name.startsWith('/')) ||
    name.endsWith('/')
  ) {
    throw SsmError.validation(
      'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.',
    );
  }
  if (RESERVED_PREFIX.test(name)) {
    throw SsmError.validation(`No access to reserved parameter name: ${name}.`);
  }
  if (name.split('/').filter(Boolean).length > MAX_HIERARCHY_LEVELS)
    throw SsmError.hierarchyLevelLimitExceeded();
}
