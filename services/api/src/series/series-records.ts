import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SeriesItem } from './series-spec';

/**
 * A series in ApiTable (layout in src/table/api-table.ts):
 * - `USER#<userId>` / `SERIES#<seriesId>`   the series: template, schedule, quota, its claim cursor
 * - `SERIES#<seriesId>` / `ITEM#<nnnnnn>`   one item and the episode made of it (job, status)
 * - `SERIES#<seriesId>` / `DAY#<yyyy-mm-dd>` how many episodes the series started that day (its zone)
 * The series record sits in its owner's partition: every route reads it there first, so another
 * user's id finds nothing; items and days are read only after that.
 */
export const seriesSk = (seriesId: string) => `SERIES#${seriesId}`;
export const SERIES_PREFIX = 'SERIES#';
export const seriesPk = (seriesId: string) => `SERIES#${seriesId}`;
export const itemSk = (itemId: string) => `ITEM#${itemId}`;
export const ITEM_PREFIX = 'ITEM#';
export const daySk = (day: string) => `DAY#${day}`;
/** Items are numbered in the order they were added; zero-padded so they sort. */
export const itemIdOf = (index: number) => String(index).padStart(6, '0');

export interface SeriesRecord {
  seriesId: string;
  userId: string;
  name: string;
  /** The job spec with placeholders, `publish` holding the destinations. */
  template: Record<string, unknown>;
  schedule: { expression: string; timeZone: string };
  dailyQuota: number;
  callbackUrl?: string;
  state: 'active' | 'paused';
  /** The Scheduler schedule's name (one per series). */
  scheduleName: string;
  /** How many items the series holds, and the index of the next one to claim. */
  itemCount: number;
  cursor: number;
  /** The item whose episode is being made: episodes are made one after another. */
  inFlight?: string;
  /** Stopped for the rest of this day (its zone), and why (a destination's quota is spent). */
  stoppedDay?: string;
  stoppedReason?: string;
  /** The last scheduled time a run was counted from (SeriesRunDue.scheduledTime). */
  lastRunAt?: string;
  createdAt: string;
  requestHash?: string;
}

export type EpisodeStatus = 'PENDING' | 'STARTING' | 'RUNNING' | 'COMPLETED' | 'FAILED';

export interface SeriesItemRecord {
  seriesId: string;
  itemId: string;
  source: SeriesItem;
  status: EpisodeStatus;
  /** The day (the series' zone) the episode was counted in. */
  day?: string;
  jobId?: string;
  failure?: string;
  /** Where the episode was published (the publishing events fill it). */
  published?: Array<{ destination: string; url?: string; failure?: string; at: string }>;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
}

export interface SeriesDeps {
  doc: DynamoDBDocumentClient;
  table: string;
}
