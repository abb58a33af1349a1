import {
  jobFailed,
  jobRequested,
  publishFailed,
  scenePlanned,
  sceneReady,
  videoComposed,
  videoPublished,
} from '@reelay/events';

/** The ledger records every event of a job. */
export const LEDGER_EVENTS = [
  jobRequested,
  scenePlanned,
  sceneReady,
  videoComposed,
  jobFailed,
  // Publishing (the api's publisher): on the timeline, and each destination's outcome on the record.
  videoPublished,
  publishFailed,
] as const;
export type LedgerEvents = (typeof LEDGER_EVENTS)[number];
