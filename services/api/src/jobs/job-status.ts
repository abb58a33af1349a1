import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { JOB_SK, JOB_STATUSES, type JobStatus, jobPk } from '@reelay/job-records';

/**
 * A job's status as the api shows it: the ledger's, and before that QUEUED (waiting for one of the
 * user's slots: the ledger hears of a job only when it starts) or REQUESTED.
 */
export const API_JOB_STATUSES = ['QUEUED', ...JOB_STATUSES] as const;
export type ApiJobStatus = (typeof API_JOB_STATUSES)[number];

/** The ledger's status of many jobs at once (one BatchGet of their JOB items), REQUESTED until projected. */
export async function ledgerStatuses(
  doc: DynamoDBDocumentClient,
  jobsTable: string,
  jobIds: string[],
): Promise<Map<string, JobStatus>> {
  const statuses = new Map<string, JobStatus>();
  for (let i = 0; i < jobIds.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = jobIds
      .slice(i, i + 100)
      .map((id) => ({ pk: jobPk(id), sk: JOB_SK }));
    for (let round = 0; keys && keys.length > 0 && round < 5; round++) {
      const res = await doc.send(
        new BatchGetCommand({
          RequestItems: {
            [jobsTable]: {
              Keys: keys,
              ProjectionExpression: 'pk, #s',
              ExpressionAttributeNames: { '#s': 'status' },
            },
          },
        }),
      );
      for (const item of res.Responses?.[jobsTable] ?? []) {
        statuses.set(String(item.pk).slice('JOB#'.length), item.status as JobStatus);
      }
      keys = res.UnprocessedKeys?.[jobsTable]?.Keys as Record<string, unknown>[] | undefined;
    }
  }
  return statuses;
}
