/**
 * The pipeline's CloudWatch dashboard and alarms, generated at package time (offline) from every
 * service's serverless.yml: queues and functions are named by convention (reelay-<stage>-<service>-<queue>,
 * reelay-<service>-<stage>-<function>), so a queue or function another engineer adds is monitored without
 * editing this file. Plain JS because `${file(...js):resources}` is how the Serverless Framework runs code
 * at package time; it needs no AWS call.
 */
const { readFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const { consumerQueueNamesInYaml } = require('../../../deploy/consumer-resources.cjs');

const SERVICES = ['api', 'generator', 'composer', 'ledger'];
const NAMESPACE = 'Reelay';
const OLDEST_MESSAGE_ALARM_SECONDS = 900;
const JOB_LATENCY_P95_ALARM_SECONDS = 600;

function serviceYaml(service) {
  const file = join(__dirname, '..', '..', service, 'serverless.yml');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** Queue names of a service, with `${sls:stage}` replaced by the stage: its consumers' queues, then the ones it writes out. */
function queueNames(service, stage) {
  const names = consumerQueueNamesInYaml(serviceYaml(service), service, stage);
  for (const match of serviceYaml(service).matchAll(/QueueName:\s*reelay-\$\{sls:stage\}-([a-z0-9-]+)/g))
    names.push(`reelay-${stage}-${match[1]}`);
  return names;
}

/** Function names of a service: the keys under its top-level `functions:`. */
function functionNames(service, stage) {
  const section = /^functions:\n([\s\S]*?)(?=^\S)/m.exec(`${serviceYaml(service)}\n_end:`);
  if (!section) return [];
  return [...section[1].matchAll(/^ {2}([A-Za-z][\w-]*):\s*$/gm)].map(
    (m) => `reelay-${service}-${stage}-${m[1]}`,
  );
}

const logicalId = (prefix, name, stage) =>
  prefix +
  name
    .replace(`reelay-${stage}-`, '')
    .replace(/^reelay-/, '')
    .replace(`-${stage}-`, '-')
    .split(/[^A-Za-z0-9]/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');

function alarm(description, metric, threshold, topic, extra = {}) {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmDescription: description,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      // A metric-math alarm sets the period on each metric, and CloudFormation refuses it here.
      ...(metric.Metrics ? {} : { Period: 60 }),
      Threshold: threshold,
      TreatMissingData: 'notBreaching',
      ...metric,
      ...extra,
      ...(topic ? { AlarmActions: [{ Ref: 'AlarmTopic' }], OKActions: [{ Ref: 'AlarmTopic' }] } : {}),
    },
  };
}

function dashboardBody(stage, region, queues, deadLetterQueues, functions) {
  const metric = (namespace, name, dims, stat, label) => [
    namespace,
    name,
    ...Object.entries(dims).flat(),
    { stat, ...(label ? { label } : {}) },
  ];
  const widget = (title, metrics, y, extra = {}) => ({
    type: 'metric',
    width: 12,
    height: 6,
    x: (y % 2) * 12,
    y: Math.floor(y / 2) * 6,
    properties: { title, region, view: 'timeSeries', metrics, period: 60, ...extra },
  });
  const stages = ['api', 'plan', 'render', 'prepare', 'compose', 'ledger', 'notify', 'cancel', 'timeout'];
  const ledger = { service: 'ledger' };
  return {
    widgets: [
      widget(
        'Jobs per state (completed, failed by stage)',
        [
          metric(NAMESPACE, 'JobsCompleted', ledger, 'Sum', 'completed'),
          ...stages.map((s) =>
            metric(NAMESPACE, 'JobsFailed', { ...ledger, stage: s }, 'Sum', `failed: ${s}`),
          ),
        ],
        0,
      ),
      widget(
        'Latency p50 / p95 per stage (s, ms for compose)',
        [
          metric(NAMESPACE, 'JobLatency', ledger, 'p50', 'job p50'),
          metric(NAMESPACE, 'JobLatency', ledger, 'p95', 'job p95'),
          metric(NAMESPACE, 'SceneLatency', { service: 'generator' }, 'p50', 'scene p50'),
          metric(NAMESPACE, 'SceneLatency', { service: 'generator' }, 'p95', 'scene p95'),
          metric(NAMESPACE, 'ComposeMs', { service: 'composer' }, 'p50', 'compose ms p50'),
          metric(NAMESPACE, 'ComposeMs', { service: 'composer' }, 'p95', 'compose ms p95'),
        ],
        1,
      ),
      widget('Cost (USD charged)', [metric(NAMESPACE, 'CostUsd', ledger, 'Sum', 'cost')], 2),
      widget(
        'DLQ depths',
        deadLetterQueues.map((q) =>
          metric('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: q }, 'Maximum'),
        ),
        3,
      ),
      widget(
        'Age of oldest message per queue (s)',
        queues.map((q) => metric('AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: q }, 'Maximum')),
        4,
      ),
      widget(
        'Dead letters drained (by DLQ)',
        SERVICES.flatMap((service) =>
          deadLetterQueues
            .filter((q) => q.startsWith(`reelay-${stage}-${service}-`))
            .map((q) => metric(NAMESPACE, 'DeadLetters', { service, deadLetterQueue: q }, 'Sum')),
        ),
        5,
      ),
      widget(
        'Errors and throttles per function',
        functions.flatMap((f) => [
          metric('AWS/Lambda', 'Errors', { FunctionName: f }, 'Sum'),
          metric('AWS/Lambda', 'Throttles', { FunctionName: f }, 'Sum'),
        ]),
        6,
        { width: 24 },
      ),
    ],
  };
}

/** Resources merged into the ledger's template: the dashboard, every alarm, and the optional SNS topic. */
module.exports.resources = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  const region = await resolveVariable('self:provider.region');
  const alarmEmail = await resolveVariable('param:alarmEmail');
  const topic = Boolean(alarmEmail);
  const queues = SERVICES.flatMap((s) => queueNames(s, stage));
  const deadLetterQueues = queues.filter((q) => q.endsWith('-dlq'));
  const workQueues = queues.filter((q) => !q.endsWith('-dlq'));
  const functions = SERVICES.flatMap((s) => functionNames(s, stage));

  const resources = {
    PipelineDashboard: {
      Type: 'AWS::CloudWatch::Dashboard',
      Properties: {
        DashboardName: `reelay-${stage}-pipeline`,
        DashboardBody: JSON.stringify(dashboardBody(stage, region, workQueues, deadLetterQueues, functions)),
      },
    },
    JobLatencyP95Alarm: alarm(
      `Job latency p95 above ${JOB_LATENCY_P95_ALARM_SECONDS} s: jobs are slow to finish`,
      {
        Namespace: NAMESPACE,
        MetricName: 'JobLatency',
        Dimensions: [{ Name: 'service', Value: 'ledger' }],
        ExtendedStatistic: 'p95',
        Period: 300,
      },
      JOB_LATENCY_P95_ALARM_SECONDS,
      topic,
    ),
  };
  for (const q of deadLetterQueues) {
    // Visible + in flight: a dead message that names no job is parked (hidden for 12 h) by the
    // deadLetters function, so the visible count alone would not see it.
    const depth = (id, MetricName) => ({
      Id: id,
      ReturnData: false,
      MetricStat: {
        Metric: { Namespace: 'AWS/SQS', MetricName, Dimensions: [{ Name: 'QueueName', Value: q }] },
        Period: 60,
        Stat: 'Maximum',
      },
    });
    resources[logicalId('DlqDepthAlarm', q, stage)] = alarm(
      `${q} holds dead messages: see the job's failure, fix the cause, then npm run redrive`,
      {
        Metrics: [
          depth('visible', 'ApproximateNumberOfMessagesVisible'),
          depth('hidden', 'ApproximateNumberOfMessagesNotVisible'),
          { Id: 'depth', Expression: 'visible + hidden', Label: `messages in ${q}`, ReturnData: true },
        ],
      },
      0,
      topic,
    );
  }
  for (const q of workQueues) {
    resources[logicalId('OldestMessageAlarm', q, stage)] = alarm(
      `${q} has a message older than ${OLDEST_MESSAGE_ALARM_SECONDS} s: its consumer is stuck or too slow`,
      {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: q }],
        Statistic: 'Maximum',
      },
      OLDEST_MESSAGE_ALARM_SECONDS,
      topic,
    );
  }
  for (const f of functions) {
    resources[logicalId('ErrorsAlarm', f, stage)] = alarm(
      `${f} reports errors`,
      {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: f }],
        Statistic: 'Sum',
      },
      0,
      topic,
    );
  }
  if (topic) {
    resources.AlarmTopic = { Type: 'AWS::SNS::Topic', Properties: { TopicName: `reelay-${stage}-alarms` } };
    resources.AlarmEmailSubscription = {
      Type: 'AWS::SNS::Subscription',
      Properties: { TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'email', Endpoint: alarmEmail },
    };
  }
  return { Resources: resources };
};
