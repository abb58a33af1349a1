/**
 * The soak's checks must be able to fail: each broken invariant, planted in an otherwise healthy
 * snapshot, is reported by its check (and only the healthy snapshot passes them all).
 */
import type { JobRecord } from '@reelay/job-records';
import type { ChaosReport } from '../../local/cloud/src/chaos/chaos-injector';
import { checkInvariants, type SoakJob, type SoakLongJobSeen } from './soak-checks';
import type { SoakSnapshot } from './soak-state';

const JOB = '01J00000000000000000000000';
const USER = 'soak-user-0';

interface SoakState {
  jobs: SoakJob[];
  snapshot: SoakSnapshot;
  chaos: ChaosReport;
  restart: { jobsInFlight: number; messagesCarried: number } | undefined;
  functionTmp: { entries: string[]; crashes: number };
  longJob: SoakLongJobSeen | undefined;
}

/** The healthy snapshot's one job doubles as the long job: two pages, each with its narration. */
const LONG_PAGES = 2;

function healthy(): SoakState {
  const record: JobRecord = {
    jobId: JOB,
    userId: USER,
    status: 'COMPLETED',
    createdAt: '2026-11-23T10:00:00.000Z',
    completedAt: '2026-11-23T10:05:00.000Z',
    deadlineAt: '2026-11-23T10:30:00.000Z',
    costUsd: 0.3,
    output: {
      key: `jobs/${JOB}/final.mp4`,
      thumbnailKey: `jobs/${JOB}/thumbnail.jpg`,
      durationSec: 3,
      width: 854,
      height: 480,
      bytes: 1000,
      sha256: 'a',
      composeMs: 10,
    },
    recoveredFailure: { stage: 'plan', code: 'DEAD_LETTER', reason: 'poison', retryable: true },
    scenes: [
      { sceneIndex: 0, kind: 'image', status: 'ready' },
      { sceneIndex: 1, kind: 'image', status: 'ready' },
      { sceneIndex: 2, kind: 'narration', status: 'ready' },
      { sceneIndex: 3, kind: 'narration', status: 'ready' },
    ],
    timeline: [{ detailType: 'VideoComposed', occurredAt: '', recordedAt: '', source: 'reelay.composer' }],
    durations: {},
    usage: [
      { predictionId: 'p1', sceneIndex: 0, attempt: 1, status: 'succeeded', costUsd: 0.1, chargedAt: '' },
      { predictionId: 'p2', sceneIndex: 1, attempt: 1, status: 'succeeded', costUsd: 0.1, chargedAt: '' },
      { predictionId: 'plan', attempt: 1, status: 'succeeded', costUsd: 0.1, chargedAt: '' },
    ],
    deadMessages: [],
  };
  return {
    jobs: [{ index: 0, jobId: JOB, userId: USER, recipe: 'prompt', poisoned: true }],
    snapshot: {
      records: new Map([[JOB, record]]),
      objects: [{ key: `jobs/${JOB}/final.mp4`, etag: 'e', size: 1000 }],
      usage: [{ userId: USER, day: '2026-11-23', costUsd: 0.3, predictions: 3 }],
      predictions: [
        { id: 'p1', jobId: JOB, sceneIndex: 0, attempt: 1, status: 'succeeded' },
        { id: 'p2', jobId: JOB, sceneIndex: 1, attempt: 1, status: 'succeeded' },
      ],
      predictionCount: 3,
      predictionInfo: new Map(),
      unattributedPredictions: new Set(['plan']),
      callbacks: [{ webhookId: `msg_${JOB}_job.completed`, type: 'job.completed', jobId: JOB }],
      archived: {},
      quotas: [
        {
          userId: USER,
          usedByDay: { '2026-11-23': 1 },
          running: 0,
          queued: 0,
          queueEntries: 0,
        },
      ],
      jobUnits: new Map([[JOB, { quotaDay: '2026-11-23', quotaUnits: 1 }]]),
    },
    chaos: {
      faults: [],
      totals: {},
      messages: {
        sent: 1,
        consumed: 1,
        pending: 0,
        deadLettered: 0,
        lost: [],
        eventDeliveriesDropped: 0,
        carriedIn: 3,
      },
    },
    restart: { jobsInFlight: 1, messagesCarried: 3 },
    functionTmp: { entries: ['render-1'], crashes: 1 },
    longJob: {
      jobId: JOB,
      pages: LONG_PAGES,
      video: { pagesOnScreen: [0, 1], frames: [25, 26] },
      inFlightAtRestart: true,
    },
  };
}

function failingChecks(plant: (state: ReturnType<typeof healthy>) => void, replayChanges: string[] = []) {
  const state = healthy();
  plant(state);
  return checkInvariants({
    ...state,
    replayChanges,
    armed: [{ name: 'duplicate', injected: 1 }],
    restart: state.restart,
    functionTmp: state.functionTmp,
    longJob: state.longJob,
  })
    .filter((c) => !c.ok)
    .map((c) => c.name);
}

const record = (state: ReturnType<typeof healthy>) => state.snapshot.records.get(JOB) as JobRecord;

