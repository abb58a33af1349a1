import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Replicate from 'replicate';
import { type LocalModelServer, startLocalModelServer } from '../src/index';

/**
 * The router's edges that no model render reaches: a malformed body, unknown paths,
 * the files API's delete, the account and the webhook secret. Each is answered as Replicate answers.
 */
const TOKEN = 'r8_local_routes_token';
const SECRET = `whsec_${Buffer.from('a-routes-signing-secret-32-bytes').toString('base64')}`;

let workDir: string;
let server: LocalModelServer;
let replicate: Replicate;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'reelay-model-routes-'));
  server = await startLocalModelServer({
    apiToken: TOKEN,
    webhookSigningSecret: SECRET,
    workDir,
    ffmpegPath: '/usr/bin/ffmpeg',
  });
  replicate = new Replicate({ auth: TOKEN, baseUrl: `${server.url}/v1` });
});

afterAll(async () => {
  await server.close();
  await rm(workDir, { recursive: true, force: true });
});

const call = (path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, ...init.headers } });

describe('the model server routes', () => {
  it('refuses a create whose body is not JSON with 400 problem+json', async () => {
    // Act
    const malformed = await call('/v1/predictions', { method: 'POST', body: '{"version":' });

    // Assess
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ title: 'Bad request', status: 400 });
  });

  it('answers 404 problem+json for an unknown path under /v1, outside it, and a method a route does not take', async () => {
    // Act
    const answers = await Promise.all([
      call('/v1/unknown'),
      call('/elsewhere'),
      call('/v1/predictions/abc123', { method: 'DELETE' }),
      call('/v1/models', { method: 'POST' }),
    ]);

    // Assess
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 404]);
    for (const answer of answers)
      expect(await answer.json()).toMatchObject({ title: 'Not found', status: 404 });
  });

  it('deletes an uploaded file: it is then a 404, and a second delete is too', async () => {
    // Prepare
    const file = await replicate.files.create(Buffer.from('hello'), { purpose: 'test' });

    // Act
    const deleted = await call(`/v1/files/${file.id}`, { method: 'DELETE' });
    const after = await call(`/v1/files/${file.id}`);
    const again = await call(`/v1/files/${file.id}`, { method: 'DELETE' });

    // Assess
    expect(deleted.status).toBe(204);
    expect(after.status).toBe(404);
    expect(again.status).toBe(404);
  });

  it('downloads an uploaded file byte for byte', async () => {
    // Prepare
    const file = await replicate.files.create(Buffer.from('the bytes'), { purpose: 'test' });

    // Act
    const download = await call(`/v1/files/${file.id}/download`);

    // Assess
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).toString()).toBe('the bytes');
  });

  it('answers the account and the default webhook secret the server signs with', async () => {
    // Act
    const account = await replicate.accounts.current();
    const secret = await replicate.webhooks.default.secret.get();

    // Assess
    expect(account).toMatchObject({ type: 'organization', username: 'reelay-local' });
    expect(secret).toEqual({ key: SECRET });
  });
});
