import { GetExecutionHistoryCommand, type HistoryEvent, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import type { EmbeddedCloud } from '../../local/cloud/src/embedded-cloud';

/** History events kept per failed execution: enough to see which state failed and after what. */
const TAIL = 14;

/**
 * The last steps of every RenderScene execution of these jobs that ended FAILED or TIMED_OUT, one
 * line an event: what a RENDER_FAILED in the soak needs to be traced (the function logs do not
 * show Step Functions' task invocations or its retries).
 */
export async function failedExecutionTrails(
  cloud: EmbeddedCloud,
  jobIds: readonly string[],
): Promise<string[]> {
  if (jobIds.length === 0) return [];
  const stateMachineArn = `arn:aws:states:${cloud.region}:${cloud.accountId}:stateMachine:reelay-${cloud.stage}-render-scene`;
  const lines: string[] = [];
  for (const statusFilter of ['FAILED', 'TIMED_OUT'] as const) {
    const { executions = [] } = await cloud.clients.sfn.send(
      new ListExecutionsCommand({ stateMachineArn, statusFilter }),
    );
    for (const execution of executions.filter((e) => jobIds.some((id) => e.name?.startsWith(`${id}-`)))) {
      const { events = [] } = await cloud.clients.sfn.send(
        new GetExecutionHistoryCommand({
          executionArn: execution.executionArn,
          reverseOrder: true,
          maxResults: TAIL,
        }),
      );
      lines.push(`execution ${execution.name} ${statusFilter}, last ${events.length} events (oldest first):`);
      for (const event of events.reverse()) lines.push(`  ${describe(event)}`);
    }
  }
  return lines;
}

function describe(event: HistoryEvent): string {
  const at = event.timestamp ? new Date(event.timestamp).toISOString().slice(11, 23) : '?';
  const state = event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name;
  const failure =
    event.taskFailedEventDetails ??
    event.lambdaFunctionFailedEventDetails ??
    event.executionFailedEventDetails ??
    event.taskTimedOutEventDetails;
  const detail = failure ? ` ${failure.error ?? ''}: ${(failure.cause ?? '').slice(0, 160)}` : '';
  return `${at} #${event.id} ${event.type}${state ? ` ${state}` : ''}${detail}`;
}
