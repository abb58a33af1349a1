import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { CloudFormationTemplate } from '../../../../local/cloud/src/deploy/template';
import type { EmbeddedCloud } from '../../../../local/cloud/src/embedded-cloud';
import { cloudAtRest } from '../../../../test/support/cloud-at-rest';
import { ADMISSION_SK, userPk } from '../../src/table/api-table';

/** The cheapest job the pipeline runs: one 1 s scene at 480p, no narration, music or captions. */
const CHEAP_SPEC = {
  prompt: 'a paper boat on a pond',
  scenes: 1,
  secondsPerScene: 1,
  resolution: '480p',
  narration: false,
  music: false,
  captions: false,
};
/** The concurrent jobs a user may run on the cloud these cases share (http-api.test.ts deploys it). */
export const LIMIT = 2;
const FLOOD = 4;

/**
 * The packaged api template with its limit set to `limit` (as `maxConcurrentJobs` would at deploy): the
 * functions that read MAX_CONCURRENT_JOBS get it from their template, which wins over the cloud's
 * `functionEnv`. Throws unless both submitJob and notify carry it, so the wiring is checked too.
 */
export function withMaxConcurrentJobs(
  template: CloudFormationTemplate,
  limit: number,
): CloudFormationTemplate {
  const copy = structuredClone(template);
  const tuned: string[] = [];
  for (const [name, resource] of Object.entries(copy.Resources)) {
    const variables = (
      resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined
    )?.Variables;
    if (resource.Type !== 'AWS::Lambda::Function' || !variables || !('MAX_CONCURRENT_JOBS' in variables))
      continue;
    variables.MAX_CONCURRENT_JOBS = String(limit);
    tuned.push(name);
  }
  // Every function that admits jobs (submit, notify's release, the series run and API) gets the
  // test's limit; submit and notify must be among them, or the test would not exercise admission.
  for (const required of ['NotifyLambdaFunction', 'SubmitJobLambdaFunction'])
    if (!tuned.includes(required))
      throw new Error(
        `MAX_CONCURRENT_JOBS is not set on ${required} (set on: ${tuned.join(', ') || 'none'})`,
      );
  return copy;
}

interface JobView {
  jobId: string;
  status: string;
  createdAt?: string;
  startedAt?: string;
  completedAt?: string;
}

/**
 * Run by http-api.test.ts, last, on its cloud (the api deployed with MAX_CONCURRENT_JOBS = LIMIT):
 * the flooder and the bystander are users of their own, and no case after this one replays events.
 */
export const jobFloodTests = (shared: () => { cloud: EmbeddedCloud; logs: string[] }) =>
  describe('one user floods the api: the jobs beyond the limit wait their turn, other users do not (embedded cloud)', () => {
    let cloud: EmbeddedCloud;
    let logs: string[];

    beforeAll(() => {
      ({ cloud, logs } = shared());
    });

    async function call<T>(user: string, method: string, path: string, body?: unknown) {
      const res = await fetch(`${cloud.endpoints.api}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${cloud.token(user)}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as T };
    }

    const submit = (user: string) => call<JobView>(user, 'POST', '/jobs', CHEAP_SPEC);
    const view = async (user: string, jobId: string) =>
      (await call<JobView>(user, 'GET', `/jobs/${jobId}`)).body;

    async function finished(user: string, jobId: string): Promise<JobView> {
      const deadline = Date.now() + 240_000;
      for (;;) {
        const job = await view(user, jobId);
        if (job.status === 'COMPLETED' || job.status === 'FAILED') return job;
        if (Date.now() > deadline)
          throw new Error(`job ${jobId} is still ${job.status}\n${logs.slice(-30).join('\n')}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }

    it('queues the flood in order, starts another user at once, and completes every job', async () => {
      // Act: one user submits more jobs than the limit, one after the other; then another user submits one.
      const flood: Array<{ status: number; body: JobView }> = [];
      for (let i = 0; i < FLOOD; i++) flood.push(await submit('flooder'));
      const queuedNow = await view('flooder', String(flood[LIMIT]?.body.jobId));
      const listed = await call<{ jobs: JobView[] }>('flooder', 'GET', '/jobs?status=QUEUED');
      const other = await submit('bystander');
      const otherStart = await view('bystander', other.body.jobId);

      // Assess: the flood beyond the limit was accepted and waits, visible as QUEUED.
      expect(flood.map((f) => f.status)).toEqual(Array(FLOOD).fill(202));
      expect(flood.map((f) => f.body.status)).toEqual([
        ...Array(LIMIT).fill('REQUESTED'),
        ...Array(FLOOD - LIMIT).fill('QUEUED'),
      ]);
      expect(queuedNow.status).toBe('QUEUED');
      expect(listed.status).toBe(200);
      expect(listed.body.jobs.map((j) => j.jobId)).toContain(flood[FLOOD - 1]?.body.jobId);
      // The other user's job is not behind the flood: it started (JobRequested published) when submitted.
      expect(other.status).toBe(202);
      expect(other.body.status).toBe('REQUESTED');
      expect(otherStart.startedAt).toBe(otherStart.createdAt);

      // Every job completes; the queued ones started after one of the first ones ended, oldest first.
      const ended = await Promise.all(flood.map((f) => finished('flooder', f.body.jobId)));
      const otherEnded = await finished('bystander', other.body.jobId);
      if (ended.some((j) => j.status !== 'COMPLETED') || otherEnded.status !== 'COMPLETED')
        throw new Error(`not all completed: ${JSON.stringify([...ended, otherEnded])}`);
      const startedAt = ended.map((j) => Date.parse(String(j.startedAt)));
      const firstEnd = Math.min(...ended.slice(0, LIMIT).map((j) => Date.parse(String(j.completedAt))));
      for (let i = LIMIT; i < FLOOD; i++) {
        expect(startedAt[i]).toBeGreaterThanOrEqual(firstEnd);
        expect(startedAt[i]).toBeGreaterThan(Number(startedAt[i - 1]));
      }

      // Every slot was given back once: nothing runs and nothing waits at rest.
      await cloudAtRest(cloud, { what: 'the flooded jobs and their outcomes' });
      const { Item } = await DynamoDBDocumentClient.from(cloud.clients.dynamodb).send(
        new GetCommand({
          TableName: `reelay-api-${cloud.stage}`,
          Key: { pk: userPk('flooder'), sk: ADMISSION_SK },
          ConsistentRead: true,
        }),
      );
      expect({ running: Item?.running, queued: Item?.queued }).toEqual({ running: 0, queued: 0 });
    }, 420_000);
  });
