import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** The ledger's business metrics, emitted only when a write changed the record (never for a replay). */
export interface LedgerMetrics {
  jobCompleted(latencySec: number | undefined): void;
  jobFailed(stage: string): void;
  charged(costUsd: number): void;
}

export function powertoolsLedgerMetrics(metrics: Metrics): LedgerMetrics {
  return {
    jobCompleted(latencySec) {
      metrics.addMetric('JobsCompleted', MetricUnit.Count, 1);
      if (latencySec !== undefined) metrics.addMetric('JobLatency', MetricUnit.Seconds, latencySec);
    },
    jobFailed(stage) {
      const metric = metrics.singleMetric();
      metric.addDimension('stage', stage);
      metric.addMetric('JobsFailed', MetricUnit.Count, 1);
    },
    charged(costUsd) {
      // CloudWatch has no currency unit: CostUsd is a plain number of dollars.
      metrics.addMetric('CostUsd', MetricUnit.NoUnit, costUsd);
    },
  };
}

export const noLedgerMetrics: LedgerMetrics = {
  jobCompleted: () => undefined,
  jobFailed: () => undefined,
  charged: () => undefined,
};
