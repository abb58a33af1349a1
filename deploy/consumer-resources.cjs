// @ts-check
/**
 * The CloudFormation resources of every event consumer of a service, from one short definition in
 * its serverless.yml. A consumer is EventBridge rule -> SQS queue -> Lambda function, always built
 * the same way, so each service lists only what differs:
 *
 *   custom:
 *     consumers:
 *       plan:                          # the function the queue feeds (and the names below)
 *         pattern:                     # the rule's EventPattern, as CloudFormation takes it
 *           source: [reelay.api]
 *           detail-type: [JobRequested]
 *         description: ...             # optional: the rule's Description
 *         eventBus: !Ref EventBus      # optional: default the bus reelay-<stage> by name;
 *                                      #   `default` is the account's default bus (aws.* events)
 *         maxReceiveCount: 5           # optional: receives before the DLQ, default 4
 *         function: plan               # optional: when the function's name is not the key
 *
 *   resources:
 *   - ${file(../../deploy/consumer-resources.cjs):resources}
 *
 * For `plan` in the generator that gives PlanQueue (reelay-<stage>-generator-plan, visibility 6x the
 * function's timeout as AWS recommends for SQS event sources, redrive to PlanDlq), PlanDlq and
 * PlanRuleDlq (14 days), PlanRule (retries for a day, then PlanRuleDlq) and PlanQueuePolicy (the
 * rule alone may send to the queue and the rule DLQ). The logical ids and names are the ones these
 * blocks had when they were written out by hand: a deployed stack keeps its queues.
 *
 * What stays in serverless.yml: the function's `sqs` event (batch size, batching window,
 * concurrency; the framework builds the event source mapping from it), its role, and the
 * deadLetters function's DLQ list. Packaging fails, naming the consumer, when the function is
 * missing, has no timeout, or does not consume its queue.
 *
 * Plain CommonJS because `${file(...js):resources}` is how the Serverless Framework (osls) runs code
 * at package time; it gets `{ resolveVariable }` and needs no AWS call.
 */

const DLQ_RETENTION_SECONDS = 1209600; // 14 days, SQS's maximum
const VISIBILITY_PER_FUNCTION_TIMEOUT = 6;
const DEFAULT_MAX_RECEIVE_COUNT = 4;
// EventBridge's own retries towards the queue: its maximums, then the rule's DLQ.
const RULE_RETRY_POLICY = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 };
const DEFINITION_KEYS = ['pattern', 'description', 'eventBus', 'maxReceiveCount', 'function'];

/** A definition that cannot become resources; packaging stops with this message. */
class ConsumerDefinitionError extends Error {
  /** @param {string} consumer @param {string} problem */
  constructor(consumer, problem) {
    super(`custom.consumers.${consumer}: ${problem} (deploy/consumer-resources.cjs)`);
    this.name = 'ConsumerDefinitionError';
  }
}

/** `renderFailed` -> `RenderFailed`, the prefix of its logical ids. */
const pascal = (/** @type {string} */ key) => key[0].toUpperCase() + key.slice(1);
/** `renderFailed` -> `render-failed`, the suffix of its queue and rule names. */
const kebab = (/** @type {string} */ key) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const getAtt = (/** @type {string} */ id) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const ref = (/** @type {string} */ id) => ({ Ref: id });

/** The names by convention of a consumer's queues (also read by the ledger's monitoring). */
const queueNames = (
  /** @type {string} */ service,
  /** @type {string} */ stage,
  /** @type {string} */ key,
) => {
  const queue = `reelay-${stage}-${service}-${kebab(key)}`;
  return { queue, dlq: `${queue}-dlq`, ruleDlq: `${queue}-rule-dlq` };
};

/** Whether an sqs event's `arn` is the given queue's Arn (`!GetAtt Q.Arn` in either of its forms). */
const isArnOf = (/** @type {unknown} */ arn, /** @type {string} */ queueId) => {
  const target =
    arn && typeof arn === 'object' ? /** @type {Record<string, unknown>} */ (arn)['Fn::GetAtt'] : undefined;
  if (typeof target === 'string') return target === `${queueId}.Arn`;
  return Array.isArray(target) && target[0] === queueId && target[1] === 'Arn';
};

/**
 * @typedef {{ timeout?: unknown, events?: unknown }} FunctionConfig
 * @typedef {{ service: string, stage: string, consumers: Record<string, unknown>, functions: Record<string, FunctionConfig | undefined> }} ConsumerInput
 */

/**
 * The five resources of one consumer.
 * @param {string} key @param {unknown} raw @param {Omit<ConsumerInput, 'consumers'>} context
 */
