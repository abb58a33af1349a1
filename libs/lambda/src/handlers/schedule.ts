import type { Context, ScheduledEvent } from 'aws-lambda';
import type { Powertools } from '../powertools';
import { type BuiltHandler, withPowertools } from './with-powertools';

/**
 * A function run by an EventBridge schedule. It works on many jobs at once, so it names each job in
 * the lines about it; the invocation's context is on every line.
 */
export function scheduledHandler<R>(
  powertools: Powertools,
  handle: (event: ScheduledEvent, context: Context) => Promise<R>,
): BuiltHandler<ScheduledEvent, R> {
  return withPowertools(powertools, handle);
}
