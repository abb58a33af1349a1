import { createHash } from 'node:crypto';
import { asRecord } from '../shared/request-fields';
import { SqsError } from './sqs-errors';

/** One SQS message attribute as stored: binary values kept as bytes. */
export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Buffer;
}

export type MessageAttributes = Record<string, MessageAttribute>;

const MAX_ATTRIBUTES = 10;
const NAME_PATTERN = /^(?!aws\.|amazon\.)(?!\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9_.-]{1,256}$/i;

/** Parses MessageAttributes (or MessageSystemAttributes) from a JSON request, as SQS validates them. */
export function parseMessageAttributes(raw: unknown, field = 'MessageAttributes'): MessageAttributes {
  const entries = Object.entries(asRecord(raw));
  if (entries.length > MAX_ATTRIBUTES) {
    throw SqsError.invalidParameterValue(`Number of ${field} must not exceed ${MAX_ATTRIBUTES}`);
  }
  const attributes: MessageAttributes = {};
  for (const [name, value] of entries) {
    if (!NAME_PATTERN.test(name)) {
      throw SqsError.invalidParameterValue(`Message attribute name '${name}' is invalid`);
    }
    const record = asRecord(value);
    const dataType = record.DataType;
    if (typeof dataType !== 'string' || !/^(String|Number|Binary)(\..+)?$/.test(dataType)) {
      throw SqsError.invalidParameterValue(`The message attribute '${name}' has an invalid DataType`);
    }
    if (dataType.startsWith('Binary')) {
      if (typeof record.BinaryValue !== 'string') {
        throw SqsError.invalidParameterValue(
          `The message attribute '${name}' must contain a non-empty value of message attribute type '${dataType}'`,
        );
      }
      attributes[name] = { DataType: dataType, BinaryValue: Buffer.from(record.BinaryValue, 'base64') };
    } else {
      if (typeof record.StringValue !== 'string' || record.StringValue === '') {
        throw SqsError.invalidParameterValue(
          `The message attribute '${name}' must contain a non-empty value of message attribute type '${dataType}'`,
        );
      }
      if (dataType.startsWith('Number') && !Number.isFinite(Number(record.StringValue))) {
        throw SqsError.invalidParameterValue(
          `Can't cast the value of message attribute '${name}' to a number`,
        );
      }
      attributes[name] = { DataType: dataType, StringValue: record.StringValue };
    }
  }
  return attributes;
}

/** The JSON wire form of attributes: binary values base64-encoded. */
export function serializeMessageAttributes(
  attributes: MessageAttributes,
): Record<string, Record<string, string>> {
  const wire: Record<string, Record<string, string>> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    wire[name] =
      attribute.BinaryValue !== undefined
        ? { DataType: attribute.DataType, BinaryValue: attribute.BinaryValue.toString('base64') }
        : { DataType: attribute.DataType, StringValue: attribute.StringValue ?? '' };
  }
  return wire;
}

export function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

const STRING_TRANSPORT = 1;
const BINARY_TRANSPORT = 2;

/**
 * MD5OfMessageAttributes exactly as SQS computes it: for each attribute in name order,
 * length-prefixed (4-byte big-endian) UTF-8 name and data type, then a transport byte
 * (1 string, 2 binary) and the length-prefixed value.
 */
export function md5OfMessageAttributes(attributes: MessageAttributes): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  for (const name of names) {
    const attribute = attributes[name];
    if (!attribute) continue;
    parts.push(
      lengthPrefixed(Buffer.from(name, 'utf8')),
      lengthPrefixed(Buffer.from(attribute.DataType, 'utf8')),
    );
    if (attribute.BinaryValue !== undefined) {
      parts.push(Buffer.from([BINARY_TRANSPORT]), lengthPrefixed(attribute.BinaryValue));
    } else {
      parts.push(
        Buffer.from([STRING_TRANSPORT]),
        lengthPrefixed(Buffer.from(attribute.StringValue ?? '', 'utf8')),
      );
    }
  }
  return md5Hex(Buffer.concat(parts));
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([length, bytes]);
}

/** Filters attributes by ReceiveMessage's MessageAttributeNames ("All", ".*", "prefix.*" or exact names). */
export function selectMessageAttributes(
  attributes: MessageAttributes,
  requested: readonly string[],
): MessageAttributes {
  if (requested.length === 0) return {};
  const selected: MessageAttributes = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    const wanted = requested.some((pattern) => {
      if (pattern === 'All' || pattern === '.*') return true;
      if (pattern.endsWith('.*')) return name.startsWith(pattern.slice(0, -1));
      return pattern === name;
    });
    if (wanted) selected[name] = attribute;
  }
  return selected;
}

export function messageAttributesSize(attributes: MessageAttributes): number {
  let size = 0;
  for (const [name, attribute] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(attribute.DataType);
    size += attribute.BinaryValue?.length ?? Buffer.byteLength(attribute.StringValue ?? '');
  }
  return size;
}
