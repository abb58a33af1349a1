/**
 * Event hop latency on the embedded cloud: PutEvents (real SDK client) → rule → SQS queue → event
 * source poller → Lambda sandbox handler entered. Events are sent one at a time, each after the
 * previous one reached the handler, so the figure is the hop itself, not queueing behind others.
 * Each hop is split into its legs with the emulator's send/receive listeners, so a slow leg shows.
 */
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { type EmbeddedCloud, startEmbeddedCloud } from '../local/cloud/src/embedded-cloud';
import { LocalFunction } from '../local/cloud/src/lambda/local-function';
import { SqsEventSource } from '../local/cloud/src/lambda/sqs-event-source';
import type { BenchSection, BenchTable } from './bench-section';

const TARGET_P50_MS = 20;
const QUEUE = 'bench-hop';
const SOURCE = 'reelay.bench';

export interface HopLatencyResult {
  title: string;
  lines: string[];
  figures: Record<string, number>;
}

export interface HopLatencyOptions {
  events?: number;
  /** An embedded cloud to measure on; by default one is started (and closed) for the run. */
  cloud?: EmbeddedCloud;
  log?: (line: string) => void;
}

interface Hop {
  putAt: number;
  putDoneAt?: number;
  queuedAt?: number;
  receivedAt?: number;
  enteredAt?: number;
}

const now = () => performance.timeOrigin + performance.now();

export async function runHopLatencyBench(options: HopLatencyOptions = {}): Promise<HopLatencyResult> {
  const count = options.events ?? 200;
  const log = options.log ?? (() => undefined);
  const cloud = options.cloud ?? (await startEmbeddedCloud({ stage: 'bench-hop' }));
  const stops: Array<() => unknown> = [];
  try {
    log('embedded cloud up; wiring the bench rule, queue and function');
    const hops = new Map<string, Hop>();
    const waiters = new Map<string, () => void>();
    const idOf = (body: string) => /"hop":"([^"]+)"/.exec(body)?.[1];
    stops.push(
      cloud.emulator.sqs.onSend((queueName, message) => {
        const hop = queueName === QUEUE ? hops.get(idOf(message.body) ?? '') : undefined;
        if (hop) hop.queuedAt = now();
      }),
      cloud.emulator.sqs.onReceive((queueName, messages) => {
        if (queueName !== QUEUE) return;
        for (const m of messages) {
          const hop = hops.get(idOf(m.Body) ?? '');
          if (hop) hop.receivedAt ??= now();
        }
      }),
    );
    const { queueUrl, fn } = await deployBenchConsumer(cloud);
    const source = new SqsEventSource(
      cloud.clients.sqs,
      {
        queueArn: cloud.emulator.sqs.queueArn(QUEUE),
        queueUrl,
        batchSize: 10,
        reportBatchItemFailures: true,
        concurrency: 2,
        region: cloud.region,
      },
      {
        invoke: async (payload) => {
          const result = (await fn.invoke(payload)) as { enteredAt: number };
          for (const record of (payload as { Records: Array<{ body: string }> }).Records) {
            const id = idOf(record.body) ?? '';
            const hop = hops.get(id);
            if (hop) hop.enteredAt = result.enteredAt;
            waiters.get(id)?.();
          }
          return result;
        },
      },
      (error) => log(`event source error: ${String(error)}`),
    );
    source.start();
    stops.push(() => source.stop());

    // Warm-up: the first hops pay for cold connections and the sandbox's first load.
    const send = async (id: string, record: boolean) => {
      const arrived = new Promise<void>((resolve) => waiters.set(id, resolve));
      const hop: Hop = { putAt: now() };
      hops.set(id, hop);
      await cloud.clients.events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: cloud.names.bus,
              Source: SOURCE,
              DetailType: 'Hop',
              Detail: JSON.stringify({ hop: id }),
            },
          ],
        }),
      );
      hop.putDoneAt = now();
      await arrived;
      waiters.delete(id);
      if (!record) hops.delete(id);
    };
    for (let i = 0; i < 10; i++) await send(`warm-${i}`, false);
    log(`sending ${count} events one at a time`);
    for (let i = 0; i < count; i++) await send(`hop-${i}`, true);

    const pollers = [...cloud.eventSources, source].reduce((sum, s) => sum + s.config.concurrency, 0);
    const measured = [...hops.values()];
    const leg = (from: keyof Hop, to: keyof Hop) =>
      measured.map((h) => (h[to] ?? Number.NaN) - (h[from] ?? Number.NaN)).filter(Number.isFinite);
    const total = leg('putAt', 'enteredAt');
    const p50 = percentile(total, 50);
    const p95 = percentile(total, 95);
    const legs: Array<[string, number[]]> = [
      ['PutEvents call', leg('putAt', 'putDoneAt')],
      ['bus → rule → queue', leg('putAt', 'queuedAt')],
      ['queue → poller receive', leg('queuedAt', 'receivedAt')],
      ['receive → handler entered', leg('receivedAt', 'enteredAt')],
    ];
    const lines = [
      `${total.length} events, one at a time; ${cloud.eventSources.length + 1} event sources with ${pollers} long polls open`,
      `hop p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${Math.max(...total).toFixed(1)} ms`,
      `target p50 < ${TARGET_P50_MS} ms: ratio ${(p50 / TARGET_P50_MS).toFixed(2)} (${p50 < TARGET_P50_MS ? 'met' : 'NOT met'})`,
      ...legs.map(
        ([name, values]) =>
          `  ${name}: p50 ${percentile(values, 50).toFixed(1)} ms, p95 ${percentile(values, 95).toFixed(1)} ms`,
      ),
    ];
    return {
      title: 'Event hop latency (PutEvents → rule → queue → handler)',
      lines,
      figures: {
        hopP50Ms: round(p50),
        hopP95Ms: round(p95),
        hopP50TargetMs: TARGET_P50_MS,
        hopP50TargetRatio: round(p50 / TARGET_P50_MS),
        events: total.length,
      },
    };
  } finally {
    for (const stop of stops.reverse()) await stop();
    if (!options.cloud) await cloud.close();
  }
}

