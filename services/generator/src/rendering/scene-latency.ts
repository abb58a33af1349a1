import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * SceneLatency: seconds from a scene's ScenePlanned to its SceneReady, for every scene (rendered
 * by a model or imported from an upload). Seconds, like JobLatency, on the dashboard's latency widget.
 * Stored only: the handler's logMetrics publishes it when the invocation ends (libs/lambda).
 */
export function recordSceneLatency(
  metrics: Pick<Metrics, 'addMetric'>,
  plannedAt: string,
  readyAt: Date,
): void {
  const seconds = (readyAt.getTime() - Date.parse(plannedAt)) / 1000;
  if (!Number.isFinite(seconds) || seconds < 0) return; // a clock skew between functions says nothing
  metrics.addMetric('SceneLatency', MetricUnit.Seconds, seconds);
}
