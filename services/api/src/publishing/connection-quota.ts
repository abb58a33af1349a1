import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { userPk } from '../table/api-table';
import type { ClaimDeps } from './publication-claims';

/**
 * YouTube's daily quota resets at midnight Pacific Time (developers.google.com/youtube/v3/getting-started#quota).
 * Once one upload through a connection hits quotaExceeded, the connection is marked spent for that
 * Pacific day (`USER#<userId>` / `YOUTUBE-QUOTA#<connection>#<day>`, expiring two days later), and later
 * uploads through it fail fast with PublishFailed 'quota-exceeded' without calling YouTube (each call
 * would cost quota the channel no longer has and be refused anyway).
 */
export function youtubeQuotaDay(now: Date): string {
  // en-CA formats as yyyy-mm-dd.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'America/Los_Angeles',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

const quotaSk = (connection: string, day: string) => `YOUTUBE-QUOTA#${connection}#${day}`;

export async function isConnectionSpent(
  userId: string,
  connection: string,
  now: Date,
  deps: ClaimDeps,
): Promise<boolean> {
  const { Item } = await deps.doc.send(
    new GetCommand({
      TableName: deps.table,
      Key: { pk: userPk(userId), sk: quotaSk(connection, youtubeQuotaDay(now)) },
      ConsistentRead: true,
    }),
  );
  return Boolean(Item);
}

export async function markConnectionSpent(
  userId: string,
  connection: string,
  now: Date,
  deps: ClaimDeps,
): Promise<void> {
  await deps.doc.send(
    new PutCommand({
      TableName: deps.table,
      Item: {
        pk: userPk(userId),
        sk: quotaSk(connection, youtubeQuotaDay(now)),
        spentAt: now.toISOString(),
        // The table's TTL attribute (epoch seconds).
        expiresAt: Math.floor(now.getTime() / 1000) + 2 * 86_400,
      },
    }),
  );
}
