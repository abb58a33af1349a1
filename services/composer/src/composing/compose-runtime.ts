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
   * Lease (compose) or claim (a chunk) length. compose renews its lease every third of it while it
   * composes (lease-keeper.ts), so by default it is a minute (RENEWED_LEASE_MS): a crashed composer's
   * job resumes within a minute however long compositions take. A chunk's claim is not renewed: by
   * default it lasts the time left plus a minute, so it outlives the invocation holding it. A request
   * that finds either held looks again until it ends (composing/compose-request.ts), so a shorter one
   * (the reliability soak and the restart test set one) only makes a crashed composer's job resume
   * sooner; for a chunk it must still outlast one chunk's composition.
   */
  COMPOSE_LEASE_MS: z.coerce.number().int().min(1000).optional(),
};

/** compose's lease when COMPOSE_LEASE_MS is not set: renewed every 20 s while the composition runs. */
export const RENEWED_LEASE_MS = 60_000;

type ComposeTime = z.infer<z.ZodObject<typeof composeTimeConfig>>;

/**
 * This invocation's deadline for ffmpeg, and how long its claim (leaseMs, a chunk's, not renewed) or
 * its renewed lease (renewedLeaseMs, compose's) lasts.
 */
export function composeDeadline(
  context: { getRemainingTimeInMillis(): number },
  config: ComposeTime,
): { signal: AbortSignal; leaseMs: number; renewedLeaseMs: number } {
  const remaining = context.getRemainingTimeInMillis();
  return {
    signal: AbortSignal.timeout(
      Math.max(config.COMPOSE_MIN_RUN_MS, remaining - config.COMPOSE_SAFETY_MARGIN_MS),
    ),
    leaseMs: config.COMPOSE_LEASE_MS ?? remaining + 60_000,
    renewedLeaseMs: config.COMPOSE_LEASE_MS ?? RENEWED_LEASE_MS,
  };
}
