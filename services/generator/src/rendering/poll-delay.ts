/**
 * How long RenderScene waits before it checks a running prediction again. The webhook is the fast
 * path and the poll only reconciles lost webhooks, yet every poll costs three Step Functions
 * transitions (Wait, CheckPrediction, IsPredictionDone) and a Lambda invocation. So the wait grows
 * with the prediction's age, half of it, from the base interval up to a cap: a 60 s render is checked
 * 9 times instead of 30 at a fixed 2 s, and a lost webhook still costs at most half the render's
 * time (or the cap) in latency.
 */
export function pollDelaySec(
  createdAt: string | null | undefined,
  nowMs: number,
  intervals: { baseSec: number; maxSec: number },
): number {
  const created = createdAt ? Date.parse(createdAt) : Number.NaN;
  const ageSec = Number.isFinite(created) ? Math.max(0, (nowMs - created) / 1000) : 0;
  const cap = Math.max(intervals.baseSec, intervals.maxSec);
  return Math.min(Math.max(intervals.baseSec, Math.floor(ageSec / 2)), cap);
}

/**
 * How long RenderScene's AwaitPrediction task waits for the webhook before it checks the prediction
 * itself (its TimeoutSecondsPath, $.prediction.pollAfterSec). With webhooks the check only makes up
 * for a lost one, so it waits long (WEBHOOK_WAIT_SEC); without (a local run with real models) it
 * polls on the poll-delay schedule.
 */
export function checkAfterSec(
  createdAt: string | null | undefined,
  nowMs: number,
  settings: { webhookWaitSec?: number | undefined; baseSec: number; maxSec: number },
): number {
  return settings.webhookWaitSec ?? pollDelaySec(createdAt, nowMs, settings);
}
