import {
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  DescribeReplayCommand,
  DescribeRuleCommand,
  type EventBridgeClient,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';

/** AWS may still be writing the last minutes of events to the archive (it says: up to 10 minutes). */
export const MIN_REPLAY_AGE_MS = 10 * 60 * 1000;

export class ReplayWindowError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'ReplayWindowError';
  }
}

export interface ReplayRequest {
  bus: string;
  archive: string;
  from: Date;
  to: Date;
  rules?: string[];
  /** True against AWS: the window must end 10 minutes ago or earlier. */
  inAws: boolean;
  now?: Date;
  name?: string;
}

export interface ReplayResult {
  replayName: string;
  state: string;
  archiveEventCount?: number;
  rules: string[];
  from: string;
  to: string;
}

/** Starts an EventBridge replay of the bus archive over [from, to), optionally only to some rules, and waits for it. */
export async function startArchiveReplay(
  events: EventBridgeClient,
  request: ReplayRequest,
  waitMs = 120_000,
): Promise<ReplayResult> {
  const now = request.now ?? new Date();
  if (!(request.from < request.to)) throw new ReplayWindowError('--from must be before --to');
  if (request.inAws && now.getTime() - request.to.getTime() < MIN_REPLAY_AGE_MS)
    throw new ReplayWindowError(
      `--to must be at least 10 minutes ago in AWS (the archive may not hold later events yet); it is ${request.to.toISOString()}`,
    );
  const bus = await events.send(new DescribeEventBusCommand({ Name: request.bus }));
  const archive = await events.send(new DescribeArchiveCommand({ ArchiveName: request.archive }));
  const ruleArns: string[] = [];
  for (const rule of request.rules ?? []) {
    const found = await events.send(new DescribeRuleCommand({ Name: rule, EventBusName: request.bus }));
    if (found.Arn) ruleArns.push(found.Arn);
  }
  const replayName = request.name ?? `reelay-replay-${now.getTime()}`;
  await events.send(
    new StartReplayCommand({
      ReplayName: replayName,
      EventSourceArn: archive.ArchiveArn,
      EventStartTime: request.from,
      EventEndTime: request.to,
      Destination: { Arn: bus.Arn, ...(ruleArns.length > 0 ? { FilterArns: ruleArns } : {}) },
    }),
  );
  let state = 'STARTING';
  const deadline = Date.now() + waitMs;
  while (!['COMPLETED', 'FAILED', 'CANCELLED'].includes(state) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    state = String((await events.send(new DescribeReplayCommand({ ReplayName: replayName }))).State);
  }
  return {
    replayName,
    state,
    ...(archive.EventCount === undefined ? {} : { archiveEventCount: archive.EventCount }),
    rules: request.rules ?? [],
    from: request.from.toISOString(),
    to: request.to.toISOString(),
  };
}
