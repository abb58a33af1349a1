/**
 * The CloudFormation every service packages to (offline, through `serverless package`) keeps
 * the rules docs/architecture.md sets for queues, rules, the bus, runtimes, IAM and references, and is
 * valid against AWS's own resource specification.
 */
import { packageAllServices, SERVICES } from '../../local/packaging/src';
import { localPublishBucket } from '../../local/packaging/src/package-service';
import { DEFAULT_STAGE } from '../../local/packaging/src/services';
import { checkDeadLettersDrained } from './dead-letter-checks';
import {
  checkCorsHeaders,
  checkDevDataDeleted,
  checkMediaLifecycle,
  checkOwnUserPool,
} from './deploy-checks';
import { isRecord } from './intrinsics';
import { checkMonitoring } from './monitoring-checks';
import {
  checkGetAttAttributes,
  checkResourcesAgainstSpec,
  loadSpec,
  type SpecDatabase,
} from './resource-spec';
import {
  checkBusArchives,
  checkDeadLetterRetention,
  checkFunctionEnvironment,
  checkLeastPrivilege,
  checkOneRolePerFunction,
  checkPartialBatchResponses,
  checkQueueRedrive,
  checkReferences,
  checkRulesCanDeliver,
  checkRuleTargets,
  checkRuntimes,
  checkVisibilityTimeouts,
  type Templates,
} from './template-checks';

let templates: Templates;
let spec: SpecDatabase;

beforeAll(async () => {
  // Cached by serverless.yml content: only the first run after a change packages.
  const packaged = await packageAllServices();
  templates = Object.fromEntries(SERVICES.map((service) => [service, packaged[service].template]));
  spec = await loadSpec();
}, 600_000);

/** A copy of the templates with one service's template changed. */
const breaking = (
  service: string,
  change: (resources: Record<string, { Type?: string; Properties?: Record<string, unknown> }>) => void,
) => {
  const copy = structuredClone(templates);
  const template = copy[service];
  if (!template) throw new Error(`no template for ${service}`);
  change(template.Resources);
  return copy;
};

const properties = (resources: Record<string, { Properties?: Record<string, unknown> }>, id: string) => {
  const found = resources[id]?.Properties;
  if (!found) throw new Error(`no resource ${id} with properties`);
  return found;
};

