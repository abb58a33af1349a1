import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readJobRecord } from '@reelay/job-records';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { json, problem } from '../http/problem';

export interface GetJobDeps {
  doc: DynamoDBDocumentClient;
  jobsTable: string;
}

const JOB_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** GET /jobs/{jobId}: the job's record; another user's job is indistinguishable from a missing one. */
export async function getJob(
  userId: string,
  jobId: string | undefined,
  deps: GetJobDeps,
): Promise<APIGatewayProxyResultV2> {
  if (!jobId || !JOB_ID.test(jobId)) {
    return problem({ status: 400, title: 'Invalid job id', detail: 'a job id is a 26-character ULID' });
  }
  const record = await readJobRecord(deps.doc, deps.jobsTable, jobId);
  if (!record || record.userId !== userId) {
    return problem({ status: 404, title: 'Job not found', detail: `no job ${jobId} for this user` });
  }
  return json(200, record);
}
