/**
 * The ledger's template monitors the whole pipeline: a dashboard, an alarm on the depth of every DLQ
 * of every service, on the age of the oldest message of every work queue, on every function's errors,
 * and on job latency p95.
 */

import { isRecord } from './intrinsics';
import { deadLetterQueueIds, type Templates } from './template-checks';

const alarmsOf = (templates: Templates) =>
  Object.values(templates.ledger?.Resources ?? {})
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .map((r) => r.Properties ?? {});

const dimension = (alarm: Record<string, unknown>, name: string): unknown =>
  (Array.isArray(alarm.Dimensions) ? alarm.Dimensions : []).find((d) => isRecord(d) && d.Name === name)
    ?.Value;

/** The metrics an alarm watches: its own, or each MetricStat of a metric-math alarm. */
const watched = (alarm: Record<string, unknown>): Array<Record<string, unknown>> =>
  Array.isArray(alarm.Metrics)
    ? alarm.Metrics.flatMap((m) =>
        isRecord(m) && isRecord(m.MetricStat) && isRecord(m.MetricStat.Metric) ? [m.MetricStat.Metric] : [],
      )
    : [alarm];

const alarmed = (templates: Templates, metric: string, name: string, value: string) =>
  alarmsOf(templates).some((a) =>
    watched(a).some((m) => m.MetricName === metric && dimension(m, name) === value),
  );

/** A DLQ's depth alarm must count parked (in-flight) messages as well as visible ones. */
const depthAlarmed = (templates: Templates, queue: string) =>
  alarmsOf(templates).some((a) =>
    ['ApproximateNumberOfMessagesVisible', 'ApproximateNumberOfMessagesNotVisible'].every((metric) =>
      watched(a).some((m) => m.MetricName === metric && dimension(m, 'QueueName') === queue),
    ),
  );

export const checkMonitoring = (templates: Templates): string[] => {
  const violations: string[] = [];
  const ledger = templates.ledger?.Resources ?? {};
  if (!Object.values(ledger).some((r) => r.Type === 'AWS::CloudWatch::Dashboard'))
    violations.push('ledger: no CloudWatch dashboard');
  if (!alarmsOf(templates).some((a) => a.MetricName === 'JobLatency' && a.ExtendedStatistic === 'p95'))
    violations.push('ledger: no alarm on job latency p95');
  for (const [service, template] of Object.entries(templates)) {
    const dlqs = deadLetterQueueIds(template);
    for (const [id, resource] of Object.entries(template.Resources)) {
      const name = resource.Properties?.QueueName;
      if (resource.Type === 'AWS::SQS::Queue' && typeof name === 'string') {
        if (dlqs.has(id) && !depthAlarmed(templates, name))
          violations.push(
            `${service}: DLQ ${name} has no depth alarm counting visible and in-flight messages`,
          );
        if (!dlqs.has(id) && !alarmed(templates, 'ApproximateAgeOfOldestMessage', 'QueueName', name))
          violations.push(`${service}: queue ${name} has no oldest-message alarm`);
      }
      const fn = resource.Properties?.FunctionName;
      if (
        resource.Type === 'AWS::Lambda::Function' &&
        typeof fn === 'string' &&
        !alarmed(templates, 'Errors', 'FunctionName', fn)
      )
        violations.push(`${service}: function ${fn} has no errors alarm`);
    }
  }
  return violations;
};
