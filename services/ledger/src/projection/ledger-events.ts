import { jobFailed, jobRequested, scenePlanned, sceneReady, videoComposed } from '@reelay/events';

/** The ledger records every event of a job. */
export const LEDGER_EVENTS = [jobRequested, scenePlanned, sceneReady, videoComposed, jobFailed] as const;
export type LedgerEvents = (typeof LEDGER_EVENTS)[number];
