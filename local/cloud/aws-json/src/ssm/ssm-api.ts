import type { JsonService, OperationHandler } from '../http/json-service';
import {
  optionalArray,
  optionalBoolean,
  optionalNumber,
  optionalString,
  type RequestBody,
  requiredString,
} from '../shared/request-fields';
import type { ParameterStore, StoredParameter } from './parameter-store';
import { SsmError } from './ssm-errors';

const MAX_GET_PARAMETERS = 10;
const MAX_BY_PATH_RESULTS = 10;

/** Maps the AmazonSSM JSON 1.1 Parameter Store operations onto the store. */
export function ssmJsonService(parameters: ParameterStore): JsonService {
  const present = (parameter: StoredParameter, withDecryption: boolean) => ({
    Name: parameter.name,
    Type: parameter.type,
    Value: parameters.visibleValue(parameter, withDecryption),
    Version: parameter.version,
    LastModifiedDate: parameter.lastModified / 1000,
    ARN: parameters.arn(parameter.name),
    DataType: parameter.dataType,
  });

  const operations: Record<string, OperationHandler> = {
    PutParameter: (body) => {
      const { version } = parameters.put({
        name: requiredString(body, 'Name'),
        value: requiredString(body, 'Value'),
        type: optionalString(body, 'Type'),
        overwrite: optionalBoolean(body, 'Overwrite') ?? false,
        keyId: optionalString(body, 'KeyId'),
        description: optionalString(body, 'Description'),
        dataType: optionalString(body, 'DataType'),
        hasTags: optionalArray(body, 'Tags').length > 0,
      });
      return { Version: version, Tier: 'Standard' };
    },
    GetParameter: (body) => {
      const name = selectorFree(requiredString(body, 'Name'));
      return { Parameter: present(parameters.get(name), optionalBoolean(body, 'WithDecryption') ?? false) };
    },
    GetParameters: (body) => {
      const names = stringList(body, 'Names');
      if (names.length < 1 || names.length > MAX_GET_PARAMETERS) {
        throw SsmError.validation(
          `1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to ${MAX_GET_PARAMETERS}`,
        );
      }
      const withDecryption = optionalBoolean(body, 'WithDecryption') ?? false;
      const found = names.flatMap((name) => {
        const parameter = parameters.find(selectorFree(name));
        return parameter ? [present(parameter, withDecryption)] : [];
      });
      const invalid = names.filter((name) => !parameters.find(selectorFree(name)));
      return { Parameters: found, InvalidParameters: invalid };
    },
    DeleteParameter: (body) => {
      parameters.delete(requiredString(body, 'Name'));
      return {};
    },
    DeleteParameters: (body) => {
      const names = stringList(body, 'Names');
      const deleted: string[] = [];
      const invalid: string[] = [];
      for (const name of names) {
        if (parameters.find(name)) {
          parameters.delete(name);
          deleted.push(name);
        } else {
          invalid.push(name);
        }
      }
      return { DeletedParameters: deleted, InvalidParameters: invalid };
    },
    GetParametersByPath: (body) => {
      const max = optionalNumber(body, 'MaxResults') ?? MAX_BY_PATH_RESULTS;
      if (!Number.isInteger(max) || max < 1 || max > MAX_BY_PATH_RESULTS) {
        throw SsmError.validation(
          `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_BY_PATH_RESULTS}`,
        );
      }
      if (optionalArray(body, 'ParameterFilters').length > 0) {
        throw SsmError.validation('ParameterFilters are not modelled by the local Parameter Store.');
      }
      const all = parameters.byPath(
        requiredString(body, 'Path'),
        optionalBoolean(body, 'Recursive') ?? false,
      );
      const start = decodeToken(optionalString(body, 'NextToken'));
      const page = all.slice(start, start + max);
      const withDecryption = optionalBoolean(body, 'WithDecryption') ?? false;
      const next = start + max < all.length ? encodeToken(start + max) : undefined;
      return {
        Parameters: page.map((parameter) => present(parameter, withDecryption)),
        ...(next ? { NextToken: next } : {}),
      };
    },
  };
  return {
    targetPrefix: 'AmazonSSM',
    jsonVersion: '1.1',
    errorNamespace: 'com.amazonaws.ssm',
    queryCompatible: false,
    operations,
  };
}

/** `name:version` and `name:label` selectors are not modelled: refused rather than misread. */
function selectorFree(name: string): string {
  if (name.includes(':') && !name.startsWith('arn:')) {
    throw SsmError.validation(
      `Parameter version or label selectors are not modelled by the local Parameter Store: ${name}`,
    );
  }
  return name;
}

function stringList(body: RequestBody, field: string): string[] {
  return optionalArray(body, field).filter((value): value is string => typeof value === 'string');
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

function decodeToken(token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through
  }
  throw SsmError.invalidNextToken();
}
