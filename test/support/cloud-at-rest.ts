import type { EmbeddedCloud } from '../../local/cloud/src/embedded-cloud';

/**
 * Waits until the embedded cloud has nothing left to do, so a test can assert that something did
 * NOT happen (no second SceneReady, no duplicate outcome, no extra callback) once the system has
 * provably moved past the point where it would have shown, instead of after a fixed sleep.
 *
 * "At rest" is one instant at which every place where work can wait is empty:
 * - no event on its way to a rule target (EventBridge deliveries and their retries);
 * - no archive replay still dispatching;
 * - none of the stage's queues holds a message that is visible, delayed or being handled
 *   (in flight for at most its queue's visibility timeout); a message its consumer parked
 *   with ChangeMessageVisibility beyond that timeout (a dead letter kept for an operator) is
 *   nobody's work now;
 * - no Step Functions execution running, and no function invocation running (a stopped
 *   execution's task, like a Lambda on AWS, runs to its end and may still publish);
 * - no model prediction unfinished, and every webhook the model server queued delivered.
 * Work only moves from one of these places to the next before it leaves the first (a consumer
 * publishes before its message is deleted; an execution starts its tasks while RUNNING), so an
 * instant when all are empty is a moment nothing more will happen except on a schedule.
 *
 * The test's own observer queues (not named reelay-<stage>-...) do not count.
 */
export async function cloudAtRest(
  cloud: EmbeddedCloud,
  options: { what: string; timeoutMs?: number } = { what: 'the cloud to come to rest' },
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (busyWith(cloud).length === 0) {
      // A webhook in flight runs a function that may publish: wait for them, then look again.
      await cloud.models.webhooksSettled();
      if (busyWith(cloud).length === 0) return;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the cloud did not come to rest within ${timeoutMs / 1000} s (${options.what}); still busy: ${busyWith(cloud).join('; ')}`,
      );
    }
    // Only in-memory counters are read: looking often costs next to nothing.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What the cloud is still doing, in words (empty when it is at rest). */
export function busyWith(cloud: EmbeddedCloud): string[] {
  const busy: string[] = [];
  const { sqs, events, sfn } = cloud.emulator;
  const pending = events.pendingDeliveries();
  if (pending > 0) busy.push(`${pending} event deliveries`);
  for (const replay of events.archives.listReplays()) {
    if (['STARTING', 'RUNNING', 'CANCELLING'].includes(replay.state)) busy.push(`replay ${replay.name}`);
  }
  const now = Date.now();
  for (const queue of sqs.listQueues(`reelay-${cloud.stage}-`)) {
    const visibilityMs = queue.visibilityTimeoutSeconds * 1000;
    const waiting = sqs
      .peekMessages(queue.name, Number.POSITIVE_INFINITY)
      .filter((m) => m.state !== 'in-flight' || m.visibleAt - now <= visibilityMs);
    if (waiting.length > 0) busy.push(`${waiting.length} messages in ${queue.name}`);
  }
  for (const machine of sfn.listStateMachines()) {
    const running = sfn.listExecutions(machine.arn, 'RUNNING').length;
    if (running > 0) busy.push(`${running} executions of ${machine.name}`);
  }
  for (const [name, fn] of cloud.functions) {
    if (fn.invocationsInProgress > 0) busy.push(`${fn.invocationsInProgress} invocations of ${name}`);
  }
  const unfinished = cloud.models
    .predictions()
    .filter((p) => !['succeeded', 'failed', 'canceled', 'aborted'].includes(p.status));
  if (unfinished.length > 0) busy.push(`${unfinished.length} predictions`);
  return busy;
}
