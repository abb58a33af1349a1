import type { Context } from 'aws-lambda';
import { ownerOf } from '../dead-letters/dead-message';
import type { Powertools } from '../powertools';
import { type BuiltHandler, withPowertools } from './with-powertools';

/**
 * A Step Functions task (a Lambda invoked with the state as input): its job, if the input names
 * one, is appended to every log line of the invocation (one input per invocation, so the shared
 * logger is safe; the keys are cleared after it). Errors leave as they are thrown: the state
 * machine's Retry and Catch match on their names.
 */
export function stepFunctionsTask<I, R>(
  powertools: Powertools,
  handle: (input: I, context: Context) => Promise<R>,
): BuiltHandler<I, R> {
  return withPowertools(powertools, async (input: I, context: Context) => {
    const owner = ownerOf(input);
    if (owner)
      powertools.logger.appendKeys({
        jobId: owner.jobId,
        ...(owner.correlationId ? { correlationId: owner.correlationId } : {}),
        ...(owner.sceneIndex === undefined ? {} : { sceneIndex: owner.sceneIndex }),
      });
    return handle(input, context);
  });
}
