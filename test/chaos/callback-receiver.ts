import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/** One POST the receiver got: the Standard Webhooks id and the payload's event and job. */
export interface ReceivedCallback {
  webhookId: string;
  type: string;
  jobId: string;
}

const callbackPayload = z.object({ type: z.string(), data: z.object({ jobId: z.string() }) });

export interface CallbackReceiver {
  url: string;
  received: ReceivedCallback[];
  close(): Promise<void>;
}

/**
 * A loopback receiver for the api's job callbacks (the cloud runs with the test-only
 * CALLBACK_TEST_ALLOW_LOOPBACK_HTTP). It answers 204 to everything and keeps what it got; the api
 * signs every POST, which the api's own tests check, so this one only counts.
 */
export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const parsed = callbackPayload.safeParse(safeJson(Buffer.concat(chunks).toString('utf8')));
      received.push({
        webhookId: String(req.headers['webhook-id'] ?? ''),
        type: parsed.success ? parsed.data.type : 'unparseable',
        jobId: parsed.success ? parsed.data.data.jobId : '',
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/soak-callbacks`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
