import type { DurableStore } from '../shared/durable-store';
import type { EventEnvelope } from './event-envelope';
import {
  type EventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
  parseEventPattern,
} from './event-pattern';
import { EventBridgeError } from './eventbridge-errors';

export interface Archive {
  name: string;
  arn: string;
  eventSourceArn: string;
  description?: string;
  eventPattern?: string;
  pattern?: EventPattern;
  retentionDays: number;
  createdAt: number;
  events: Array<{ event: EventEnvelope; eventTime: number; sizeBytes: number }>;
}

export type ReplayState = 'STARTING' | 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

export interface Replay {
  name: string;
  arn: string;
  description?: string;
  eventSourceArn: string;
  destination: { Arn: string; FilterArns?: string[] };
  eventStartTime: number;
  eventEndTime: number;
  state: ReplayState;
  stateReason?: string;
  replayStartTime: number;
  replayEndTime?: number;
  eventLastReplayedTime?: number;
}

/** Where the archives send replayed events: the backend's bus dispatch, limited to some rules. */
export interface ReplayTarget {
  busExists(busArn: string): boolean;
  dispatchReplayed(busArn: string, event: EventEnvelope, ruleArns: readonly string[] | undefined): void;
}

const REPLAY_BATCH = 200;

/** The store's record kind for archived events, keyed `<archive name>/<event id>`. */
const ARCHIVED_EVENT_RECORD = 'eventbridge-archived-event';
type ArchivedEvent = Archive['events'][number];

