import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

export interface LocalDynamoDb {
  endpoint: string;
  close(): Promise<void>;
}

const START_DEADLINE_MS = 180_000;

export class DynamoDbLocalUnavailableError extends Error {
  readonly retryable = false;
}

export interface LocalDynamoDbOptions {
  /**
   * The folder DynamoDB Local keeps its tables in (`-dbPath`; with `-sharedDb` one file,
   * shared-local-instance.db, for every caller). Without it the tables live in memory (`-inMemory`).
   */
  dbPath?: string;
}

/** AWS's own DynamoDB Local (shipped as a jar inside amplify-dynamodb-simulator), on Debian's Java. */
export async function startLocalDynamoDb(options: LocalDynamoDbOptions = {}): Promise<LocalDynamoDb> {
  const emulatorDir = join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
  const jar = join(emulatorDir, 'DynamoDBLocal.jar');
  if (!existsSync(jar))
    throw new DynamoDbLocalUnavailableError(`DynamoDB Local jar not found at ${jar}; run npm install`);
  const port = await freePort();
  const javaArgs = [
    '-Xms64m',
    '-Xmx512m',
    // No /tmp/hsperfdata_<user>/<pid> file (Java's performance counters), which a kill -9 leaves behind.
    '-XX:-UsePerfData',
    // Start-up over peak speed: the client compiler only (C2's compiler threads spent about half of
    // the JVM's CPU over a cloud's start, for a server that answers a few thousand requests), and
    // the serial collector (no GC threads competing for two cores). Measured: about 5.9 -> 3.2
    // CPU-seconds and 9.9 -> 3.8 s to the first answer on a loaded 2-core machine.
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    `-Djava.library.path=${join(emulatorDir, 'DynamoDBLocal_lib')}`,
    '-jar',
    jar,
    // AWS's usage notes: -dbPath and -inMemory exclude each other; -inMemory requires -sharedDb.
    // -sharedDb keeps one file whatever access key signs (each function has its own).
    ...(options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory']),
    '-sharedDb',
    '-port',
    String(port),
  ];
  // Java does not die with its parent: a test runner killed by a timeout used to leave DynamoDB
  // Local running for ever. A watcher holds the read end of a pipe from this process; when the pipe
  // closes (close() or this process dying, however), `read` returns and the watcher stops Java.
  // The shell itself waits for Java, so Java dying (a port taken, no memory) ends the child at once.
  const child = spawn(
    '/bin/sh',
    [
      '-c',
      'exec 3<&0; java=$1; shift; "$java" "$@" </dev/null 3<&- & pid=$!; (read _ <&3 || true; kill $pid 2>/dev/null) & watcher=$!; trap \'kill $pid 2>/dev/null\' TERM; wait $pid; status=$?; kill $watcher 2>/dev/null; exit $status',
      'dynamodb-local',
      process.env.JAVA_PATH ?? 'java',
      ...javaArgs,
    ],
    { cwd: emulatorDir, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  await waitForStart(child, port);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => stop(child),
  };
}

async function waitForStart(child: ChildProcess, port: number): Promise<void> {
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const started = Date.now();
  // Java starts in ~2 s on an idle machine, but a loaded CI runner has been seen to need over 60 s.
  while (Date.now() - started < START_DEADLINE_MS) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new DynamoDbLocalUnavailableError(
        `DynamoDB Local exited (${child.exitCode ?? child.signalCode}); is Java installed (apt-get install -y openjdk-17-jre-headless)?\n${output}`,
      );
    }
    if (await accepts(port)) {
      child.stdout?.off('data', collect);
      child.stderr?.off('data', collect);
      child.stdout?.resume();
      child.stderr?.resume();
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop(child);
  throw new DynamoDbLocalUnavailableError(
    `DynamoDB Local did not start within ${START_DEADLINE_MS / 1000} s\n${output}`,
  );
}

async function accepts(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST' });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin?.end();
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
