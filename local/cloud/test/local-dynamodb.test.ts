import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbLocalUnavailableError, startLocalDynamoDb } from '../src/local-dynamodb';

/** The pids of Java processes serving DynamoDB Local on this port. */
function javaOnPort(port: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', `^\\S*java .*DynamoDBLocal\\.jar .*-port ${port}$`])
      .toString()
      .trim()
      .split('\n');
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

async function until(condition: () => boolean, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return condition();
}

describe('DynamoDB Local', () => {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

  it('serves the real DynamoDB protocol and stops its Java process on close', async () => {
    const db = await startLocalDynamoDb();
    const port = new URL(db.endpoint).port;
    try {
      const client = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials });
      await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
      expect(javaOnPort(port)).toHaveLength(1);
    } finally {
      await db.close();
    }
    expect(await until(() => javaOnPort(port).length === 0, 10_000)).toBe(true);
  });

  it('stops its Java process when the process that started it is killed', async () => {
    const script = `
      const { startLocalDynamoDb } = require('./local/cloud/src/local-dynamodb');
      startLocalDynamoDb().then((db) => console.log(new URL(db.endpoint).port));`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: join(__dirname, '../../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const port = await new Promise<string>((resolve, reject) => {
        parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
        parent.once('exit', (code) =>
          reject(new Error(`the parent exited (${code}) before DynamoDB Local started`)),
        );
      });
      expect(javaOnPort(port)).toHaveLength(1);
      parent.kill('SIGKILL');
      expect(await until(() => javaOnPort(port).length === 0, 15_000)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('fails at once with a clear error when Java dies instead of waiting for the start deadline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reelay-java-'));
    const brokenJava = join(dir, 'java');
    writeFileSync(brokenJava, '#!/bin/sh\necho "Address already in use" >&2\nexit 1\n');
    chmodSync(brokenJava, 0o755);
    const previous = process.env.JAVA_PATH;
    process.env.JAVA_PATH = brokenJava;
    try {
      const started = startLocalDynamoDb();
      await expect(started).rejects.toThrow(DynamoDbLocalUnavailableError);
      await expect(started).rejects.toThrow(/exited \(1\)[\s\S]*Address already in use/);
    } finally {
      if (previous === undefined) delete process.env.JAVA_PATH;
      else process.env.JAVA_PATH = previous;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
