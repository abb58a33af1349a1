import { writeFileSync } from 'node:fs';

// Runs when the sandbox loads this module (its init phase): leaves a mark the test can see.
if (process.env.LOADED_MARKER) writeFileSync(process.env.LOADED_MARKER, String(process.pid));

/** Holds the invocation as long as the event asks, so a test can look at the function meanwhile. */
export async function handler(event: { holdMs?: number }): Promise<{ ok: true }> {
  await new Promise((resolve) => setTimeout(resolve, event.holdMs ?? 0));
  return { ok: true };
}
