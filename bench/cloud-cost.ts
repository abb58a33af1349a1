/**
 * `npm run cost`: what one default video costs on AWS (models apart), and what binds first at 1k,
 * 10k and 100k jobs a day, computed from one measured job on the embedded cloud:
 * - Lambda: each function's invocations and durations during the job, at the memory size and
 *   architecture of the packaged templates (what deploys), billed per GB-second and request;
 * - DynamoDB, S3, EventBridge, Step Functions start: every request the functions made, counted
 *   where the embedded cloud checks each request's IAM permissions (the same gate AWS has);
 * - SQS: messages sent, received and deleted (the queue emulator's own events);
 * - Step Functions (standard): state transitions from each execution's history (GetExecutionHistory).
 * Writes both tables into docs/deploy.md between the cost/capacity markers.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
} from '@aws-sdk/client-sfn';
import type { JobSpecInput } from '@reelay/events';
import type { JobRecord } from '@reelay/job-records';
import { parseStartOptions } from '../local/cli/start-options';
import { type EmbeddedCloud, startEmbeddedCloud } from '../local/cloud/src/embedded-cloud';
import { whenAllWarm } from '../local/cloud/src/lambda/warm-up';
import { packageAllServices, SERVICES } from '../local/packaging/src';
import { type BenchTable, markdownTable } from './bench-section';

/**
 * Published list prices, us-east-1, on-demand, as read on the date below from the pages named.
 * Models (Replicate) are billed apart and not included.
 */
export const PRICES = {
  date: '2026-12-05',
  region: 'us-east-1',
  /** https://aws.amazon.com/lambda/pricing/ */
  lambdaGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 },
  lambdaRequest: 0.2 / 1e6,
  /** https://aws.amazon.com/sqs/pricing/ (standard queues, per 64 KB request) */
  sqsRequest: 0.4 / 1e6,
  /** https://aws.amazon.com/eventbridge/pricing/ (custom events, per 64 KB event) */
  eventBridgeEvent: 1.0 / 1e6,
  /** https://aws.amazon.com/step-functions/pricing/ (standard workflows) */
  stepFunctionsTransition: 0.025 / 1000,
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ */
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  /** https://aws.amazon.com/s3/pricing/ (S3 Standard requests) */
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
} as const;

/** Quotas that bound throughput (defaults of a new account; AWS raises most on request). */
export const QUOTAS = {
  replicateCreatesPerMinute: 600,
  lambdaConcurrencyNewAccount: 10,
  lambdaConcurrencyDefault: 1000,
  /** Step Functions standard, us-east-1: StartExecution refill per second; StateTransition refill per second. */
  sfnStartPerSecond: 300,
  sfnTransitionsPerSecond: 5000,
  /** EventBridge PutEvents, us-east-1 (transactions per second). */
  eventBridgePutEventsPerSecond: 10_000,
  /** DynamoDB on-demand, one partition: writes per second. */
  dynamoPartitionWritesPerSecond: 1000,
} as const;

/** Jobs a day arrive unevenly: the capacity table sizes for the busiest minute at this multiple of the mean. */
const PEAK_FACTOR = 5;

interface FunctionCost {
  name: string;
  memoryMb: number;
  architecture: 'arm64' | 'x86_64';
  invocations: number;
  durationMs: number;
}

interface Counted {
  functions: FunctionCost[];
  sqs: { sent: number; received: number; deleted: number };
  dynamo: { readUnits: number; writeUnits: number; requests: Record<string, number> };
  s3: { puts: number; gets: number; requests: Record<string, number> };
  eventBridgeEvents: number;
  sfnStarts: number;
  sfnTransitions: number;
  predictions: number;
  sceneCount: number;
  jobSeconds: number;
  /** The machine's 1-minute load average when the job started and ended: a loaded machine inflates durations. */
  load: [number, number];
}

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

/** DynamoDB request units of one request, for items up to 1 KB (writes) and 4 KB (reads). */
const dynamoUnits = (operation: string, body: Record<string, unknown>): { read: number; write: number } => {
  const count = (key: string) => (Array.isArray(body[key]) ? (body[key] as unknown[]).length : 0);
  switch (operation) {
    case 'TransactWriteItems':
      return { read: 0, write: 2 * count('TransactItems') };
    case 'TransactGetItems':
      return { read: 2 * count('TransactItems'), write: 0 };
    case 'BatchWriteItem':
      return {
        read: 0,
        write: Object.values((body.RequestItems ?? {}) as Record<string, unknown[]>).reduce(
          (n, l) => n + l.length,
          0,
        ),
      };
    case 'BatchGetItem':
      return {
        read: Object.values((body.RequestItems ?? {}) as Record<string, { Keys?: unknown[] }>).reduce(
          (n, t) => n + (t.Keys?.length ?? 0),
          0,
        ),
        write: 0,
      };
    default:
      if (READS.has(operation)) return { read: body.ConsistentRead ? 1 : 0.5, write: 0 };
      return { read: 0, write: 1 };
  }
};