/** Event archives (every matching event put on a bus) and replays of a time window. */
export class EventArchives {
  private readonly archives = new Map<string, Archive>();
  private readonly replays = new Map<string, Replay>();
  private closed = false;

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    private readonly target: ReplayTarget,
    /** Keeps archived events on disk; an archive created again after a restart gets them back. */
    private readonly store?: DurableStore,
  ) {}

  createArchive(input: {
    name: string;
    eventSourceArn: string;
    description?: string;
    eventPattern?: string;
    retentionDays?: number;
  }): Archive {
    if (this.archives.has(input.name))
      throw EventBridgeError.resourceAlreadyExists(`Archive ${input.name} already exists.`);
    if (!this.target.busExists(input.eventSourceArn)) {
      throw EventBridgeError.resourceNotFound(`Event bus ${input.eventSourceArn} does not exist.`);
    }
    const archive: Archive = {
      name: input.name,
      arn: `arn:aws:events:${this.region}:${this.accountId}:archive/${input.name}`,
      eventSourceArn: input.eventSourceArn,
      retentionDays: input.retentionDays ?? 0,
      createdAt: Date.now(),
      events:
        this.store
          ?.list<ArchivedEvent>(ARCHIVED_EVENT_RECORD)
          .filter(({ key }) => key.startsWith(`${input.name}/`))
          .map(({ value }) => value) ?? [],
    };
    if (input.description !== undefined) archive.description = input.description;
    this.applyPattern(archive, input.eventPattern);
    this.archives.set(archive.name, archive);
    return archive;
  }

  updateArchive(
    name: string,
    changes: { description?: string; eventPattern?: string; retentionDays?: number },
  ): Archive {
    const archive = this.archive(name);
    if (changes.description !== undefined) archive.description = changes.description;
    if (changes.retentionDays !== undefined) archive.retentionDays = changes.retentionDays;
    if (changes.eventPattern !== undefined) this.applyPattern(archive, changes.eventPattern);
    return archive;
  }

  archive(name: string): Archive {
    const archive = this.archives.get(name);
    if (!archive) throw EventBridgeError.resourceNotFound(`Archive ${name} does not exist.`);
    this.expire(archive);
    return archive;
  }

  listArchives(filter: { namePrefix?: string; eventSourceArn?: string } = {}): Archive[] {
    return [...this.archives.values()].filter(
      (archive) =>
        archive.name.startsWith(filter.namePrefix ?? '') &&
        (filter.eventSourceArn === undefined || archive.eventSourceArn === filter.eventSourceArn),
    );
  }

  deleteArchive(name: string): void {
    this.archive(name);
    this.archives.delete(name);
    this.store?.deletePrefix(ARCHIVED_EVENT_RECORD, `${name}/`);
  }

  /** Archives an event put on a bus (replayed events never come here). */
  record(busArn: string, event: EventEnvelope): void {
    for (const archive of this.archives.values()) {
      if (archive.eventSourceArn !== busArn) continue;
      if (archive.pattern && !matchesEventPattern(archive.pattern, event)) continue;
      const archived: ArchivedEvent = {
        event,
        eventTime: Date.parse(event.time),
        sizeBytes: Buffer.byteLength(JSON.stringify(event)),
      };
      this.store?.put(ARCHIVED_EVENT_RECORD, `${archive.name}/${event.id}`, archived);
      archive.events.push(archived);
    }
  }

  startReplay(input: {
    name: string;
    description?: string;
    eventSourceArn: string;
    eventStartTime: number;
    eventEndTime: number;
    destination: { Arn: string; FilterArns?: string[] };
  }): Replay {
    if (this.replays.has(input.name))
      throw EventBridgeError.resourceAlreadyExists(`Replay ${input.name} already exists.`);
    const archive = [...this.archives.values()].find((candidate) => candidate.arn === input.eventSourceArn);
    if (!archive) throw EventBridgeError.resourceNotFound(`Archive ${input.eventSourceArn} does not exist.`);
    if (!this.target.busExists(input.destination.Arn)) {
      throw EventBridgeError.resourceNotFound(`Event bus ${input.destination.Arn} does not exist.`);
    }
    if (input.destination.Arn !== archive.eventSourceArn) {
      throw EventBridgeError.validation(
        'Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.',
      );
    }
    if (!(input.eventStartTime < input.eventEndTime)) {
      throw EventBridgeError.validation(
        'Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.',
      );
    }
    const replay: Replay = {
      name: input.name,
      arn: `arn:aws:events:${this.region}:${this.accountId}:replay/${input.name}`,
      eventSourceArn: input.eventSourceArn,
      destination: input.destination,
      eventStartTime: input.eventStartTime,
      eventEndTime: input.eventEndTime,
      state: 'STARTING',
      replayStartTime: Date.now(),
    };
    if (input.description !== undefined) replay.description = input.description;
    this.replays.set(replay.name, replay);
    const events = archive.events
      .filter(({ eventTime }) => eventTime >= input.eventStartTime && eventTime < input.eventEndTime)
      .sort((left, right) => left.eventTime - right.eventTime)
      .map(({ event }) => event);
    setImmediate(() => this.runReplay(replay, events, 0));
    return replay;
  }

  replay(name: string): Replay {
    const replay = this.replays.get(name);
    if (!replay) throw EventBridgeError.resourceNotFound(`Replay ${name} does not exist.`);
    return replay;
  }

  listReplays(filter: { namePrefix?: string; state?: string; eventSourceArn?: string } = {}): Replay[] {
    return [...this.replays.values()].filter(
      (replay) =>
        replay.name.startsWith(filter.namePrefix ?? '') &&
        (filter.state === undefined || replay.state === filter.state) &&
        (filter.eventSourceArn === undefined || replay.eventSourceArn === filter.eventSourceArn),
    );
  }

  cancelReplay(name: string): Replay {
    const replay = this.replay(name);
    if (replay.state !== 'STARTING' && replay.state !== 'RUNNING') {
      throw EventBridgeError.illegalStatus(`Replay ${name} is not in a state that can be cancelled.`);
    }
    replay.state = 'CANCELLING';
    return replay;
  }

  close(): void {
    this.closed = true;
  }

  private runReplay(replay: Replay, events: readonly EventEnvelope[], from: number): void {
    if (this.closed) return;
    if (replay.state === 'CANCELLING') {
      replay.state = 'CANCELLED';
      replay.replayEndTime = Date.now();
      return;
    }
    replay.state = 'RUNNING';
    const filterArns = replay.destination.FilterArns?.length ? replay.destination.FilterArns : undefined;
    const until = Math.min(events.length, from + REPLAY_BATCH);
    for (let index = from; index < until; index++) {
      const event = events[index] as EventEnvelope;
      this.target.dispatchReplayed(
        replay.destination.Arn,
        { ...event, 'replay-name': replay.name },
        filterArns,
      );
      replay.eventLastReplayedTime = Date.parse(event.time);
    }
    if (until < events.length) {
      setImmediate(() => this.runReplay(replay, events, until));
      return;
    }
    replay.state = 'COMPLETED';
    replay.replayEndTime = Date.now();
  }

  private applyPattern(archive: Archive, eventPattern: string | undefined): void {
    if (eventPattern === undefined || eventPattern === '') {
      delete archive.eventPattern;
      delete archive.pattern;
      return;
    }
    try {
      archive.pattern = parseEventPattern(eventPattern);
      archive.eventPattern = eventPattern;
    } catch (error) {
      if (error instanceof InvalidEventPatternError)
        throw EventBridgeError.invalidEventPattern(error.message);
      throw error;
    }
  }

  private expire(archive: Archive): void {
    if (archive.retentionDays <= 0) return;
    const oldestAllowed = Date.now() - archive.retentionDays * 86_400_000;
    for (const { event, eventTime } of archive.events) {
      if (eventTime < oldestAllowed) this.store?.delete(ARCHIVED_EVENT_RECORD, `${archive.name}/${event.id}`);
    }
    archive.events = archive.events.filter(({ eventTime }) => eventTime >= oldestAllowed);
  }
}
