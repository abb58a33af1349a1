/**
 * AWS gives a Task state without TimeoutSeconds no timeout of its own (the documented default is
 * 99999999 s); the Lambda function's timeout is what bounds it. aws-local-stepfunctions applies 60 s
 * instead, so locally a task whose invocation waited for a free sandbox on a loaded machine failed
 * with States.Timeout, an error AWS would not raise. The emulator runs a copy of the definition in
 * which such tasks carry the longest timeout a Node timer can hold (~24.8 days; longer would fire at
 * once), which behaves like AWS's default for any execution.
 */
export const NO_TASK_TIMEOUT_SEC = Math.floor((2 ** 31 - 1) / 1000);

/** A copy of the definition whose Task states (nested Map and Parallel ones too) all name a timeout. */
export function withAwsTaskTimeouts<T>(definition: T): T {
  // A JSON copy, not structuredClone: under Jest that builds objects of another realm, which
  // aws-local-stepfunctions does not take for plain objects (nested Parameters went unevaluated).
  const copy = JSON.parse(JSON.stringify(definition)) as T;
  const visit = (machine: unknown) => {
    const states = objectOf(objectOf(machine).States);
    for (const value of Object.values(states)) {
      const state = objectOf(value);
      if (
        state.Type === 'Task' &&
        state.TimeoutSeconds === undefined &&
        state.TimeoutSecondsPath === undefined
      )
        state.TimeoutSeconds = NO_TASK_TIMEOUT_SEC;
      if (state.Type === 'Map') visit(state.ItemProcessor ?? state.Iterator);
      if (state.Type === 'Parallel' && Array.isArray(state.Branches))
        for (const branch of state.Branches) visit(branch);
    }
  };
  visit(copy);
  return copy;
}

function objectOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
