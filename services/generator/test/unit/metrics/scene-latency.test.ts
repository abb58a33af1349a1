/**
 * SceneLatency is in seconds, like JobLatency (the dashboard plots both on one axis), and a
 * negative latency from clock skew between functions is not recorded.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { recordSceneLatency } from '../../../src/rendering/scene-latency';

/**
 * Real Powertools Metrics: what recordSceneLatency stored, as the EMF the handler's logMetrics
 * publishes at the end of the invocation.
 */
const capturedMetrics = () => {
  const metrics = new Metrics({ namespace: 'Reelay', serviceName: 'generator' });
  const stored = (): unknown[] => (metrics.hasStoredMetrics() ? [metrics.serializeMetrics()] : []);
  return { metrics, stored };
};

test('a scene planned 42.5 s before it is ready records SceneLatency 42.5 in Seconds', () => {
  // Prepare
  const { metrics, stored } = capturedMetrics();

  // Act
  recordSceneLatency(metrics, '2026-12-05T10:00:00.000Z', new Date('2026-12-05T10:00:42.500Z'));

  // Assess
  const published = stored();
  expect(published).toHaveLength(1);
  const emf = published[0] as {
    _aws: { CloudWatchMetrics: Array<{ Metrics: unknown[] }> };
    SceneLatency: number;
  };
  expect(emf._aws.CloudWatchMetrics[0]?.Metrics).toEqual([{ Name: 'SceneLatency', Unit: 'Seconds' }]);
  expect(emf.SceneLatency).toBe(42.5);
});

test('a ready time before the planned time (clock skew) records nothing', () => {
  const { metrics, stored } = capturedMetrics();
  recordSceneLatency(metrics, '2026-12-05T10:00:01.000Z', new Date('2026-12-05T10:00:00.000Z'));
  expect(stored()).toEqual([]);
});
