import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local twin of SSM Parameter Store's GetParameter (the AWS JSON 1.1 protocol the SDK speaks),
 * for tests of code that reads secrets with a real SDK client. As strict as SSM where our code
 * could go wrong: a request without a SigV4 Authorization header or with another target is refused,
 * an unknown name is ParameterNotFound, and a SecureString read without WithDecryption returns its
 * ciphertext, not the secret.
 */
export interface SsmTwin {
  endpoint: string;
  /** Every GetParameter request, in order: the name and whether decryption was asked. */
  requests: Array<{ name: string; withDecryption: boolean }>;
  putSecureString(name: string, value: string): void;
  close(): Promise<void>;
}

export async function startSsmTwin(): Promise<SsmTwin> {
  const parameters = new Map<string, { value: string; version: number }>();
  const requests: SsmTwin['requests'] = [];
  const server = createServer((req, res) => {
    void answer(req, res);
  });
  async function answer(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 '))
      return fail(res, 400, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    if (req.headers['x-amz-target'] !== 'AmazonSSM.GetParameter')
      return fail(
        res,
        400,
        'UnknownOperationException',
        `${String(req.headers['x-amz-target'])} is not served`,
      );
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
      Name?: string;
      WithDecryption?: boolean;
    };
    if (!input.Name) return fail(res, 400, 'ValidationException', 'Name is required');
    requests.push({ name: input.Name, withDecryption: input.WithDecryption === true });
    const parameter = parameters.get(input.Name);
    if (!parameter) return fail(res, 400, 'ParameterNotFound', `Parameter ${input.Name} not found.`);
    const value = input.WithDecryption ? parameter.value : `AQICAH${randomBytes(48).toString('base64')}`; // what SSM returns: the ciphertext
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(
      JSON.stringify({
        Parameter: {
          Name: input.Name,
          Type: 'SecureString',
          Value: value,
          Version: parameter.version,
          ARN: `arn:aws:ssm:us-east-1:000000000000:parameter${input.Name}`,
        },
      }),
    );
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    putSecureString: (name, value) =>
      parameters.set(name, { value, version: (parameters.get(name)?.version ?? 0) + 1 }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function fail(res: ServerResponse, status: number, type: string, message: string) {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ __type: type, message }));
}

/**
 * Starts the twin and points the SDK at it the way the SDK reads it itself (AWS_ENDPOINT_URL_SSM,
 * with a region and test credentials to sign with), for a test file's beforeAll.
 */
export async function startSsmTwinForSdk(): Promise<SsmTwin> {
  const twin = await startSsmTwin();
  process.env.AWS_ENDPOINT_URL_SSM = twin.endpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  return twin;
}
