/** One GetExecutionHistory event, in AWS's shape (details field named after the event type). */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

/** An event from aws-local-stepfunctions' eventLogs, as far as history needs it. */
interface LibraryEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  Error?: string;
  Cause?: unknown;
  index?: number;
}

/** Builds a simple but truthful history: started, each state entered/exited/failed, then the end. */
export class ExecutionHistory {
  readonly events: HistoryEvent[] = [];

  add(type: string, details: Record<string, unknown> = {}, timestamp = Date.now()): void {
    const id = this.events.length + 1;
    this.events.push({ id, previousEventId: id - 1, timestamp, type, ...details });
  }

  /** Records a library event; execution-level events are written by the backend itself. */
  addLibraryEvent(event: LibraryEvent, taskResources: ReadonlyMap<string, string>): void {
    const state = event.state;
    if (!state) return;
    switch (event.type) {
      case 'StateEntered':
        this.add(
          `${state.type}StateEntered`,
          {
            stateEnteredEventDetails: { name: state.name, input: JSON.stringify(state.input ?? null) },
          },
          event.timestamp,
        );
        return;
      case 'StateExited':
        this.add(
          `${state.type}StateExited`,
          {
            stateExitedEventDetails: { name: state.name, output: JSON.stringify(state.output ?? null) },
          },
          event.timestamp,
        );
        return;
      case 'StateFailed':
        if (state.type !== 'Task') return;
        this.add(
          'TaskFailed',
          {
            taskFailedEventDetails: {
              resourceType: 'lambda',
              resource: taskResources.get(state.name) ?? state.name,
              error: event.Error,
              cause: typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause ?? null),
            },
          },
          event.timestamp,
        );
        return;
      default:
        return;
    }
  }
}
