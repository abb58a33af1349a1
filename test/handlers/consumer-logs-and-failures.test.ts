/**
 * On the embedded cloud: the consumers of all four services log with the Lambda context and the
 * job's keys, and an event that fails validation but names its job ends that job at once (JobFailed
 * on the first delivery: no retry, nothing dead-lettered).
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { makeScenePlanned } from '@reelay/events';
import { ulid } from 'ulid';
import { runJob } from '../../local/cli/run-job';
import { type EmbeddedCloud, startEmbeddedCloud } from '../../local/cloud/src/embedded-cloud';

const STAGE = 'handlers';
const SERVICES = ['api', 'composer', 'generator', 'ledger'] as const;
/** One event consumer of each service (their HTTP functions and tasks are not consumers). */
const CONSUMERS = { api: 'notify', composer: 'prepare', generator: 'plan', ledger: 'project' } as const;

interface LogLine {
  fn: string;
  json: Record<string, unknown>;
}

/** Every JSON log line of the functions, and waiters woken by the line they wait for. */
function logBook() {
  const lines: LogLine[] = [];
  const waiters: Array<{ match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];
  return {
    lines,
    onLog(fn: string, text: string) {
      if (!text.startsWith('{')) return;
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(text);
      } catch {
        return;
      }
      const line = { fn, json };
      lines.push(line);
      for (const waiter of [...waiters])
        if (waiter.match(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
    },
    /** The first line, seen (from line `from` on) or still to come, that matches. */
    waitFor(match: (l: LogLine) => boolean, from = 0): Promise<LogLine> {
      const seen = lines.slice(from).find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}

const serviceOf = (fn: string) => SERVICES.find((s) => fn.startsWith(`reelay-${s}-`));

describe('handlers on the embedded cloud', () => {
  let cloud: EmbeddedCloud;
  const logs = logBook();

  beforeAll(async () => {
    cloud = await startEmbeddedCloud({ stage: STAGE, onLog: (fn, line) => logs.onLog(fn, line) });
  }, 180_000);

  afterAll(async () => {
    await cloud?.close();
  });

  test('a consumer of each service logs the request id, cold start, jobId and correlationId', async () => {
    // Act
    const result = await runJob(
      cloud,
      { prompt: 'a paper boat on a pond', scenes: 1, secondsPerScene: 2, resolution: '480p' },
      { userId: 'handlers-user' },
    );

    // Assess
    expect(result.record.status).toBe('COMPLETED');
    const { jobId } = result.record;
    // The job's correlation id, as its first event (JobRequested) carried it to the planner.
    const planned = logs.lines.find((l) => l.json.message === 'job planned');
    expect(planned?.json.jobId).toBe(jobId);
    const correlationId = planned?.json.correlationId;
    expect(correlationId).toEqual(expect.any(String));
    for (const service of SERVICES) {
      const line = logs.lines.find(
        (l) =>
          serviceOf(l.fn) === service &&
          l.fn.endsWith(`-${CONSUMERS[service]}`) &&
          l.json.jobId === jobId &&
          l.json.level === 'INFO',
      );
      expect({ consumer: line?.fn, ...line?.json }).toMatchObject({
        consumer: expect.stringMatching(new RegExp(`^reelay-${service}-.*-${CONSUMERS[service]}$`)),
        service,
        function_request_id: expect.any(String),
        cold_start: expect.any(Boolean),
        jobId,
        correlationId,
      });
    }
  }, 300_000);

  test('a ScenePlanned that fails validation but names its job fails the job on its first delivery', async () => {
    // Prepare: a scene that claims a negative length
    const scene = { ...makeScenePlanned({ jobId: ulid(), sceneCount: 2 }), durationSec: -3 };

    // Act
    const before = logs.lines.length;
    const put = await cloud.clients.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: cloud.names.bus,
            Source: 'reelay.generator',
            DetailType: 'ScenePlanned',
            Detail: JSON.stringify(scene),
          },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);

    // Assess: the generator's render consumer failed the job for good, and the JobFailed it
    // published reached the api (which handles every terminal event)
    // (the only record that fails on this cloud: matched without its jobId, so a line missing the
    // jobId fails the check below instead of never being found)
    const failed = await logs.waitFor(
      (l) => l.fn.includes('-generator-') && /^record failed/.test(String(l.json.message)),
      before,
    );
    expect(failed.json).toMatchObject({
      jobId: scene.jobId,
      message: 'record failed for good; job failed',
      receiveCount: 1,
      code: 'INVALID_EVENT',
      stage: 'render',
    });
    await logs.waitFor(
      (l) =>
        l.fn.includes('-api-') &&
        l.json.jobId === scene.jobId &&
        l.json.message === 'terminal event handled' &&
        l.json.detailType === 'JobFailed',
    );
    const aboutTheJob = logs.lines.filter((l) => l.json.jobId === scene.jobId);
    expect(aboutTheJob.filter((l) => l.json.message === 'record failed; it will be retried')).toEqual([]);
    expect(aboutTheJob.filter((l) => l.fn.endsWith('-deadLetters'))).toEqual([]);
  }, 120_000);
});