describe('packaged templates', () => {
  test('every service packages offline', () => {
    expect(Object.keys(templates)).toEqual([...SERVICES]);
  });

  test('every work queue dead-letters after 3 to 5 receives into a queue of its stack', () => {
    expect(checkQueueRedrive(templates)).toEqual([]);
  });

  test('every dead-letter queue keeps messages for 14 days', () => {
    expect(checkDeadLetterRetention(templates)).toEqual([]);
  });

  test('a queue hides a message for at least 6 times the timeout of the function consuming it', () => {
    expect(checkVisibilityTimeouts(templates)).toEqual([]);
  });

  test('every queue consumer reports partial batch failures', () => {
    expect(checkPartialBatchResponses(templates)).toEqual([]);
  });

  test('every DLQ of every service is drained by its deadLetters function, which knows its stage', () => {
    expect(checkDeadLettersDrained(templates)).toEqual([]);
  });

  test('the ledger deploys the dashboard and an alarm for every DLQ, queue age, function and job latency', () => {
    expect(checkMonitoring(templates)).toEqual([]);
  });

  test('every rule target retries and then dead-letters', () => {
    expect(checkRuleTargets(templates)).toEqual([]);
  });

  test('every rule may send to its queue and its DLQ, and only that rule', () => {
    expect(checkRulesCanDeliver(templates)).toEqual([]);
  });

  test('the event bus has an archive', () => {
    expect(checkBusArchives(templates)).toEqual([]);
  });

  test('every function runs on nodejs22.x', () => {
    expect(checkRuntimes(templates)).toEqual([]);
  });

  test('every function gets the common environment', () => {
    expect(checkFunctionEnvironment(templates)).toEqual([]);
  });

  test('every function has a role of its own', () => {
    expect(checkOneRolePerFunction(templates)).toEqual([]);
  });

  test('no policy allows every action or every resource, except actions AWS cannot scope', () => {
    expect(checkLeastPrivilege(templates)).toEqual([]);
  });

  test('every Ref, GetAtt, Sub, DependsOn and ImportValue points at something that exists', () => {
    expect(checkReferences(templates)).toEqual([]);
    expect(checkGetAttAttributes(templates, spec)).toEqual([]);
  });

  test('every resource type and property exists in the AWS specification, with the required ones', () => {
    expect(checkResourcesAgainstSpec(templates, spec)).toEqual([]);
  });

  test('the RenderScene workflow times out, retries transient errors and has no catch-all state', () => {
    const machine = templates.generator?.Resources.RenderSceneStateMachine;
    expect(machine?.Type).toBe('AWS::StepFunctions::StateMachine');
    const definitionString = machine?.Properties?.DefinitionString;
    const sub = isRecord(definitionString) ? definitionString['Fn::Sub'] : undefined;
    const text = Array.isArray(sub) ? sub[0] : sub;
    const definition = JSON.parse(String(text)) as {
      TimeoutSeconds?: number;
      States: Record<string, { Type: string; Retry?: unknown[]; Catch?: unknown[] }>;
    };
    expect(definition.TimeoutSeconds).toBeGreaterThan(0);
    const states = Object.values(definition.States);
    // One catch only: AwaitPrediction's wait for the webhook timing out goes back to check the prediction
    // again (the reconciler for a lost webhook). Anything else failing fails the execution, whose failure
    // the renderFailed consumer turns into the job's outcome: no catch-all state.
    const catches = Object.entries(definition.States).flatMap(([name, state]) =>
      (state.Catch ?? []).map((c) => ({ name, ...(c as { ErrorEquals: string[]; Next: string }) })),
    );
    expect(catches.map(({ name, ErrorEquals, Next }) => ({ name, ErrorEquals, Next }))).toEqual([
      { name: 'AwaitPrediction', ErrorEquals: ['States.Timeout'], Next: 'AwaitPrediction' },
    ]);
    for (const task of states.filter((state) => state.Type === 'Task'))
      expect(task.Retry?.length).toBeGreaterThan(0);
  });

  test('with no issuer configured, the authorizer trusts the Cognito pool of the stack and machine client', () => {
    expect(checkOwnUserPool(templates)).toEqual([]);
  });

  test('browsers may send the Authorization, Content-Type and Idempotency-Key headers', () => {
    expect(checkCorsHeaders(templates)).toEqual([]);
  });

  test('uploads and intermediates expire; the final video, thumbnail and captions are kept', () => {
    expect(checkMediaLifecycle(templates)).toEqual([]);
  });

  test('a dev stage deletes its bucket and tables on remove, so it can be deployed again', () => {
    expect(checkDevDataDeleted(templates)).toEqual([]);
  });

  test('the render function and the failure rule refer to the RenderScene state machine', () => {
    const resources = templates.generator?.Resources ?? {};
    const environment = resources.RenderLambdaFunction?.Properties?.Environment as {
      Variables: Record<string, unknown>;
    };
    expect(environment.Variables.RENDER_SCENE_STATE_MACHINE_ARN).toEqual({ Ref: 'RenderSceneStateMachine' });
    const pattern = resources.RenderFailedRule?.Properties?.EventPattern as {
      detail: Record<string, unknown>;
    };
    expect(pattern.detail.stateMachineArn).toEqual([{ Ref: 'RenderSceneStateMachine' }]);
  });

  test("the publish role alone may write S3 destinations: s3:PutObject on users/* of the stage's buckets, nothing more", () => {
    // Packaged locally, the api's publishBuckets is the embedded cloud's bucket for the stage.
    const bucket = localPublishBucket(DEFAULT_STAGE);
    const resources = templates.api?.Resources ?? {};
    const variables = (id: string) =>
      (resources[id]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables ?? {};
    const writersOfOtherBuckets = Object.entries(resources).filter(
      ([, r]) =>
        (r.Type === 'AWS::IAM::Role' || r.Type === 'AWS::IAM::Policy') &&
        JSON.stringify(r.Properties).includes('s3:PutObject') &&
        JSON.stringify(r.Properties).includes('s3:::'),
    );

    expect(writersOfOtherBuckets.map(([id]) => id)).toEqual(['PublishDestinationsPolicy']);
    expect(resources.PublishDestinationsPolicy?.Properties).toMatchObject({
      Roles: [{ Ref: 'PublishRole' }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 's3:PutObject',
            Resource: [{ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${bucket}/users/*` }],
          },
        ],
      },
    });
    expect(variables('PublishLambdaFunction').PUBLISH_BUCKETS).toBe(bucket);
    expect(variables('SubmitJobLambdaFunction').PUBLISH_BUCKETS).toBe(bucket);
  });
});

// Each check is only worth having if it fails when what it guards is removed.
describe('the template checks catch', () => {
  test('a queue without a redrive policy, or with too many receives', () => {
    const broken = breaking('generator', (resources) => {
      delete properties(resources, 'PlanQueue').RedrivePolicy;
      properties(resources, 'RenderQueue').RedrivePolicy = {
        deadLetterTargetArn: { 'Fn::GetAtt': ['RenderDlq', 'Arn'] },
        maxReceiveCount: 10,
      };
    });
    expect(checkQueueRedrive(broken)).toEqual([
      'generator: queue PlanQueue has no RedrivePolicy',
      'generator: queue PlanDlq has no RedrivePolicy',
      'generator: queue RenderQueue has maxReceiveCount 10, not 3 to 5',
    ]);
  });

  test('a DLQ that keeps messages for the default 4 days', () => {
    const broken = breaking('ledger', (resources) => {
      delete properties(resources, 'ProjectDlq').MessageRetentionPeriod;
    });
    expect(checkDeadLetterRetention(broken)).toEqual([
      'ledger: DLQ ProjectDlq keeps messages 345600 s, not 14 days',
    ]);
  });

  test('a visibility timeout shorter than 6 function timeouts', () => {
    const broken = breaking('composer', (resources) => {
      properties(resources, 'ComposeQueue').VisibilityTimeout = 900;
    });
    expect(checkVisibilityTimeouts(broken)).toEqual([
      "composer: queue ComposeQueue hides a message 900 s, less than 6 x ComposeLambdaFunction's 900 s",
    ]);
  });

  test('a DLQ that no dead-letter handler drains or knows', () => {
    const broken = breaking('composer', (resources) => {
      for (const [id, resource] of Object.entries(resources)) {
        const arn = resource.Properties?.EventSourceArn;
        if (JSON.stringify(arn) === JSON.stringify({ 'Fn::GetAtt': ['ComposeDlq', 'Arn'] }))
          delete resources[id];
      }
      properties(resources, 'ComposeDlq').QueueName = 'reelay-dev-composer-compose-dlq-renamed';
    });
    expect(checkDeadLettersDrained(broken)).toEqual([
      'composer: DLQ ComposeDlq is not drained by deadLetters',
      "composer: DLQ ComposeDlq has no stage in deadLetters' DEAD_LETTER_QUEUES",
    ]);
  });

  test('a DLQ of another service without a depth alarm, one that misses parked messages, and a missing dashboard', () => {
    const broken = breaking('ledger', (resources) => {
      for (const [id, resource] of Object.entries(resources)) {
        const watched = JSON.stringify(resource.Properties?.Metrics ?? []);
        if (watched.includes('-composer-compose-dlq') || id === 'PipelineDashboard') delete resources[id];
        // Only the visible count: a parked (in-flight) dead message would never raise it.
        if (watched.includes('-composer-prepare-dlq"'))
          resources[id] = {
            Type: 'AWS::CloudWatch::Alarm',
            Properties: {
              Namespace: 'AWS/SQS',
              MetricName: 'ApproximateNumberOfMessagesVisible',
              Dimensions: [{ Name: 'QueueName', Value: 'reelay-dev-composer-prepare-dlq' }],
            },
          };
      }
    });
    expect(checkMonitoring(broken)).toEqual([
      'ledger: no CloudWatch dashboard',
      'composer: DLQ reelay-dev-composer-prepare-dlq has no depth alarm counting visible and in-flight messages',
      'composer: DLQ reelay-dev-composer-compose-dlq has no depth alarm counting visible and in-flight messages',
    ]);
  });

  test('a rule target without a DLQ or retry policy', () => {
    const broken = breaking('composer', (resources) => {
      const [target] = properties(resources, 'PrepareRule').Targets as Record<string, unknown>[];
      if (target) {
        delete target.DeadLetterConfig;
        delete target.RetryPolicy;
      }
    });
    expect(checkRuleTargets(broken)).toHaveLength(2);
  });

  test('a rule its queue policy does not let in', () => {
    const broken = breaking('ledger', (resources) => {
      properties(resources, 'ProjectQueuePolicy').Queues = [{ Ref: 'ProjectQueue' }];
    });
    expect(checkRulesCanDeliver(broken)).toEqual([
      'ledger: no queue policy lets rule ProjectRule send to ProjectRuleDlq',
    ]);
  });

  test('a bus without an archive', () => {
    const broken = breaking('ledger', (resources) => {
      delete resources.EventArchive;
    });
    expect(checkBusArchives(broken)).toEqual(['ledger: event bus EventBus has no archive']);
  });

  test('a function on another runtime', () => {
    const broken = breaking('api', (resources) => {
      properties(resources, 'GetJobLambdaFunction').Runtime = 'nodejs20.x';
    });
    expect(checkRuntimes(broken)).toEqual(['api: GetJobLambdaFunction runs nodejs20.x, not nodejs22.x']);
  });

  test('two functions sharing a role', () => {
    const broken = breaking('api', (resources) => {
      properties(resources, 'GetJobLambdaFunction').Role = { 'Fn::GetAtt': ['SubmitJobRole', 'Arn'] };
    });
    expect(checkOneRolePerFunction(broken)).toEqual([
      'api: GetJobLambdaFunction shares the role SubmitJobRole with SubmitJobLambdaFunction',
    ]);
  });

  test('a statement allowing every action, or a scopable action on every resource', () => {
    const broken = breaking('composer', (resources) => {
      const [policy] = properties(resources, 'ComposeRole').Policies as {
        PolicyDocument: { Statement: unknown[] };
      }[];
      policy?.PolicyDocument.Statement.push(
        { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::bucket/*' },
        { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'dynamodb:PutItem'], Resource: '*' },
      );
    });
    expect(checkLeastPrivilege(broken)).toEqual([
      'composer: ComposeRole allows s3:*',
      'composer: ComposeRole allows dynamodb:PutItem on Resource "*"',
    ]);
  });

  test('a reference to a resource that does not exist', () => {
    const broken = breaking('generator', (resources) => {
      properties(resources, 'RenderLambdaFunction').Environment = {
        Variables: { RENDER_SCENE_STATE_MACHINE_ARN: { Ref: 'RenderSceneStepFunctionsStateMachine' } },
      };
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
      properties(resources, 'RenderRole').RoleName = { 'Fn::Sub': 'role-${GeneratorTabel.Arn}' };
    });
    expect(checkReferences(broken)).toEqual([
      'generator: Resources.RenderLambdaFunction.Properties.Environment.Variables.RENDER_SCENE_STATE_MACHINE_ARN refers to unknown RenderSceneStepFunctionsStateMachine',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
      'generator: Resources.RenderRole.Properties.RoleName substitutes unknown ${GeneratorTabel.Arn}',
    ]);
  });

  test('an attribute its resource type does not have', () => {
    const broken = breaking('ledger', (resources) => {
      properties(resources, 'ProjectRule').EventBusName = { 'Fn::GetAtt': ['EventBus', 'BusName'] };
    });
    expect(checkGetAttAttributes(broken, spec)).toEqual([
      'ledger: Resources.ProjectRule.Properties.EventBusName gets BusName, which AWS::Events::EventBus lacks',
    ]);
  });

  test('an authorizer left on an issuer nobody configured, and a client without client credentials', () => {
    const broken = breaking('api', (resources) => {
      properties(resources, 'HttpApiAuthorizerReelayJwt').JwtConfiguration = {
        Issuer: 'https://issuer.invalid/configure-jwtIssuerUrl',
        Audience: ['configure-jwtAudience'],
      };
      properties(resources, 'MachineClient').AllowedOAuthFlows = ['code'];
    });
    expect(checkOwnUserPool(broken)).toEqual([
      'api: the authorizer does not trust the UserPool issuer',
      'api: the authorizer audience is not the MachineClient id',
      'api: no MachineClient app client with the client_credentials flow',
    ]);
  });

  test('CORS without Idempotency-Key', () => {
    const broken = breaking('api', (resources) => {
      const cors = properties(resources, 'HttpApi').CorsConfiguration as { AllowHeaders: string[] };
      cors.AllowHeaders = cors.AllowHeaders.filter((h) => h !== 'Idempotency-Key');
    });
    expect(checkCorsHeaders(broken)).toEqual(['api: CORS does not allow the idempotency-key header']);
  });

  test('intermediates kept forever, and a rule that would expire final videos', () => {
    const broken = breaking('api', (resources) => {
      const lifecycle = properties(resources, 'MediaBucket').LifecycleConfiguration as {
        Rules: Array<Record<string, unknown>>;
      };
      lifecycle.Rules = lifecycle.Rules.filter((rule) => rule.Id !== 'expire-intermediates');
      lifecycle.Rules.push({ Id: 'expire-jobs', Status: 'Enabled', Prefix: 'jobs/', ExpirationInDays: 7 });
    });
    expect(checkMediaLifecycle(broken)).toEqual([
      'api: nothing expires intermediates/ in the media bucket',
      'api: lifecycle rule expire-jobs expires final outputs under jobs/',
    ]);
  });

  test('a dev table retained on remove', () => {
    const broken = structuredClone(templates);
    const table = broken.ledger?.Resources.JobsTable as { DeletionPolicy?: string };
    table.DeletionPolicy = 'Retain';
    expect(checkDevDataDeleted(broken)).toEqual([
      'ledger: JobsTable is retained on remove in dev, so a redeploy after remove fails',
    ]);
  });

  test('an unknown property, a misspelt nested property and a missing required one', () => {
    const broken = breaking('composer', (resources) => {
      properties(resources, 'ComposeQueue').VisibilityTimeoutSeconds = 5400;
      properties(resources, 'ComposerTable').TimeToLiveSpecification = {
        AttributeName: 'expiresAt',
        Enable: true,
      };
      delete properties(resources, 'PrepareQueuePolicy').PolicyDocument;
    });
    expect(checkResourcesAgainstSpec(broken, spec)).toEqual(
      expect.arrayContaining([
        'composer: ComposeQueue.VisibilityTimeoutSeconds is not a property',
        'composer: ComposerTable.TimeToLiveSpecification.Enable is not a property',
        'composer: PrepareQueuePolicy.PolicyDocument is required',
      ]),
    );
  });
});