describe('the soak checks', () => {
  it('pass a healthy snapshot', () => {
    expect(failingChecks(() => undefined)).toEqual([]);
  });

  it.each([
    [
      'a job still rendering',
      (s: ReturnType<typeof healthy>) => Object.assign(record(s), { status: 'RENDERING' }),
      'every job terminal',
    ],
    [
      'a second final video',
      (s: ReturnType<typeof healthy>) =>
        s.snapshot.objects.push({ key: `jobs/${JOB}/v2/final.mp4`, etag: 'f', size: 1 }),
      'one final video per completed job',
    ],
    [
      'a second completion on the timeline',
      (s: ReturnType<typeof healthy>) =>
        record(s).timeline.push({ detailType: 'VideoComposed', occurredAt: '', recordedAt: '', source: '' }),
      'one completion record per completed job',
    ],
    [
      'a prediction charged twice',
      (s: ReturnType<typeof healthy>) =>
        record(s).usage.push({
          predictionId: 'p1',
          sceneIndex: 0,
          attempt: 1,
          status: 'succeeded',
          costUsd: 0,
          chargedAt: '',
        }),
      'one charge per prediction',
    ],
    [
      "a user's usage counted twice",
      (s: ReturnType<typeof healthy>) => Object.assign(s.snapshot.usage[0] ?? {}, { predictions: 4 }),
      "each user's daily usage = Σ of their jobs' charges",
    ],
    [
      'no callback',
      (s: ReturnType<typeof healthy>) => s.snapshot.callbacks.pop(),
      'one callback per completed job',
    ],
    [
      'two predictions for one scene attempt',
      (s: ReturnType<typeof healthy>) =>
        s.snapshot.predictions.push({ id: 'p3', jobId: JOB, sceneIndex: 0, attempt: 1, status: 'succeeded' }),
      'predictions ≤ scene attempts',
    ],
    [
      'a lost message',
      (s: ReturnType<typeof healthy>) =>
        s.chaos.messages.lost.push({ queueName: 'q', messageId: 'm', body: '' }),
      'zero messages lost',
    ],
    [
      'a quota unit not refunded (or taken twice)',
      (s: ReturnType<typeof healthy>) =>
        Object.assign(s.snapshot.quotas[0] ?? {}, { usedByDay: { '2026-11-23': 2 } }),
      "each user's quota = units of their completed jobs, no slot held at rest",
    ],
    [
      'a slot still held at rest',
      (s: ReturnType<typeof healthy>) => Object.assign(s.snapshot.quotas[0] ?? {}, { running: 1 }),
      "each user's quota = units of their completed jobs, no slot held at rest",
    ],
    [
      'no restart',
      (s: ReturnType<typeof healthy>) => Object.assign(s, { restart: undefined }),
      'the whole cloud restarted mid-run, with jobs and messages in flight',
    ],
    [
      'a restart with nothing in flight',
      (s: ReturnType<typeof healthy>) =>
        Object.assign(s, { restart: { jobsInFlight: 0, messagesCarried: 0 } }),
      'the whole cloud restarted mid-run, with jobs and messages in flight',
    ],
    [
      'an audit that did not carry the messages queued at the restart',
      (s: ReturnType<typeof healthy>) => Object.assign(s.chaos.messages, { carriedIn: undefined }),
      'the whole cloud restarted mid-run, with jobs and messages in flight',
    ],
    [
      'temp files left by invocations that did not crash',
      (s: ReturnType<typeof healthy>) => s.functionTmp.entries.push('compose-2', 'compose-3'),
      "nothing left in the functions' temp dir but by crashed invocations",
    ],
    [
      'a job failed because the restart ended its prediction',
      (s: ReturnType<typeof healthy>) =>
        Object.assign(record(s), {
          status: 'FAILED',
          failedAt: '2026-11-23T10:05:00.000Z',
          failure: {
            stage: 'render',
            code: 'PREDICTION_FAILED',
            reason: 'scene 4 (x-4-1): PredictionFailed: the local model server shut down',
            retryable: false,
          },
        }),
      'the whole cloud restarted mid-run, with jobs and messages in flight',
    ],
    [
      'a job past its deadline',
      (s: ReturnType<typeof healthy>) =>
        Object.assign(record(s), { completedAt: '2026-11-23T11:00:00.000Z' }),
      'every job ended within its deadline',
    ],
    [
      'the long job failed',
      (s: ReturnType<typeof healthy>) =>
        Object.assign(record(s), {
          status: 'FAILED',
          failedAt: '2026-11-23T10:05:00.000Z',
          output: undefined,
          failure: { stage: 'compose', code: 'COMPOSE_FAILED', reason: 'ffmpeg exited 1', retryable: false },
        }),
      'the long job completed with every page on screen, in order',
    ],
    [
      'a page lost from the long video',
      (s: ReturnType<typeof healthy>) =>
        Object.assign(s.longJob ?? {}, { video: { pagesOnScreen: [1], frames: [51] } }),
      'the long job completed with every page on screen, in order',
    ],
    [
      'the long video with its pages out of order',
      (s: ReturnType<typeof healthy>) =>
        Object.assign(s.longJob ?? {}, { video: { pagesOnScreen: [1, 0], frames: [26, 25] } }),
      'the long job completed with every page on screen, in order',
    ],
    [
      'a page shown twice in the long video',
      (s: ReturnType<typeof healthy>) =>
        Object.assign(s.longJob ?? {}, { video: { pagesOnScreen: [0, 1, 0], frames: [25, 26, 25] } }),
      'the long job completed with every page on screen, in order',
    ],
    [
      "the long job's final video never read",
      (s: ReturnType<typeof healthy>) => Object.assign(s.longJob ?? {}, { video: undefined }),
      'the long job completed with every page on screen, in order',
    ],
    [
      "a narration missing from the long job's ledger",
      (s: ReturnType<typeof healthy>) => record(s).scenes.pop(),
      'the long job completed with every page on screen, in order',
    ],
  ])('report %s', (_what, plant, check) => {
    expect(failingChecks(plant)).toContain(check);
  });

  it('report a replay that changed something', () => {
    expect(failingChecks(() => undefined, ['1 new predictions'])).toEqual([
      'the replay of the whole archive changed nothing',
    ]);
  });
});