/** Counts requests at the embedded cloud's IAM gate, which every S3 and JSON-protocol request passes. */
function countRequests(cloud: EmbeddedCloud) {
  const counted = {
    dynamo: { readUnits: 0, writeUnits: 0, requests: {} as Record<string, number> },
    s3: { puts: 0, gets: 0, requests: {} as Record<string, number> },
    eventBridgeEvents: 0,
    sfnStarts: 0,
    on: false,
  };
  const gate = cloud.iam;
  const checkJson = gate.checkJson.bind(gate);
  const checkS3 = gate.checkS3.bind(gate);
  gate.checkJson = async (service, operation, request, body) => {
    const principal = await checkJson(service, operation, request, body);
    if (counted.on) {
      if (service === 'dynamodb') {
        const units = dynamoUnits(operation, body);
        counted.dynamo.readUnits += units.read;
        counted.dynamo.writeUnits += units.write;
        counted.dynamo.requests[operation] = (counted.dynamo.requests[operation] ?? 0) + 1;
      }
      if (service === 'events' && operation === 'PutEvents')
        counted.eventBridgeEvents += Array.isArray(body.Entries) ? body.Entries.length : 0;
      if (service === 'states' && operation === 'StartExecution') counted.sfnStarts++;
    }
    return principal;
  };
  gate.checkS3 = async (request) => {
    const result = await checkS3(request);
    if (counted.on) {
      const action = result.operation.requests[0]?.action ?? 'unknown';
      counted.s3.requests[action] = (counted.s3.requests[action] ?? 0) + 1;
      // PUT, COPY, POST, LIST are billed as PUT requests; GET, HEAD and the rest as GET.
      if (/^s3:(PutObject|ListBucket|CopyObject|DeleteObject)/.test(action)) counted.s3.puts++;
      else counted.s3.gets++;
    }
    return result;
  };
  return counted;
}

async function stateTransitions(cloud: EmbeddedCloud, jobId: string): Promise<number> {
  const sfn = cloud.clients.sfn;
  let transitions = 0;
  const { stateMachines = [] } = await sfn.send(new ListStateMachinesCommand({}));
  for (const machine of stateMachines) {
    const { executions = [] } = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: machine.stateMachineArn, maxResults: 1000 }),
    );
    for (const execution of executions.filter((e) => e.name?.startsWith(jobId))) {
      let nextToken: string | undefined;
      do {
        const page = await sfn.send(
          new GetExecutionHistoryCommand({
            executionArn: execution.executionArn,
            maxResults: 1000,
            nextToken,
          }),
        );
        // Standard workflows are billed per state transition: one per state entered.
        transitions += (page.events ?? []).filter((event) => event.type?.endsWith('StateEntered')).length;
        nextToken = page.nextToken;
      } while (nextToken);
    }
  }
  return transitions;
}

/**
 * Submits the job and follows it as a client would (POST /jobs, GET /jobs/{id}, the presigned
 * video), tolerating the local gateway's 502 when getJob times out on a loaded machine (runJob
 * stops at the first): a cost measurement must not fail because the machine is busy.
 */
