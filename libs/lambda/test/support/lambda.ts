import type { Context, SQSRecord } from 'aws-lambda';

/** A Lambda context as the runtime passes it (what injectLambdaContext reads). */
export const lambdaContext = (awsRequestId: string): Context =>
  ({
    awsRequestId,
    functionName: 'reelay-test-fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:reelay-test-fn',
    memoryLimitInMB: '128',
    getRemainingTimeInMillis: () => 10_000,
  }) as Context;

/** An SQS record as Lambda delivers it from a queue. */
export const sqsRecord = (
  messageId: string,
  body: string,
  queue = 'reelay-t-q',
  receiveCount = 1,
): SQSRecord => ({
  messageId,
  receiptHandle: messageId,
  body,
  attributes: {
    ApproximateReceiveCount: String(receiveCount),
    SentTimestamp: '0',
    SenderId: 'local',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
  awsRegion: 'us-east-1',
});

/** An EventBridge event as an SQS message body. */
export const eventBody = (detailType: string, source: string, detail: unknown): string =>
  JSON.stringify({
    version: '0',
    id: `e-${Math.random().toString(36).slice(2)}`,
    'detail-type': detailType,
    source,
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail,
  });

/** The JSON log lines (and any other stdout/stderr text) written while `act` ran. */
export async function logLines(act: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await act();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => (line.startsWith('{') ? JSON.parse(line) : { text: line }));
}
