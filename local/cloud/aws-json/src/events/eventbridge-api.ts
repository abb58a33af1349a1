import type { JsonService, OperationHandler } from '../http/json-service';
import {
  asRecord,
  optionalArray,
  optionalBoolean,
  optionalEpochSeconds,
  optionalNumber,
  optionalString,
  type RequestBody,
  requiredString,
  toEpochSeconds,
} from '../shared/request-fields';
import type { Archive, Replay } from './event-archives';
import type { EventBridgeBackend, EventBus, PutEventsEntry, Rule, RuleState } from './eventbridge-backend';
import { EventBridgeError } from './eventbridge-errors';
import type { RuleTarget } from './target-delivery';

/** Maps the AWSEvents JSON operations onto the backend. */
export function eventBridgeJsonService(events: EventBridgeBackend): JsonService {
  const operations: Record<string, OperationHandler> = {
    CreateEventBus: (body) => {
      const bus = events.createEventBus(requiredString(body, 'Name'), optionalString(body, 'Description'));
      return { EventBusArn: bus.arn, Description: bus.description };
    },
    DescribeEventBus: (body) => busView(events.bus(optionalString(body, 'Name'))),
    ListEventBuses: (body) => ({
      EventBuses: events.listEventBuses(optionalString(body, 'NamePrefix') ?? '').map(busView),
    }),
    DeleteEventBus: (body) => {
      events.deleteEventBus(requiredString(body, 'Name'));
      return {};
    },
    PutRule: (body) => {
      const rule = events.putRule({
        name: requiredString(body, 'Name'),
        eventBusName: optionalString(body, 'EventBusName'),
        eventPattern: optionalString(body, 'EventPattern'),
        scheduleExpression: optionalString(body, 'ScheduleExpression'),
        state: ruleState(optionalString(body, 'State')),
        description: optionalString(body, 'Description'),
        roleArn: optionalString(body, 'RoleArn'),
      });
      return { RuleArn: rule.arn };
    },
    DescribeRule: (body) => ({
      ...ruleView(events.rule(requiredString(body, 'Name'), optionalString(body, 'EventBusName'))),
      CreatedBy: events.accountId,
    }),
    ListRules: (body) => ({
      Rules: events
        .listRules(optionalString(body, 'EventBusName'), optionalString(body, 'NamePrefix') ?? '')
        .map(ruleView),
    }),
    ListRuleNamesByTarget: (body) => ({
      RuleNames: events.ruleNamesByTarget(
        requiredString(body, 'TargetArn'),
        optionalString(body, 'EventBusName'),
      ),
    }),
    DeleteRule: (body) => {
      events.deleteRule(
        requiredString(body, 'Name'),
        optionalString(body, 'EventBusName'),
        optionalBoolean(body, 'Force') ?? false,
      );
      return {};
    },
    EnableRule: (body) => {
      events.setRuleState(requiredString(body, 'Name'), optionalString(body, 'EventBusName'), 'ENABLED');
      return {};
    },
    DisableRule: (body) => {
      events.setRuleState(requiredString(body, 'Name'), optionalString(body, 'EventBusName'), 'DISABLED');
      return {};
    },
    PutTargets: (body) => {
      const targets = optionalArray(body, 'Targets').map((target) => asRecord(target) as RuleTarget);
      if (targets.length === 0)
        throw EventBridgeError.validation('Targets must contain at least one target.');
      const failed = events.putTargets(
        requiredString(body, 'Rule'),
        optionalString(body, 'EventBusName'),
        targets,
      );
      return { FailedEntryCount: failed.length, FailedEntries: failed };
    },
    RemoveTargets: (body) => {
      const ids = optionalArray(body, 'Ids').filter((id): id is string => typeof id === 'string');
      const failed = events.removeTargets(
        requiredString(body, 'Rule'),
        optionalString(body, 'EventBusName'),
        ids,
      );
      return { FailedEntryCount: failed.length, FailedEntries: failed };
    },
    ListTargetsByRule: (body) => ({
      Targets: [
        ...events.rule(requiredString(body, 'Rule'), optionalString(body, 'EventBusName')).targets.values(),
      ],
    }),
    PutEvents: (body) => {
      const results = events.putEvents(
        optionalArray(body, 'Entries').map((entry) => putEventsEntry(asRecord(entry))),
      );
      return {
        FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
        Entries: results,
      };
    },
    TestEventPattern: (body) => {
      const eventText = requiredString(body, 'Event');
      let event: unknown;
      try {
        event = JSON.parse(eventText);
      } catch {
        throw EventBridgeError.validation('Parameter Event is not valid JSON.');
      }
      return { Result: events.testEventPattern(requiredString(body, 'EventPattern'), event) };
    },
    CreateArchive: (body) => {
      const archive = events.archives.createArchive({
        name: requiredString(body, 'ArchiveName'),
        eventSourceArn: requiredString(body, 'EventSourceArn'),
        description: optionalString(body, 'Description'),
        eventPattern: optionalString(body, 'EventPattern'),
        retentionDays: optionalNumber(body, 'RetentionDays'),
      });
      return { ArchiveArn: archive.arn, State: 'ENABLED', CreationTime: toEpochSeconds(archive.createdAt) };
    },
    UpdateArchive: (body) => {
      const archive = events.archives.updateArchive(requiredString(body, 'ArchiveName'), {
        description: optionalString(body, 'Description'),
        eventPattern: optionalString(body, 'EventPattern'),
        retentionDays: optionalNumber(body, 'RetentionDays'),
      });
      return { ArchiveArn: archive.arn, State: 'ENABLED', CreationTime: toEpochSeconds(archive.createdAt) };
    },
    DescribeArchive: (body) => {
      const archive = events.archives.archive(requiredString(body, 'ArchiveName'));
      return {
        ...archiveView(archive),
        ArchiveArn: archive.arn,
        Description: archive.description,
        EventPattern: archive.eventPattern,
      };
    },
    ListArchives: (body) => ({
      Archives: events.archives
        .listArchives({
          namePrefix: optionalString(body, 'NamePrefix'),
          eventSourceArn: optionalString(body, 'EventSourceArn'),
        })
        .map(archiveView),
    }),
    DeleteArchive: (body) => {
      events.archives.deleteArchive(requiredString(body, 'ArchiveName'));
      return {};
    },
    StartReplay: (body) => {
      const destination = asRecord(body.Destination);
      const destinationArn = requiredString(destination, 'Arn');
      const filterArns = optionalArray(destination, 'FilterArns').filter(
        (arn): arn is string => typeof arn === 'string',
      );
      const replay = events.archives.startReplay({
        name: requiredString(body, 'ReplayName'),
        description: optionalString(body, 'Description'),
        eventSourceArn: requiredString(body, 'EventSourceArn'),
        eventStartTime: requiredTime(body, 'EventStartTime'),
        eventEndTime: requiredTime(body, 'EventEndTime'),
        destination:
          filterArns.length > 0 ? { Arn: destinationArn, FilterArns: filterArns } : { Arn: destinationArn },
      });
      return {
        ReplayArn: replay.arn,
        State: replay.state,
        StateReason: replay.stateReason,
        ReplayStartTime: toEpochSeconds(replay.replayStartTime),
      };
    },
    DescribeReplay: (body) => {
      const replay = events.archives.replay(requiredString(body, 'ReplayName'));
      return {
        ...replayView(replay),
        ReplayArn: replay.arn,
        Description: replay.description,
        Destination: replay.destination,
      };
    },
    ListReplays: (body) => ({
      Replays: events.archives
        .listReplays({
          namePrefix: optionalString(body, 'NamePrefix'),
          state: optionalString(body, 'State'),
          eventSourceArn: optionalString(body, 'EventSourceArn'),
        })
        .map(replayView),
    }),
    CancelReplay: (body) => {
      const replay = events.archives.cancelReplay(requiredString(body, 'ReplayName'));
      return { ReplayArn: replay.arn, State: replay.state, StateReason: replay.stateReason };
    },
  };
  return {
    targetPrefix: 'AWSEvents',
    jsonVersion: '1.1',
    errorNamespace: 'com.amazonaws.eventbridge',
    queryCompatible: false,
    operations,
  };
}

