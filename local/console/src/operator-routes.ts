import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulidSchema } from '@reelay/events';
import { jobPk } from '@reelay/job-records';
import { z } from 'zod';
import type { EmbeddedCloud } from '../../cloud/src/embedded-cloud';
import { startArchiveReplay } from '../../ops/src/archive-replay';
import { redriveJobDeadMessages } from '../../ops/src/redrive-job';
import { redriveQueue } from '../../ops/src/redrive-queue';

const replayRequestSchema = z.strictObject({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  rules: z.array(z.string().min(1)).optional(),
});
const queueNameSchema = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/);

/**
 * Local-only operator routes over the embedded cloud: queue and DLQ depths, a dead message's body,
 * redrive of a DLQ and replay of an archive window (the same functions as `npm run redrive|replay`).
 * The ledger drains every DLQ into the job it belongs to, so a job's dead messages (with their bodies)
 * are read from the jobs table and redriven with `npm run redrive -- --job`'s function.
 */
export function operatorRoutes(cloud: EmbeddedCloud) {
  const doc = DynamoDBDocumentClient.from(cloud.clients.dynamodb);
  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/ops/queues') {
      const queues = cloud.emulator.sqs.listQueueDepths();
      const dlqArns = new Set(queues.map((q) => q.deadLetterTargetArn).filter(Boolean));
      return send(res, 200, {
        queues: queues
          .map((q) => ({ ...q, isDeadLetterQueue: dlqArns.has(q.arn) || /dlq/i.test(q.name) }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      });
    }
    const [, , , rawName, action] = path.split('/');
    if (rawName && path.startsWith('/ops/queues/') && (action === 'messages' || action === 'redrive')) {
      const name = queueNameSchema.safeParse(decodeURIComponent(rawName));
      if (!name.success) return send(res, 400, { detail: 'not a queue name' });
      if (!cloud.emulator.sqs.findQueue(name.data))
        return send(res, 404, { detail: `no queue ${name.data}` });
      if (method === 'GET' && action === 'messages')
        return send(res, 200, { messages: cloud.emulator.sqs.peekMessages(name.data, 20) });
      if (method === 'POST' && action === 'redrive')
        return send(res, 200, await redriveQueue(cloud.clients.sqs, name.data));
    }
    if (rawName && path.startsWith('/ops/jobs/') && (action === 'dead' || action === 'redrive')) {
      const jobId = ulidSchema.safeParse(rawName);
      if (!jobId.success) return send(res, 400, { detail: 'not a job id' });
      if (method === 'GET' && action === 'dead') {
        const { Items = [] } = await doc.send(
          new QueryCommand({
            TableName: cloud.names.jobsTable,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :dead)',
            ExpressionAttributeValues: { ':pk': jobPk(jobId.data), ':dead': 'DEAD#' },
            ConsistentRead: true,
          }),
        );
        return send(res, 200, {
          deadMessages: Items.map(({ pk: _pk, sk: _sk, ...dead }) => dead),
        });
      }
      if (method === 'POST' && action === 'redrive')
        return send(
          res,
          200,
          await redriveJobDeadMessages(jobId.data, {
            doc,
            sqs: cloud.clients.sqs,
            table: cloud.names.jobsTable,
          }),
        );
    }
    if (method === 'POST' && path === '/ops/replay') {
      const body = replayRequestSchema.safeParse(await readJson(req));
      if (!body.success) return send(res, 400, { detail: body.error.issues[0]?.message ?? 'invalid' });
      try {
        const result = await startArchiveReplay(
          cloud.clients.events,
          {
            bus: cloud.names.bus,
            archive: `${cloud.names.bus}-archive`,
            from: new Date(body.data.from),
            to: new Date(body.data.to),
            rules: body.data.rules ?? [],
            inAws: false,
          },
          30_000,
        );
        return send(res, 200, result);
      } catch (error) {
        return send(res, 422, { detail: (error as Error).message });
      }
    }
    send(res, 404, { detail: 'no such operator route' });
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    return undefined;
  }
}
