import type { JobStatus } from './keys';

export interface SceneRecord {
  sceneIndex: number;
  kind: string;
  status: 'planned' | 'ready';
  prompt?: string;
  durationSec?: number;
  /** Every prediction charged for this scene, failed and retried ones included. */
  costUsd?: number;
  /** Predictions charged for this scene. */
  predictions?: number;
  /** The highest attempt seen (ScenePlanned, SceneReady or a charged prediction). */
  attempts?: number;
  key?: string;
  provider?: string;
}
export interface TimelineEntry {
  detailType: string;
  sceneIndex?: number;
  /** JobFailed only: the failing stage. */
  stage?: string;
  occurredAt: string;
  recordedAt: string;
  source: string;
}
export interface UsageEntry {
  predictionId: string;
  sceneIndex?: number;
  attempt: number;
  status: string;
  costUsd: number;
  chargedAt: string;
}
/** A dead message as the ledger keeps it (DEAD# item); the job record shows it without its body. */
export interface DeadMessageRecord {
  deadLetterQueue: string;
  redriveTo: string;
  body: string;
  stage: string;
  deadAt: string;
  error?: string;
  truncated?: boolean;
  redrivenAt?: string;
  redrives?: number;
}
export interface JobFailure {
  stage: string;
  code: string;
  reason: string;
  retryable: boolean;
  sceneIndex?: number;
  attempts?: number;
}
/** Seconds between the stages of a job, from the events' own times (so replays do not change them). */
export interface StageDurations {
  queuedToPlannedSec?: number;
  plannedToRenderedSec?: number;
  renderedToComposedSec?: number;
  totalSec?: number;
}
export interface JobRecord {
  jobId: string;
  userId: string;
  status: JobStatus;
  createdAt?: string;
  updatedAt?: string;
  deadlineAt?: string;
  completedAt?: string;
  failedAt?: string;
  spec?: Record<string, unknown>;
  parentJobId?: string;
  sceneCount?: number;
  costUsd: number;
  output?: {
    key: string;
    thumbnailKey: string;
    captionsKey?: string;
    durationSec: number;
    width: number;
    height: number;
    bytes: number;
    sha256: string;
    composeMs: number;
  };
  failure?: JobFailure;
  /** A retryable failure (a dead letter) the job recovered from after a redrive. */
  recoveredFailure?: JobFailure;
  scenes: SceneRecord[];
  timeline: TimelineEntry[];
  durations: StageDurations;
  usage: UsageEntry[];
  /** Where and when the job's messages died; bodies stay in the table (internal payloads, for redrive). */
  deadMessages: Omit<DeadMessageRecord, 'body'>[];
  /** Each destination the video was published to, or failed to be (VideoPublished / PublishFailed). */
  publications?: PublicationRecord[];
}

export interface PublicationRecord {
  destination: Record<string, unknown>;
  status: 'PUBLISHED' | 'FAILED';
  url?: string;
  videoId?: string;
  publishedAt?: string;
  reason?: string;
  message?: string;
  failedAt?: string;
}
