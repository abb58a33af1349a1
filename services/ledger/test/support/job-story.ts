import {
  type DecodedEvent,
  type EventMeta,
  makeJobFailed,
  makeJobRequested,
  makeScenePlanned,
  makeSceneReady,
  makeVideoComposed,
} from '@reelay/events';
import { ulid } from 'ulid';
import type { LedgerEvents } from '../../src/projection/ledger-events';
import { decoded } from './ledger-events';

const BASE = Date.parse('2026-11-23T10:00:00.000Z');
export const at = (seconds: number) => new Date(BASE + seconds * 1000).toISOString();

export interface JobStory {
  jobId: string;
  userId: string;
  meta: (seconds: number) => EventMeta;
  requested: DecodedEvent<LedgerEvents>;
  planned: DecodedEvent<LedgerEvents>[];
  ready: DecodedEvent<LedgerEvents>[];
  composed: DecodedEvent<LedgerEvents>;
}

/**
 * A two-scene job's events: scene 0 took two predictions (the first failed), scene 1 one.
 * Requested at 0 s, planned at 2 s, scenes ready at 30 s and 40 s, composed at 50 s.
 */
export function twoSceneJob(userId = 'user-ledger'): JobStory {
  const jobId = ulid();
  const correlationId = ulid();
  const meta = (seconds: number): EventMeta => ({ userId, correlationId, occurredAt: at(seconds) });
  const planned = [0, 1].map((sceneIndex) =>
    decoded(
      'ScenePlanned',
      makeScenePlanned({ jobId, meta: meta(2), sceneIndex, sceneCount: 2, durationSec: 1 }),
    ),
  );
  const ready = [
    makeSceneReady({
      jobId,
      meta: meta(30),
      sceneIndex: 0,
      sceneCount: 2,
      durationSec: 1,
      attempt: 1,
      predictionId: `${jobId}-p0b`,
      costUsd: 0.3,
      predictions: [
        { predictionId: `${jobId}-p0a`, attempt: 1, status: 'failed', costUsd: 0.1 },
        { predictionId: `${jobId}-p0b`, attempt: 2, status: 'succeeded', costUsd: 0.2 },
      ],
    }),
    makeSceneReady({
      jobId,
      meta: meta(40),
      sceneIndex: 1,
      sceneCount: 2,
      durationSec: 1,
      predictionId: `${jobId}-p1a`,
      costUsd: 0.25,
      predictions: [{ predictionId: `${jobId}-p1a`, attempt: 1, status: 'succeeded', costUsd: 0.25 }],
    }),
  ].map((detail) => decoded('SceneReady', detail));
  return {
    jobId,
    userId,
    meta,
    requested: decoded('JobRequested', makeJobRequested({ jobId, meta: meta(0), deadlineAt: at(1800) })),
    planned,
    ready,
    composed: decoded(
      'VideoComposed',
      makeVideoComposed({ jobId, meta: meta(50), sceneCount: 2, durationSec: 1.5 }),
    ),
  };
}

export function deadLetterFailure(
  story: JobStory,
  seconds: number,
  overrides: Parameters<typeof makeJobFailed>[0] = {},
) {
  return decoded(
    'JobFailed',
    makeJobFailed({
      jobId: story.jobId,
      meta: story.meta(seconds),
      stage: 'prepare',
      code: 'DEAD_LETTER',
      reason: 'a message for reelay-test-composer-prepare failed 4 time(s) and was dead-lettered',
      retryable: true,
      attempts: 4,
      sceneIndex: 1,
      deadMessage: JSON.stringify({
        deadLetterQueue: 'reelay-test-composer-prepare-dlq',
        redriveTo: 'reelay-test-composer-prepare',
        body: JSON.stringify({ 'detail-type': 'SceneReady', detail: story.ready[1]?.detail }),
      }),
      ...overrides,
    }),
  );
}