async function runJobTolerantly(cloud: EmbeddedCloud, spec: JobSpecInput, log: (line: string) => void) {
  const submittedAt = Date.now();
  const headers = { authorization: `Bearer ${cloud.token('cost-user')}`, 'content-type': 'application/json' };
  const submitted = await fetch(`${cloud.endpoints.api}/jobs`, {
    method: 'POST',
    headers,
    body: JSON.stringify(spec),
  });
  const { jobId } = (await submitted.json()) as { jobId?: string };
  if (submitted.status !== 202 || !jobId) throw new Error(`POST /jobs answered ${submitted.status}`);
  const deadline = Date.now() + 20 * 60_000;
  let busy = 0;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not end in 20 minutes`);
    await new Promise((r) => setTimeout(r, 2000));
    const res = await fetch(`${cloud.endpoints.api}/jobs/${jobId}`, { headers }).catch(() => undefined);
    if (!res || res.status >= 500) {
      busy++;
      continue;
    }
    if (res.status !== 200) continue;
    const record = (await res.json()) as JobRecord & { links?: { video?: string } };
    if (record.status !== 'COMPLETED' && record.status !== 'FAILED') continue;
    if (busy > 0) log(`getJob answered 5xx ${busy} times on the busy machine (polled again)`);
    if (record.links?.video) await (await fetch(record.links.video)).arrayBuffer();
    return { record, timings: { submittedAt, downloadedAt: Date.now() } };
  }
}

async function measure(log: (line: string) => void): Promise<Counted> {
  const packaged = await packageAllServices();
  const deployed = new Map<string, { memoryMb: number; architecture: 'arm64' | 'x86_64' }>();
  for (const service of SERVICES)
    for (const resource of Object.values(packaged[service].template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const p = resource.Properties ?? {};
      const architecture = (Array.isArray(p.Architectures) ? p.Architectures[0] : 'x86_64') as
        | 'arm64'
        | 'x86_64';
      deployed.set(String(p.FunctionName), { memoryMb: Number(p.MemorySize ?? 128), architecture });
    }

  const workDir = mkdtempSync(join(tmpdir(), 'reelay-cost-'));
  const cloud = await startEmbeddedCloud({ stage: 'dev' });
  try {
    await whenAllWarm(cloud.functions.values());
    const requests = countRequests(cloud);
    const sqs = { sent: 0, received: 0, deleted: 0 };
    cloud.emulator.sqs.onSend(() => {
      sqs.sent++;
    });
    cloud.emulator.sqs.onReceive((_queue, messages) => {
      sqs.received += messages.length > 0 ? 1 : 0;
    });
    cloud.emulator.sqs.onLifecycle((event) => {
      if (event.type === 'deleted') sqs.deleted++;
    });
    const before = new Map([...cloud.functions].map(([name, fn]) => [name, fn.invocations]));
    const { spec } = parseStartOptions(['a lighthouse in a storm at night']);
    log(`running the default job: ${JSON.stringify(spec)}`);
    requests.on = true;
    const loadAtStart = loadavg()[0] ?? 0;
    const { record, timings } = await runJobTolerantly(cloud, spec, log);
    requests.on = false;
    if (record.status !== 'COMPLETED')
      throw new Error(
        `the job ended ${record.status}: ${JSON.stringify((record as { failure?: unknown }).failure)}`,
      );

    const functions: FunctionCost[] = [...cloud.functions].map(([name, fn]) => {
      const spans = fn.invocationSpans.filter(
        (s) => s.startMs >= timings.submittedAt && s.endMs <= timings.downloadedAt,
      );
      const config = deployed.get(name) ?? { memoryMb: fn.config.memoryMb, architecture: 'x86_64' as const };
      return {
        name,
        ...config,
        invocations: fn.invocations - (before.get(name) ?? 0),
        durationMs: spans.reduce((sum, s) => sum + (s.endMs - s.startMs), 0),
      };
    });
    return {
      functions: functions.filter((f) => f.invocations > 0).sort((a, b) => b.durationMs - a.durationMs),
      sqs,
      dynamo: requests.dynamo,
      s3: requests.s3,
      eventBridgeEvents: requests.eventBridgeEvents,
      sfnStarts: requests.sfnStarts,
      sfnTransitions: await stateTransitions(cloud, record.jobId),
      predictions: cloud.models.predictions().length,
      sceneCount: record.scenes.length,
      jobSeconds: (timings.downloadedAt - timings.submittedAt) / 1000,
      load: [loadAtStart, loadavg()[0] ?? 0],
    };
  } finally {
    await cloud.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

const usd = (value: number) => `$${value.toFixed(value < 0.001 ? 6 : 5)}`;

export function costTable(c: Counted): { table: BenchTable; total: number } {
  const rows: string[][] = [];
  let total = 0;
  const add = (what: string, quantity: string, cost: number) => {
    rows.push([what, quantity, usd(cost)]);
    total += cost;
  };
  for (const f of c.functions) {
    const gbSeconds = (f.durationMs / 1000) * (f.memoryMb / 1024);
    add(
      `Lambda ${f.name} (${f.memoryMb} MB ${f.architecture})`,
      `${f.invocations} inv, ${(f.durationMs / 1000).toFixed(2)} s, ${gbSeconds.toFixed(2)} GB-s`,
      gbSeconds * PRICES.lambdaGbSecond[f.architecture] + f.invocations * PRICES.lambdaRequest,
    );
  }
  const sqsRequests = c.sqs.sent + c.sqs.received + c.sqs.deleted;
  add(
    'SQS requests',
    `${c.sqs.sent} sent, ${c.sqs.received} receives, ${c.sqs.deleted} deletes`,
    sqsRequests * PRICES.sqsRequest,
  );
  add(
    'EventBridge custom events',
    `${c.eventBridgeEvents} events`,
    c.eventBridgeEvents * PRICES.eventBridgeEvent,
  );
  add(
    'Step Functions standard',
    `${c.sfnStarts} executions, ${c.sfnTransitions} transitions`,
    c.sfnTransitions * PRICES.stepFunctionsTransition,
  );
  const dynamoOps = Object.entries(c.dynamo.requests)
    .map(([op, n]) => `${n} ${op}`)
    .join(', ');
  add(
    'DynamoDB on-demand',
    `${c.dynamo.writeUnits} WRU, ${c.dynamo.readUnits} RRU (${dynamoOps})`,
    c.dynamo.writeUnits * PRICES.dynamoWriteUnit + c.dynamo.readUnits * PRICES.dynamoReadUnit,
  );
  add(
    'S3 requests',
    `${c.s3.puts} PUT-class, ${c.s3.gets} GET-class`,
    c.s3.puts * PRICES.s3Put + c.s3.gets * PRICES.s3Get,
  );
  rows.push(['**total per video (models apart)**', '', `**${usd(total)}**`]);
  const target = 0.005;
  return {
    total,
    table: {
      title: 'Cost per video: the default 720p job (5 scenes x 4 s, narration, music, captions)',
      headers: ['what', 'measured for one job', 'USD'],
      rows,
      notes: [
        `Target under $${target} per video: ${total < target ? 'met' : 'NOT met'} (${usd(total)}).`,
        `Measured by \`npm run cost\` on the embedded cloud: one job, ${c.sceneCount} scenes, ${c.predictions} predictions, ${c.jobSeconds.toFixed(1)} s from POST /jobs to the MP4 downloaded. Lambda durations are this machine's (its ffmpeg work on 2 shared cores), billed at the deployed memory and architecture read from the packaged templates. Load average ${c.load[0].toFixed(1)} when the job started, ${c.load[1].toFixed(1)} when it ended: on a loaded machine every duration (and so the Lambda lines) is inflated, so they are an upper bound.`,
        `Step Functions: ${c.sfnTransitions} transitions over ${c.sfnStarts} RenderScene executions. RenderScene waits for the Replicate webhook (the callback pattern: AwaitPrediction with a task token) instead of polling: a scene is CreatePrediction, AwaitPrediction, IsPredictionDone, StoreScene, IsSceneStored, SceneStored; a lost webhook adds one AwaitPrediction per WEBHOOK_WAIT_SEC (300 s). Retries inside a state are billed by AWS but not in a history's StateEntered events, so a run with retries counts a little low.`,
        `Requests counted where the embedded cloud checks every request's IAM permissions during the job (including the sweeper's and pollers' share of that window). DynamoDB units assume items under 1 KB written and 4 KB read; SQS counts every non-empty receive (idle long polls of the event sources are a fixed cost of about 3 requests a minute per poller, not per video).`,
        `Prices: ${PRICES.region} list prices on ${PRICES.date} (Lambda, SQS, EventBridge, Step Functions, DynamoDB, S3 pricing pages); free tiers not deducted. Not included: the models (Replicate bills them), S3 storage (the final video is kept; intermediates expire), CloudWatch logs and metrics, API Gateway ($1.00 per million HTTP API requests: a few per job) and data transfer out.`,
      ],
    },
  };
}

