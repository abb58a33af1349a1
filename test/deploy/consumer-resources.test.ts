/**
 * deploy/consumer-resources.cjs: one definition of an event consumer (EventBridge rule -> SQS queue
 * -> function) becomes the same five resources the services once wrote out by hand. The packaged
 * templates are checked as a whole in test/templates; this file pins the expansion and its refusals.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ConsumerInput {
  service: string;
  stage: string;
  consumers: Record<string, unknown>;
  functions: Record<string, { timeout?: unknown; events?: unknown } | undefined>;
}
interface ConsumerResourcesModule {
  buildConsumerResources(input: ConsumerInput): { Resources: Record<string, unknown> };
  consumerQueueNamesInYaml(yaml: string, service: string, stage: string): string[];
}

// Plain CommonJS: osls loads it through `${file(...cjs):resources}` at package time.
const { buildConsumerResources, consumerQueueNamesInYaml } =
  require('../../deploy/consumer-resources.cjs') as ConsumerResourcesModule;

const REPO_ROOT = join(__dirname, '..', '..');
const sqsEventOn = (queueId: string) => ({ sqs: { arn: { 'Fn::GetAtt': [queueId, 'Arn'] }, batchSize: 10 } });
const chainPattern = {
  source: ['reelay.generator'],
  'detail-type': ['SceneReady'],
  detail: { kind: ['video'] },
};

const generatorInput = (consumers: Record<string, unknown>, functions?: ConsumerInput['functions']) => ({
  service: 'generator',
  stage: 'dev',
  consumers,
  functions: functions ?? {
    chain: { timeout: 120, events: [sqsEventOn('ChainQueue')] },
    renderFailed: { timeout: 30, events: [sqsEventOn('RenderFailedQueue')] },
  },
});

describe('consumer resources (deploy/consumer-resources.cjs)', () => {
  test('a consumer becomes its queue, DLQ, rule DLQ, rule and queue policy under the logical ids a stack already has', () => {
    // Prepare
    const input = generatorInput({ chain: { pattern: chainPattern } });

    // Act
    const { Resources } = buildConsumerResources(input);

    // Assess
    expect(Resources).toEqual({
      ChainQueue: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: 'reelay-dev-generator-chain',
          VisibilityTimeout: 720,
          SqsManagedSseEnabled: true,
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['ChainDlq', 'Arn'] }, maxReceiveCount: 4 },
        },
      },
      ChainDlq: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: 'reelay-dev-generator-chain-dlq',
          MessageRetentionPeriod: 1209600,
          SqsManagedSseEnabled: true,
        },
      },
      ChainRuleDlq: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: 'reelay-dev-generator-chain-rule-dlq',
          MessageRetentionPeriod: 1209600,
          SqsManagedSseEnabled: true,
        },
      },
      ChainRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          Name: 'reelay-dev-generator-chain',
          EventBusName: 'reelay-dev',
          EventPattern: chainPattern,
          State: 'ENABLED',
          Targets: [
            {
              Id: 'generator-chain',
              Arn: { 'Fn::GetAtt': ['ChainQueue', 'Arn'] },
              RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
              DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['ChainRuleDlq', 'Arn'] } },
            },
          ],
        },
      },
      ChainQueuePolicy: {
        Type: 'AWS::SQS::QueuePolicy',
        Properties: {
          Queues: [{ Ref: 'ChainQueue' }, { Ref: 'ChainRuleDlq' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'AllowChainRule',
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: [
                  { 'Fn::GetAtt': ['ChainQueue', 'Arn'] },
                  { 'Fn::GetAtt': ['ChainRuleDlq', 'Arn'] },
                ],
                Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['ChainRule', 'Arn'] } } },
              },
            ],
          },
        },
      },
    });
  });

  test('a camelCase consumer is named in kebab case, and the default bus, description and receive count are honoured', () => {
    // Prepare
    const input = generatorInput({
      renderFailed: {
        pattern: { source: ['aws.states'] },
        eventBus: 'default',
        description: 'Failed executions.',
        maxReceiveCount: 5,
      },
    });

    // Act
    const { Resources } = buildConsumerResources(input);

    // Assess
    expect(Object.keys(Resources)).toEqual([
      'RenderFailedQueue',
      'RenderFailedDlq',
      'RenderFailedRuleDlq',
      'RenderFailedRule',
      'RenderFailedQueuePolicy',
    ]);
    expect(Resources.RenderFailedQueue).toMatchObject({
      Properties: {
        QueueName: 'reelay-dev-generator-render-failed',
        VisibilityTimeout: 180,
        RedrivePolicy: { maxReceiveCount: 5 },
      },
    });
    const rule = Resources.RenderFailedRule as { Properties: Record<string, unknown> };
    expect(rule.Properties).not.toHaveProperty('EventBusName');
    expect(rule.Properties).toMatchObject({
      Description: 'Failed executions.',
      Name: 'reelay-dev-generator-render-failed',
    });
  });

  test('a bus given as a reference (the ledger owns the bus) is passed through, so the rule waits for it', () => {
    // Prepare
    const input = {
      service: 'ledger',
      stage: 'prod',
      consumers: { project: { pattern: { source: [{ prefix: 'reelay.' }] }, eventBus: { Ref: 'EventBus' } } },
      functions: {
        project: { timeout: 30, events: [{ sqs: { arn: { 'Fn::GetAtt': 'ProjectQueue.Arn' } } }] },
      },
    };

    // Act
    const { Resources } = buildConsumerResources(input);

    // Assess
    expect(Resources.ProjectRule).toMatchObject({
      Properties: { Name: 'reelay-prod-ledger-project', EventBusName: { Ref: 'EventBus' } },
    });
  });

  test.each([
    [
      'a function that does not exist',
      { chain: { pattern: chainPattern, function: 'chainScenes' } },
      'no function chainScenes',
    ],
    [
      'a misspelt setting',
      { chain: { pattern: chainPattern, maxRecieveCount: 5 } },
      'unknown setting maxRecieveCount',
    ],
    ['no pattern', { chain: { description: 'x' } }, '`pattern`'],
    [
      'a receive count that is not a positive integer',
      { chain: { pattern: chainPattern, maxReceiveCount: 0 } },
      'maxReceiveCount',
    ],
    ['a kebab-case name', { 'render-failed': { pattern: chainPattern } }, 'camelCase'],
  ])('packaging stops, naming the consumer, on %s', (_, consumers, problem) => {
    expect(() => buildConsumerResources(generatorInput(consumers))).toThrow(problem);
  });

  test('packaging stops when the function does not consume the queue made for it', () => {
    // Prepare: chain's sqs event reads another queue.
    const input = generatorInput(
      { chain: { pattern: chainPattern } },
      { chain: { timeout: 120, events: [sqsEventOn('RenderQueue')] } },
    );

    // Act, Assess
    expect(() => buildConsumerResources(input)).toThrow(
      'custom.consumers.chain: function chain has no sqs event with arn !GetAtt ChainQueue.Arn',
    );
  });

  test('packaging stops when the function has no timeout to derive the visibility from', () => {
    // Prepare
    const input = generatorInput(
      { chain: { pattern: chainPattern } },
      { chain: { events: [sqsEventOn('ChainQueue')] } },
    );

    // Act, Assess
    expect(() => buildConsumerResources(input)).toThrow('function chain needs an explicit timeout');
  });

  test("the queue names of another service's consumers are read from its serverless.yml, for the pipeline's monitoring", () => {
    // Prepare
    const yaml = readFileSync(join(REPO_ROOT, 'services', 'generator', 'serverless.yml'), 'utf8');

    // Act
    const names = consumerQueueNamesInYaml(yaml, 'generator', 'dev');

    // Assess
    expect(names).toEqual(
      ['plan', 'render', 'chain', 'render-failed', 'stop-job'].flatMap((name) => [
        `reelay-dev-generator-${name}`,
        `reelay-dev-generator-${name}-dlq`,
        `reelay-dev-generator-${name}-rule-dlq`,
      ]),
    );
  });
});
