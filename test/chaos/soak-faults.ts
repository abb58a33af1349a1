/**
 * Every fault the generator, composer, ledger and api issues name, armed together on one embedded
 * cloud: duplicates on every queue, crashes at random side-effect points of every service function,
 * Replicate 429s, 5xx and failed predictions, reordering, delays, a denied rule delivery, partial
 * PutEvents failures and Lambda timeouts; plus one poison message whose cause the test fixes later.
 */
import { GetQueueAttributesCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
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
  handle: FaultHandle;
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

export function armSoakFaults(cloud: EmbeddedCloud, options: SoakFaultOptions, poison: Poison): ArmedFault[] {
  const { chaos } = cloud;
  const stage = cloud.stage;
  const notPoison = ({ body }: { body: string }) => !body.includes(poison.marker);
  const some = (share: number, least: number) => Math.max(least, Math.round(options.jobs * share));
  const armed: ArmedFault[] = [
    {
      name: `duplicate ${options.duplicateProbability * 100}% of deliveries, every queue`,
      handle: chaos.duplicate({
        queue: /.*/,
        where: notPoison,
        probability: options.duplicateProbability,
        seed: options.seed,
      }),
    },
    {
      name: `crash ${options.crashProbability * 100}% of invocations at a random side effect, every service function`,
      handle: chaos.crash({
        functionName: SERVICE_FUNCTIONS,
        at: '*:*:*',
        per: 'invocation',
        probability: options.crashProbability,
        seed: options.seed + 1,
      }),
    },
    {
      name: 'Replicate 429 with Retry-After',
      handle: chaos.replicate({ kind: 'rate-limit', retryAfterSec: 1, times: some(1, 3) }),
    },
    {
      name: 'Replicate 503 on create',
      handle: chaos.replicate({ kind: 'server-error', on: 'create', times: some(0.5, 2) }),
    },
    {
      name: 'Replicate 500 on get',
      handle: chaos.replicate({ kind: 'server-error', status: 500, on: 'get', times: 2 }),
    },
    {
      name: 'Replicate failed predictions',
      handle: chaos.replicate({ kind: 'fail-prediction', times: some(0.3, 2) }),
    },
    { name: 'Replicate lost webhooks', handle: chaos.replicate({ kind: 'drop-webhook', times: 3 }) },
    {
      name: 'Replicate duplicate webhooks',
      handle: chaos.replicate({ kind: 'duplicate-webhook', times: 3 }),
    },
    {
      name: 'reorder the ledger queue (windows of 3)',
      handle: chaos.reorder({
        queue: `reelay-${stage}-ledger-project`,
        window: 3,
        maxHoldMs: 1000,
        times: 5,
      }),
    },
    {
      name: 'reorder the prepare queue (windows of 3)',
      handle: chaos.reorder({
        queue: `reelay-${stage}-composer-prepare`,
        window: 3,
        maxHoldMs: 1000,
        times: 3,
      }),
    },
    {
      name: 'delay render deliveries 3 s',
      handle: chaos.delay({ queue: `reelay-${stage}-generator-render`, delayMs: 3000, times: some(0.5, 3) }),
    },
    {
      name: 'deny the prepare rule its SceneReady (twice), then lifted',
      handle: chaos.denyDelivery({
        ruleName: `reelay-${stage}-composer-prepare`,
        detailType: 'SceneReady',
        times: 2,
      }),
    },
    {
      name: 'fail ScenePlanned PutEvents entries',
      handle: chaos.failPutEvents({ detailType: 'ScenePlanned', times: 2 }),
    },
    {
      name: 'fail SceneReady PutEvents entries (throttled)',
      handle: chaos.failPutEvents({ detailType: 'SceneReady', errorCode: 'ThrottlingException', times: 2 }),
    },
    {
      name: 'time out the ledger projection once',
      handle: chaos.timeout({ functionName: `reelay-ledger-${stage}-project`, afterMs: 1000, times: 1 }),
    },
    {
      name: 'time out a createPrediction task once',
      handle: chaos.timeout({
        functionName: `reelay-generator-${stage}-createPrediction`,
        afterMs: 1000,
        times: 1,
      }),
    },
  ];
  return armed;
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

/**
 * The queues' visibility timeouts are 6x their function's timeout, as AWS recommends (up to 90
 * minutes): a crashed message would come back only after that. The soak brings each down to its
 * function's timeout (at least `atLeastSec`; compose to `composeSec`, its function's 15 minutes being
 * far above what a small job's composition takes), so a crash costs a minute at most. Dead-letter
 * queues keep theirs.
 */
export async function shortenVisibilityTimeouts(
  cloud: EmbeddedCloud,
  seconds: { atLeastSec: number; composeSec: number },
): Promise<void> {
  const queues = cloud.emulator.sqs.listQueueDepths().filter((q) => !q.name.endsWith('-dlq'));
  await Promise.all(
    queues.map(async (q) => {
      const { url } = await resolveQueue(cloud.clients.sqs, q.name);
      const { Attributes } = await cloud.clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout'] }),
      );
      const functionTimeoutSec = Math.ceil(Number(Attributes?.VisibilityTimeout ?? 30) / 6);
      const visibility = q.name.endsWith('-composer-compose')
        ? seconds.composeSec
        : Math.max(seconds.atLeastSec, functionTimeoutSec);
      await cloud.clients.sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: { VisibilityTimeout: String(visibility) },
        }),
      );
    }),
  );
}