function consumerResources(key, raw, { service, stage, functions }) {
  if (!/^[a-z][A-Za-z0-9]*$/.test(key)) throw new ConsumerDefinitionError(key, 'the name must be camelCase');
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new ConsumerDefinitionError(key, 'a consumer is a map with at least `pattern`');
  const definition = /** @type {Record<string, unknown>} */ (raw);
  const unknown = Object.keys(definition).filter((k) => !DEFINITION_KEYS.includes(k));
  if (unknown.length > 0)
    throw new ConsumerDefinitionError(
      key,
      `unknown setting ${unknown.join(', ')}; known: ${DEFINITION_KEYS.join(', ')}`,
    );
  const { pattern, description, eventBus, maxReceiveCount = DEFAULT_MAX_RECEIVE_COUNT } = definition;
  if (!pattern || typeof pattern !== 'object')
    throw new ConsumerDefinitionError(key, '`pattern` (the rule EventPattern) is required');
  if (!Number.isInteger(maxReceiveCount) || /** @type {number} */ (maxReceiveCount) < 1)
    throw new ConsumerDefinitionError(key, '`maxReceiveCount` must be a positive integer');

  const id = pascal(key);
  const queueId = `${id}Queue`;
  const dlqId = `${id}Dlq`;
  const ruleDlqId = `${id}RuleDlq`;
  const ruleId = `${id}Rule`;

  const functionName = typeof definition.function === 'string' ? definition.function : key;
  const fn = functions[functionName];
  if (!fn) throw new ConsumerDefinitionError(key, `no function ${functionName} in functions`);
  const timeout = Number(fn.timeout);
  if (!Number.isInteger(timeout) || timeout < 1)
    throw new ConsumerDefinitionError(
      key,
      `function ${functionName} needs an explicit timeout (the queue's visibility is 6x it)`,
    );
  const events = Array.isArray(fn.events) ? fn.events : [];
  if (!events.some((event) => event && isArnOf(event.sqs?.arn, queueId)))
    throw new ConsumerDefinitionError(
      key,
      `function ${functionName} has no sqs event with arn !GetAtt ${queueId}.Arn`,
    );

  const names = queueNames(service, stage, key);
  const deadLetterQueue = (/** @type {string} */ QueueName) => ({
    Type: 'AWS::SQS::Queue',
    Properties: { QueueName, MessageRetentionPeriod: DLQ_RETENTION_SECONDS, SqsManagedSseEnabled: true },
  });
  const bus = eventBus === undefined ? `reelay-${stage}` : eventBus;

  return {
    [queueId]: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: names.queue,
        VisibilityTimeout: VISIBILITY_PER_FUNCTION_TIMEOUT * timeout,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: getAtt(dlqId), maxReceiveCount },
      },
    },
    [dlqId]: deadLetterQueue(names.dlq),
    // Events EventBridge could not deliver to the queue (after its own retries) land here.
    [ruleDlqId]: deadLetterQueue(names.ruleDlq),
    [ruleId]: {
      Type: 'AWS::Events::Rule',
      Properties: {
        Name: names.queue,
        ...(typeof description === 'string' ? { Description: description } : {}),
        ...(bus === 'default' ? {} : { EventBusName: bus }),
        EventPattern: pattern,
        State: 'ENABLED',
        Targets: [
          {
            Id: `${service}-${kebab(key)}`,
            Arn: getAtt(queueId),
            RetryPolicy: { ...RULE_RETRY_POLICY },
            DeadLetterConfig: { Arn: getAtt(ruleDlqId) },
          },
        ],
      },
    },
    [`${queueId}Policy`]: {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [ref(queueId), ref(ruleDlqId)],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: `Allow${ruleId}`,
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: [getAtt(queueId), getAtt(ruleDlqId)],
              Condition: { ArnEquals: { 'aws:SourceArn': getAtt(ruleId) } },
            },
          ],
        },
      },
    },
  };
}

/**
 * Every consumer's resources, merged; a logical id defined twice is refused.
 * @param {ConsumerInput} input
 */
function buildConsumerResources({ service, stage, consumers, functions }) {
  /** @type {Record<string, unknown>} */
  const resources = {};
  for (const [key, definition] of Object.entries(consumers ?? {})) {
    for (const [id, resource] of Object.entries(
      consumerResources(key, definition, { service, stage, functions }),
    )) {
      if (id in resources) throw new ConsumerDefinitionError(key, `logical id ${id} is generated twice`);
      resources[id] = resource;
    }
  }
  return { Resources: resources };
}

/**
 * The consumer names listed under `custom.consumers` in a serverless.yml's text, for code that reads
 * another service's configuration without packaging it (the ledger's monitoring). Keys are the
 * 4-space-indented lines of that block, as the definition above lays them out.
 * @param {string} yaml
 */
function consumerNamesInYaml(yaml) {
  const custom = /^custom:\n([\s\S]*?)(?=^\S|$(?![\s\S]))/m.exec(yaml);
  if (!custom) return [];
  const block = /^ {2}consumers:[^\n]*\n((?:(?: {4}.*| *#.*|)\n)*)/m.exec(custom[1] ?? '');
  if (!block) return [];
  return [...(block[1] ?? '').matchAll(/^ {4}([a-z][A-Za-z0-9]*):\s*(?:#.*)?$/gm)].map(
    (m) => /** @type {string} */ (m[1]),
  );
}

/** The queue names (queue, DLQ, rule DLQ) of every consumer in a serverless.yml's text. */
function consumerQueueNamesInYaml(
  /** @type {string} */ yaml,
  /** @type {string} */ service,
  /** @type {string} */ stage,
) {
  return consumerNamesInYaml(yaml).flatMap((key) => {
    const { queue, dlq, ruleDlq } = queueNames(service, stage, key);
    return [queue, dlq, ruleDlq];
  });
}

/** `${file(../../deploy/consumer-resources.cjs):resources}`: what osls calls at package time. */
async function resources(
  /** @type {{ resolveVariable: (address: string) => Promise<any> }} */ { resolveVariable },
) {
  const stage = await resolveVariable('sls:stage');
  const serviceName = String(await resolveVariable('self:service'));
  const consumers = (await resolveVariable('self:custom.consumers')) ?? {};
  /** @type {Record<string, FunctionConfig>} */
  const functions = (await resolveVariable('self:functions')) ?? {};
  return buildConsumerResources({
    service: serviceName.replace(/^reelay-/, ''),
    stage,
    consumers,
    functions,
  });
}

module.exports = {
  resources,
  buildConsumerResources,
  consumerQueueNamesInYaml,
  ConsumerDefinitionError,
};
