import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { z } from 'zod';
import type { EventDefinition, EventSource } from './define-event';
import { EventTooLargeError, PublishFailedError } from './errors';

/** EventBridge's limit for one entry and for one whole PutEvents request. */
export const MAX_EVENT_BYTES = 256 * 1024;
const MAX_ENTRIES_PER_REQUEST = 10;

export interface PublisherDeps {
  client: EventBridgeClient;
  busName: string;
  source: EventSource;
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface OutgoingEvent<Schema extends z.ZodType = z.ZodType> {
  definition: EventDefinition<string, Schema>;
  detail: z.input<Schema>;
}

export function outgoing<Schema extends z.ZodType>(
  definition: EventDefinition<string, Schema>,
  detail: z.input<Schema>,
): OutgoingEvent<Schema> {
  return { definition, detail };
}

/** Size as EventBridge counts it: time, source, detail-type, detail and resources, in UTF-8 bytes. */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (s: string | undefined) => (s ? Buffer.byteLength(s, 'utf8') : 0);
  return (
    14 +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((n, r) => n + bytes(r), 0)
  );
}

/** Publishes validated events on the bus: batches of ≤10 entries and ≤256 KB, retrying only the entries that failed. */
export class EventPublisher {
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: PublisherDeps) {
    this.maxAttempts = deps.maxAttempts ?? 5;
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async publish<Schema extends z.ZodType>(
    definition: EventDefinition<string, Schema>,
    detail: z.input<Schema>,
  ): Promise<void> {
    await this.publishAll([outgoing(definition, detail)]);
  }

  async publishAll(events: readonly OutgoingEvent[]): Promise<void> {
    const entries = events.map((event) => this.toEntry(event));
    for (const batch of batches(entries)) await this.putWithRetries(batch);
  }

  private toEntry({ definition, detail }: OutgoingEvent): PutEventsRequestEntry {
    if (!definition.sources.includes(this.deps.source)) {
      throw new Error(`${this.deps.source} may not publish ${definition.detailType}`);
    }
    // Producers validate too: a malformed event must fail where it is made, not downstream.
    const parsed = definition.schema.parse(detail);
    const entry: PutEventsRequestEntry = {
      EventBusName: this.deps.busName,
      Source: this.deps.source,
      DetailType: definition.detailType,
      Detail: JSON.stringify(parsed),
    };
    const size = entrySize(entry);
    if (size > MAX_EVENT_BYTES) {
      throw new EventTooLargeError(
        `${definition.detailType} is ${size} bytes; EventBridge accepts at most ${MAX_EVENT_BYTES}. Store large data in S3 and send its key.`,
      );
    }
    return entry;
  }

  private async putWithRetries(batch: PutEventsRequestEntry[]): Promise<void> {
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      const result = await this.deps.client.send(new PutEventsCommand({ Entries: pending }));
      if (!result.FailedEntryCount) return;
      const failed = pending.filter((_, i) => result.Entries?.[i]?.ErrorCode);
      const errors = [
        ...new Set(
          (result.Entries ?? []).flatMap((e) => (e.ErrorCode ? [`${e.ErrorCode}: ${e.ErrorMessage}`] : [])),
        ),
      ];
      if (attempt >= this.maxAttempts) {
        throw new PublishFailedError(
          `${failed.length} event(s) still rejected after ${attempt} attempts: ${errors.join('; ')}`,
        );
      }
      pending = failed;
      await this.sleep(Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2));
    }
  }
}

function* batches(entries: PutEventsRequestEntry[]): Generator<PutEventsRequestEntry[]> {
  let batch: PutEventsRequestEntry[] = [];
  let size = 0;
  for (const entry of entries) {
    const entryBytes = entrySize(entry);
    if (batch.length === MAX_ENTRIES_PER_REQUEST || size + entryBytes > MAX_EVENT_BYTES) {
      yield batch;
      batch = [];
      size = 0;
    }
    batch.push(entry);
    size += entryBytes;
  }
  if (batch.length > 0) yield batch;
}
