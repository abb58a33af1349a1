import { randomUUID } from 'node:crypto';

/** An event exactly as EventBridge delivers it to targets. */
export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
  'replay-name'?: string;
}

export interface EnvelopeInput {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  resources?: string[];
  time?: Date;
  account: string;
  region: string;
}

export function buildEnvelope(input: EnvelopeInput): EventEnvelope {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': input.detailType,
    source: input.source,
    account: input.account,
    time: formatEventTime(input.time ?? new Date()),
    region: input.region,
    resources: input.resources ?? [],
    detail: input.detail,
  };
}

/** EventBridge writes event times to the second: 2024-01-02T03:04:05Z. */
export function formatEventTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** PutEvents entry size as EventBridge counts it toward the 256 KB limit. */
export function entrySize(entry: {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  Time?: unknown;
}): number {
  let size = entry.Time === undefined ? 0 : 14;
  size += Buffer.byteLength(entry.Source ?? '');
  size += Buffer.byteLength(entry.DetailType ?? '');
  size += Buffer.byteLength(entry.Detail ?? '');
  for (const resource of entry.Resources ?? []) size += Buffer.byteLength(resource);
  return size;
}
