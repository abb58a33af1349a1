import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ulid } from 'ulid';
import {
  type ComposerHarness,
  startComposerHarness,
} from '../../../../services/composer/test/integration/composer-harness';
import { TEST_STAGE } from '../../../../test/support/test-stage';
import type { CloudFormationTemplate } from '../../src/deploy/template';

const STAGE = TEST_STAGE;

/** The packaged template with `action` taken out of every statement of one role (a statement left empty goes). */
function withoutAction(
  template: CloudFormationTemplate,
  roleId: string,
  action: string,
): CloudFormationTemplate {
  const copy = structuredClone(template);
  const role = copy.Resources[roleId];
  if (!role) throw new Error(`no role ${roleId} in the template`);
  let removed = 0;
  for (const policy of (role.Properties?.Policies ?? []) as Array<{
    PolicyDocument: { Statement: unknown[] };
  }>) {
    policy.PolicyDocument.Statement = policy.PolicyDocument.Statement.flatMap((statement) => {
      const s = statement as { Action: string | string[] };
      const actions = [s.Action].flat();
      if (!actions.includes(action)) return [statement];
      removed++;
      const rest = actions.filter((a) => a !== action);
      return rest.length === 0 ? [] : [{ ...s, Action: rest }];
    });
  }
  if (removed === 0) throw new Error(`${roleId} has no ${action} to remove`);
  return copy;
}

/**
 * Issue 16, defect 2, as the embedded cloud now shows it: without s3:ListBucket the composer's
 * HeadObject on a job's final.mp4 (absent before the first composition) is a 403, not a 404, so
 * every composition fails and the job dead-letters, as it would on AWS.
 */
describe('a function whose role lacks a permission its code needs fails as on AWS', () => {
  let harness: ComposerHarness;

  beforeAll(async () => {
    harness = await startComposerHarness({
      stage: STAGE,
      transformTemplate: (service, template) =>
        service === 'composer' ? withoutAction(template, 'ComposeRole', 's3:ListBucket') : template,
    });
  }, 240_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('answers the compose role 403 AccessDenied for a missing key, and the operator 404', async () => {
    // Prepare: a client signing with the compose function's own credentials.
    const { cloud } = harness;
    const env = cloud.functions.get(`reelay-composer-${STAGE}-compose`)?.config.env ?? {};
    const asCompose = new S3Client({
      region: cloud.region,
      endpoint: cloud.endpoints.s3,
      forcePathStyle: true,
      credentials: {
        accessKeyId: String(env.AWS_ACCESS_KEY_ID),
        secretAccessKey: String(env.AWS_SECRET_ACCESS_KEY),
        sessionToken: String(env.AWS_SESSION_TOKEN),
      },
    });
    const missing = { Bucket: cloud.names.mediaBucket, Key: `jobs/${ulid()}/final.mp4` };
    // Act
    const asRole = await asCompose
      .send(new HeadObjectCommand(missing))
      .catch((e: { $metadata: { httpStatusCode?: number } }) => e);
    const asOperator = await cloud.clients.s3
      .send(new HeadObjectCommand(missing))
      .catch((e: { $metadata: { httpStatusCode?: number } }) => e);
    // Assess
    expect((asRole as { $metadata: { httpStatusCode?: number } }).$metadata.httpStatusCode).toBe(403);
    expect((asOperator as { $metadata: { httpStatusCode?: number } }).$metadata.httpStatusCode).toBe(404);
    asCompose.destroy();
  });

  it('never composes the job: every attempt is denied and the job ends in JobFailed(compose)', async () => {
    // Prepare: retries come back after 1 s instead of the queue's 90 minutes; sandboxes loaded.
    const { cloud } = harness;
    const { QueueUrl } = await cloud.clients.sqs.send(
      new GetQueueUrlCommand({ QueueName: `reelay-${STAGE}-composer-compose` }),
    );
    await cloud.clients.sqs.send(
      new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '1' } }),
    );
    await Promise.all(
      ['compose', 'deadLetters'].map((name) =>
        cloud.functions
          .get(`reelay-composer-${STAGE}-${name}`)
          ?.invoke({ Records: [] })
          .catch(() => undefined),
      ),
    );
    const jobId = ulid();
    // Act
    await harness.publish([await harness.storedScene(jobId, 0, 2), await harness.storedScene(jobId, 1, 2)]);
    const [outcome, ...more] = await harness.outcomes(jobId, 400_000);
    // Assess
    expect(outcome).toMatchObject({ type: 'JobFailed', detail: { stage: 'compose', code: 'DEAD_LETTER' } });
    expect(more).toHaveLength(0);
  }, 460_000);
});
