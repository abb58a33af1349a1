import { z } from 'zod';
import { composeDeadline, composeTimeConfig } from '../../../src/composing/compose-runtime';

const timeConfig = (env: Record<string, string>) => z.object(composeTimeConfig).parse(env);

describe('the composing functions’ time budget', () => {
  it('holds a chunk claim a minute past the invocation and a renewed lease a minute by default, both as configured when set', () => {
    // Prepare
    const context = { getRemainingTimeInMillis: () => 120_000 };
    // Act
    const byDefault = composeDeadline(context, timeConfig({}));
    const configured = composeDeadline(context, timeConfig({ COMPOSE_LEASE_MS: '5000' }));
    // Assess
    expect(byDefault.leaseMs).toBe(180_000);
    expect(configured.leaseMs).toBe(5000);
    expect(byDefault.renewedLeaseMs).toBe(60_000);
    expect(configured.renewedLeaseMs).toBe(5000);
    expect(byDefault.signal.aborted).toBe(false);
  });

  it('stops ffmpeg before the Lambda deadline, but never gives it less than the least run', async () => {
    // Prepare: 20 ms left and a 15 s margin would be negative; the least run (10 ms here) wins.
    const context = { getRemainingTimeInMillis: () => 20 };
    const config = timeConfig({ COMPOSE_MIN_RUN_MS: '10' });
    // Act
    const { signal } = composeDeadline(context, config);
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    // Assess
    expect(signal.aborted).toBe(true);
    expect(config.COMPOSE_SAFETY_MARGIN_MS).toBe(15_000);
  });
});
