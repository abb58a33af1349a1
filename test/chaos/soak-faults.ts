/**
 * Every fault the generator, composer, ledger and api issues name, armed together on one embedded
 * cloud: duplicates on every queue, crashes at random side-effect points of every service function,
 * Replicate 429s, 5xx and failed predictions, reordering, delays, a denied rule delivery, partial
 * PutEvents failures and Lambda timeouts; plus one poison message whose cause the test fixes later.
 */
import { SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { FaultHandle } from '../../local/cloud/src/chaos/fault-record';
import type { EmbeddedCloud } from '../../local/cloud/src/embedded-cloud';
import { resolveQueue } from '../../local/ops/src/queue-ref';

export interface SoakFaultOptions {
  jobs: number;
  /** Share of deliveries of every queue delivered twice. */
  duplicateProbability: number;
  /** Chance that an invocation dies, at a random one of its first side effects (before or after it). */
  crashProbability: number;
  seed: number;
}

export interface ArmedFault {
  name: string;
  /** Counts over every cloud the fault was armed on (see rearmSoakFaults). */
  handle: FaultHandle;
  /** How often it fires in all; undefined for a probabilistic fault (armed in full on every cloud). */
  times?: number;
  /** Arms it on a cloud, for `times` firings (the counted ones) or as a probability. */
  arm(cloud: EmbeddedCloud, times: number | undefined): FaultHandle;
}

/** Messages of the poisoned job are received and never handled until `fix()`: the cause is ours to control. */
export interface Poison {
  /** The queue the poison sits on. */
  queue: string;
  /** A marker in the poisoned job's prompt: the hook knows the message before the job has an id. */
  marker: string;
  receivesBlocked(): number;
  fix(): void;
}

const SERVICE_FUNCTIONS = /^reelay-(api|generator|composer|ledger)-/;

type FaultSpec = Omit<ArmedFault, 'handle'>;

function soakFaultSpecs(stage: string, options: SoakFaultOptions, poison: Poison): FaultSpec[] {
  const notPoison = ({ body }: { body: string }) => !body.includes(poison.marker);
  const some = (share: number, least: number) => Math.max(least, Math.round(options.jobs * share));
  const counted = (
    name: string,
    times: number,
    arm: (chaos: EmbeddedCloud['chaos'], times: number) => FaultHandle,
  ): FaultSpec => ({ name, times, arm: (cloud, left) => arm(cloud.chaos, left ?? times) });
  return [
    {
      name: `duplicate ${options.duplicateProbability * 100}% of deliveries, every queue`,
      arm: ({ chaos }) =>
        chaos.duplicate({
          queue: /.*/,
          where: notPoison,
          probability: options.duplicateProbability,
          seed: options.seed,
        }),
    },
    {
      name: `crash ${options.crashProbability * 100}% of invocations at a random side effect, every service function`,
      arm: ({ chaos }) =>
        chaos.crash({
          functionName: SERVICE_FUNCTIONS,
          at: '*:*:*',
          per: 'invocation',
          probability: options.crashProbability,
          seed: options.seed + 1,
        }),
    },
    counted('Replicate 429 with Retry-After', some(1, 3), (chaos, times) =>
      chaos.replicate({ kind: 'rate-limit', retryAfterSec: 1, times }),
    ),
    counted('Replicate 503 on create', some(0.5, 2), (chaos, times) =>
      chaos.replicate({ kind: 'server-error', on: 'create', times }),
    ),
    counted('Replicate 500 on get', 2, (chaos, times) =>
      chaos.replicate({ kind: 'server-error', status: 500, on: 'get', times }),
    ),
    counted('Replicate failed predictions', some(0.3, 2), (chaos, times) =>
      chaos.replicate({ kind: 'fail-prediction', times }),
    ),
    counted('Replicate lost webhooks', 3, (chaos, times) => chaos.replicate({ kind: 'drop-webhook', times })),
    counted('Replicate duplicate webhooks', 3, (chaos, times) =>
      chaos.replicate({ kind: 'duplicate-webhook', times }),
    ),
    counted('reorder the ledger queue (windows of 3)', 5, (chaos, times) =>
      chaos.reorder({ queue: `reelay-${stage}-ledger-project`, window: 3, maxHoldMs: 1000, times }),
    ),
    counted('reorder the prepare queue (windows of 3)', 3, (chaos, times) =>
      chaos.reorder({ queue: `reelay-${stage}-composer-prepare`, window: 3, maxHoldMs: 1000, times }),
    ),
    counted('delay render deliveries 3 s', some(0.5, 3), (chaos, times) =>
      chaos.delay({ queue: `reelay-${stage}-generator-render`, delayMs: 3000, times }),
    ),
    counted('deny the prepare rule its SceneReady (twice), then lifted', 2, (chaos, times) =>
      chaos.denyDelivery({ ruleName: `reelay-${stage}-composer-prepare`, detailType: 'SceneReady', times }),
    ),
    counted('fail ScenePlanned PutEvents entries', 2, (chaos, times) =>
      chaos.failPutEvents({ detailType: 'ScenePlanned', times }),
    ),
    counted('fail SceneReady PutEvents entries (throttled)', 2, (chaos, times) =>
      chaos.failPutEvents({ detailType: 'SceneReady', errorCode: 'ThrottlingException', times }),
    ),
    counted('time out the ledger projection once', 1, (chaos, times) =>
      chaos.timeout({ functionName: `reelay-ledger-${stage}-project`, afterMs: 1000, times }),
    ),
    counted('time out a createPrediction task once', 1, (chaos, times) =>
      chaos.timeout({ functionName: `reelay-generator-${stage}-createPrediction`, afterMs: 1000, times }),
    ),
  ];
}

export function armSoakFaults(cloud: EmbeddedCloud, options: SoakFaultOptions, poison: Poison): ArmedFault[] {
  return soakFaultSpecs(cloud.stage, options, poison).map((spec) => ({
    ...spec,
    handle: spec.arm(cloud, spec.times),
  }));
}

/**
 * The faults again on a cloud restarted on the same data folder (the first one's hooks died with it):
 * the probabilistic ones in full, the counted ones for the firings they had left, none for a counted
 * fault that already fired all its times. Each handle counts over both clouds; remove() disarms it on
 * the new one.
 */
export function rearmSoakFaults(cloud: EmbeddedCloud, armed: readonly ArmedFault[]): ArmedFault[] {
  return armed.map((fault) => {
    const left = fault.times === undefined ? undefined : fault.times - fault.handle.injected();
    if (left !== undefined && left <= 0) return fault;
    const before = fault.handle;
    const now = fault.arm(cloud, left);
    return {
      ...fault,
      handle: {
        id: now.id,
        injected: () => before.injected() + now.injected(),
        remove: () => now.remove(),
      },
    };
  });
}

/**
 * The poison: the generator's plan queue receives the poisoned job's JobRequested and never hands it
 * to the function (as if the handler crashed on it every time) until fixed, so it exhausts its
 * receives, lands in the plan DLQ and the job fails with a dead letter the ledger keeps.
 */
export function addPoison(cloud: EmbeddedCloud, marker: string): Poison {
  const queue = `reelay-${cloud.stage}-generator-plan`;
  let blocked = 0;
  const remove = cloud.emulator.sqs.addBeforeDeliverHook((queueName, message) => {
    if (queueName !== queue || !message.body.includes(marker)) return undefined;
    blocked++;
    // Received and failed at once, as by a handler that throws on it (not after the queue's timeout).
    return { dropForMs: 2000 };
  });
  return { queue, marker, receivesBlocked: () => blocked, fix: remove };
}

/** The poison on a cloud restarted on the same data folder: the hook again, the blocked receives counted over both. */
export function carryPoison(cloud: EmbeddedCloud, before: Poison): Poison {
  const now = addPoison(cloud, before.marker);
  return { ...now, receivesBlocked: () => before.receivesBlocked() + now.receivesBlocked() };
}

/**
 * The queues' visibility timeouts are 6x their function's timeout, as AWS recommends (up to 90
 * minutes): a crashed message would come back only after that. The soak brings every work queue down
 * to `seconds`, so a crash on a job's path costs that much. Safe although shorter than the functions'
 * timeouts, queue by queue:
 * - invocations in the soak mostly last seconds (480p, 1 s scenes; the soak prints the longest per
 *   function: up to 30 s for a prepare on a busy machine), so a redelivery while the first is still
 *   running is rare, and is then a duplicate delivery, which the soak injects on every queue anyway
 *   and every consumer handles (claims, conditional writes, the ledger's event ids);
 * - it could only dead-letter a message if one invocation outlived maxReceiveCount (4) timeouts, 80 s;
 * - compose: a redelivered request finds the lease held by the live composer (renewed while it
 *   composes) and is queued again as a new message, not counted; a crashed composer's lease lapses
 *   in COMPOSE_LEASE_MS, after which the request comes back and takes it.
 * Dead-letter queues keep theirs.
 */
export async function shortenVisibilityTimeouts(cloud: EmbeddedCloud, seconds: number): Promise<void> {
  const queues = cloud.emulator.sqs.listQueueDepths().filter((q) => !q.name.endsWith('-dlq'));
  await Promise.all(
    queues.map(async (q) => {
      const { url } = await resolveQueue(cloud.clients.sqs, q.name);
      await cloud.clients.sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: { VisibilityTimeout: String(seconds) },
        }),
      );
    }),
  );
}
