import { z } from 'zod';

/**
 * The time budget both composing functions (compose and compose-chunk) read from their environment:
 * ffmpeg is stopped before the Lambda timeout so the error is ours (the claim given back, the
 * message retried) and not a kill.
 */
export const composeTimeConfig = {
  /** How long before the Lambda timeout ffmpeg is stopped. */
  COMPOSE_SAFETY_MARGIN_MS: z.coerce.number().int().min(0).default(15_000),
  /** The least time ffmpeg gets however near the deadline (a test sets 0 to force the timeout path). */
  COMPOSE_MIN_RUN_MS: z.coerce.number().int().min(0).default(500),
  /**
   * Lease (compose) or claim (a chunk) length; by default the time left plus a minute, so it outlives
   * the invocation holding it. A request that finds it held looks again until it ends
   * (composing/compose-request.ts), so a shorter one (the reliability soak and the restart test set
   * one) only makes a crashed composer's job resume sooner; it must still outlast one composition.
   */
  COMPOSE_LEASE_MS: z.coerce.number().int().min(1000).optional(),
};

type ComposeTime = z.infer<z.ZodObject<typeof composeTimeConfig>>;

/** This invocation's deadline for ffmpeg, and how long its lease or claim lasts. */
export function composeDeadline(
  context: { getRemainingTimeInMillis(): number },
  config: ComposeTime,
): { signal: AbortSignal; leaseMs: number } {
  const remaining = context.getRemainingTimeInMillis();
  return {
    signal: AbortSignal.timeout(
      Math.max(config.COMPOSE_MIN_RUN_MS, remaining - config.COMPOSE_SAFETY_MARGIN_MS),
    ),
    leaseMs: config.COMPOSE_LEASE_MS ?? remaining + 60_000,
  };
}
