import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { jobPk, sceneSk } from '@reelay/job-records';
import type { TableDeps } from './job-item';

/**
 * Sets a scene's fields; `ifAbsent` fields only fill what no event has set yet (a plan never
 * overwrites what the ready scene reported), so any arrival order gives the same scene.
 */
export async function updateScene(
  deps: TableDeps,
  jobId: string,
  sceneIndex: number,
  fields: Record<string, unknown>,
  ifAbsent: Record<string, unknown> = {},
): Promise<void> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':sceneIndex': sceneIndex };
  const sets = ['sceneIndex = :sceneIndex'];
  for (const [k, v] of Object.entries(fields)) {
    names[`#${k}`] = k;
    values[`:${k}`] = v;
    sets.push(`#${k} = :${k}`);
  }
  for (const [k, v] of Object.entries(ifAbsent)) {
    names[`#${k}`] = k;
    values[`:${k}`] = v;
    sets.push(`#${k} = if_not_exists(#${k}, :${k})`);
  }
  await deps.doc.send(
    new UpdateCommand({
      TableName: deps.table,
      Key: { pk: jobPk(jobId), sk: sceneSk(sceneIndex) },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
    }),
  );
}

/** attempts = the highest attempt seen for the scene. */
export async function raiseSceneAttempts(
  deps: TableDeps,
  jobId: string,
  sceneIndex: number,
  attempt: number,
): Promise<void> {
  try {
    await deps.doc.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: { pk: jobPk(jobId), sk: sceneSk(sceneIndex) },
        UpdateExpression: 'SET attempts = :attempt, sceneIndex = :sceneIndex',
        ConditionExpression: 'attribute_not_exists(attempts) OR attempts < :attempt',
        ExpressionAttributeValues: { ':attempt': attempt, ':sceneIndex': sceneIndex },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