export function capacityTable(c: Counted): BenchTable {
  const lambdaSeconds = c.functions.reduce((sum, f) => sum + f.durationMs / 1000, 0);
  const rows = [1_000, 10_000, 100_000].map((perDay) => {
    const peakJobsPerSecond = (perDay / 86_400) * PEAK_FACTOR;
    const concurrency = peakJobsPerSecond * lambdaSeconds;
    const creates = peakJobsPerSecond * 60 * c.predictions;
    const sfnStarts = peakJobsPerSecond * c.sfnStarts;
    const sfnTransitions = peakJobsPerSecond * c.sfnTransitions;
    const events = peakJobsPerSecond * c.eventBridgeEvents;
    const dynamoWrites = peakJobsPerSecond * c.dynamo.writeUnits;
    const limits: Array<[string, number]> = [
      ['Lambda concurrency, new account (10)', concurrency / QUOTAS.lambdaConcurrencyNewAccount],
      ['Lambda concurrency, default (1000)', concurrency / QUOTAS.lambdaConcurrencyDefault],
      ['Replicate creates (600/min)', creates / QUOTAS.replicateCreatesPerMinute],
      ['Step Functions StartExecution (300/s)', sfnStarts / QUOTAS.sfnStartPerSecond],
      ['Step Functions transitions (5000/s)', sfnTransitions / QUOTAS.sfnTransitionsPerSecond],
      ['EventBridge PutEvents (10,000/s)', events / QUOTAS.eventBridgePutEventsPerSecond],
    ];
    const binding = limits.filter(([, use]) => use >= 1).map(([name]) => name);
    const highest = [...limits].sort((a, b) => b[1] - a[1])[0];
    return [
      perDay.toLocaleString('en-US'),
      concurrency.toFixed(1),
      creates.toFixed(0),
      sfnTransitions.toFixed(1),
      events.toFixed(1),
      dynamoWrites.toFixed(1),
      binding.length > 0
        ? binding.join('; ')
        : `none (nearest: ${highest?.[0]} at ${((highest?.[1] ?? 0) * 100).toFixed(0)}%)`,
    ];
  });
  return {
    title: 'Capacity: demand at the busiest minute against the first limits',
    headers: [
      'jobs/day',
      'Lambda concurrency',
      'Replicate creates/min',
      'SFN transitions/s',
      'events/s',
      'DynamoDB WRU/s',
      'limits exceeded',
    ],
    rows,
    notes: [
      `From the measured job: ${lambdaSeconds.toFixed(1)} Lambda-seconds, ${c.predictions} predictions, ${c.sfnStarts} executions with ${c.sfnTransitions} transitions, ${c.eventBridgeEvents} events, ${c.dynamo.writeUnits} WRU per job; the busiest minute carries ${PEAK_FACTOR}x the day's mean rate. Model render time is Replicate's, not Lambda's (the RenderScene workflow waits for the webhook; a lost one is checked after WEBHOOK_WAIT_SEC).`,
      'When a limit binds nothing is lost, work queues up: Lambda throttles leave messages in their SQS queue (the prepare and render event sources cap their own concurrency, so throttling does not count receives towards the DLQ); Replicate 429s are retried with back-off by the RenderScene workflow; throttled StartExecution or PutEvents calls fail the invocation and SQS redelivers it; a message that fails 3 to 5 times lands in a DLQ, its job is marked FAILED (retryable) and `npm run redrive` sends it back. Queue ages and DLQ depths alarm.',
      "Raising them: Lambda concurrency through Service Quotas (L-B99A9384, ask for 1000 on a new account before real traffic); Replicate's create rate by asking Replicate; Step Functions and EventBridge quotas through Service Quotas; DynamoDB on-demand tables scale by themselves (every hot key here is per job or per user per day; each partition takes 1000 writes/s).",
    ],
  };
}

/** Replaces what is between <!-- name:begin --> and <!-- name:end --> in the guide. */
export function spliceSection(doc: string, name: string, text: string): string {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/deploy.md has no ${begin} … ${end}`);
  return `${doc.slice(0, from + begin.length)}\n${text}\n${doc.slice(to)}`;
}

/** The bench's tables start with a "## title" heading; inside the guide's sections they are "###". */
const asSubsection = (table: BenchTable) => markdownTable(table).replace(/^## /, '### ').trimEnd();

async function main(): Promise<void> {
  const counted = await measure((line) => process.stderr.write(`[cost] ${line}\n`));
  const { table } = costTable(counted);
  const capacity = capacityTable(counted);
  process.stdout.write(`${markdownTable(table)}\n${markdownTable(capacity)}\n`);
  const guide = resolve(__dirname, '..', 'docs', 'deploy.md');
  let doc = readFileSync(guide, 'utf8');
  doc = spliceSection(doc, 'cost', asSubsection(table));
  doc = spliceSection(doc, 'capacity', asSubsection(capacity));
  writeFileSync(guide, doc);
  process.stdout.write(`written to ${guide}\n`);
}

if (require.main === module)
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