function ruleState(state: string | undefined): RuleState | undefined {
  if (state === undefined) return undefined;
  if (
    state === 'ENABLED' ||
    state === 'DISABLED' ||
    state === 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'
  )
    return state;
  throw EventBridgeError.validation(`Parameter State is not valid: ${state}`);
}

function putEventsEntry(entry: RequestBody): PutEventsEntry {
  return {
    Source: optionalString(entry, 'Source'),
    DetailType: optionalString(entry, 'DetailType'),
    Detail: optionalString(entry, 'Detail'),
    Resources: optionalArray(entry, 'Resources').filter(
      (resource): resource is string => typeof resource === 'string',
    ),
    Time: optionalEpochSeconds(entry, 'Time'),
    EventBusName: optionalString(entry, 'EventBusName'),
    TraceHeader: optionalString(entry, 'TraceHeader'),
  };
}

function requiredTime(body: RequestBody, field: string): number {
  const time = optionalEpochSeconds(body, field);
  if (!time) throw EventBridgeError.validation(`Parameter ${field} is required.`);
  return time.getTime();
}

function busView(bus: EventBus) {
  return {
    Name: bus.name,
    Arn: bus.arn,
    Description: bus.description,
    CreationTime: toEpochSeconds(bus.createdAt),
    LastModifiedTime: toEpochSeconds(bus.lastModifiedAt),
  };
}

function ruleView(rule: Rule) {
  return {
    Name: rule.name,
    Arn: rule.arn,
    EventPattern: rule.eventPattern,
    ScheduleExpression: rule.scheduleExpression,
    State: rule.state,
    Description: rule.description,
    RoleArn: rule.roleArn,
    EventBusName: rule.busName,
  };
}

function archiveView(archive: Archive) {
  return {
    ArchiveName: archive.name,
    EventSourceArn: archive.eventSourceArn,
    State: 'ENABLED',
    RetentionDays: archive.retentionDays,
    SizeBytes: archive.events.reduce((sum, entry) => sum + entry.sizeBytes, 0),
    EventCount: archive.events.length,
    CreationTime: toEpochSeconds(archive.createdAt),
  };
}

function replayView(replay: Replay) {
  return {
    ReplayName: replay.name,
    EventSourceArn: replay.eventSourceArn,
    State: replay.state,
    StateReason: replay.stateReason,
    EventStartTime: toEpochSeconds(replay.eventStartTime),
    EventEndTime: toEpochSeconds(replay.eventEndTime),
    EventLastReplayedTime:
      replay.eventLastReplayedTime === undefined ? undefined : toEpochSeconds(replay.eventLastReplayedTime),
    ReplayStartTime: toEpochSeconds(replay.replayStartTime),
    ReplayEndTime: replay.replayEndTime === undefined ? undefined : toEpochSeconds(replay.replayEndTime),
  };
}