/** The same section in the shape bench/run-bench.ts collects. */
export const hopLatencySection: BenchSection = {
  name: 'hop-latency',
  run: async ({ log }): Promise<BenchTable> => {
    const result = await runHopLatencyBench({ log });
    const f = result.figures;
    return {
      title: result.title,
      headers: ['figure', 'value', 'target', 'ratio'],
      rows: [
        ['hop p50', `${f.hopP50Ms} ms`, `< ${f.hopP50TargetMs} ms`, String(f.hopP50TargetRatio)],
        ['hop p95', `${f.hopP95Ms} ms`, '', ''],
      ],
      notes: result.lines,
    };
  },
};

async function deployBenchConsumer(cloud: EmbeddedCloud): Promise<{ queueUrl: string; fn: LocalFunction }> {
  const { sqs, events } = cloud.clients;
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: QUEUE }))).QueueUrl ?? '';
  await events.send(
    new PutRuleCommand({
      Name: 'bench-hop',
      EventBusName: cloud.names.bus,
      EventPattern: JSON.stringify({ source: [SOURCE] }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: 'bench-hop',
      EventBusName: cloud.names.bus,
      Targets: [{ Id: 'queue', Arn: cloud.emulator.sqs.queueArn(QUEUE) }],
    }),
  );
  const base = [...cloud.functions.values()][0];
  const name = 'bench-hop-consumer';
  const fn = new LocalFunction(
    {
      name,
      arn: `arn:aws:lambda:${cloud.region}:${cloud.accountId}:function:${name}`,
      handlerFile: require.resolve('./hop-latency-handler.ts'),
      exportName: 'handler',
      env: {},
      timeoutSec: 30,
      memoryMb: 128,
      maxConcurrency: 2,
    },
    () => undefined,
    base?.baseEnv ?? {},
    cloud.chaos.sandboxFaults,
  );
  cloud.functions.set(name, fn);
  fn.warm();
  return { queueUrl, fn };
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

if (require.main === module) {
  runHopLatencyBench({ log: (line) => process.stderr.write(`[hop-latency] ${line}\n`) })
    .then((result) => process.stdout.write(`${result.title}\n${result.lines.join('\n')}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    });
}
