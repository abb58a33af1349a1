import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

/**
 * What an operator tool (`npm run replay`, `npm run redrive`) needs to act on the running local
 * cloud: the AWS endpoints, the operator's keys, the region and the stage, as `npm run up -- --json`
 * announces them. Optional so that a file written before it existed still gives `npm run jobs` its API.
 */
const upCloudSchema = z.object({
  stage: z.string().min(1),
  region: z.string().min(1),
  endpoints: z.object({
    events: z.url(),
    sqs: z.url(),
    s3: z.url(),
    dynamodb: z.url(),
    stepfunctions: z.url(),
  }),
  credentials: z.object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) }),
});

const upStateSchema = z.object({ api: z.url(), pid: z.number().int(), cloud: upCloudSchema.optional() });

export type UpState = z.infer<typeof upStateSchema>;
export type UpCloud = z.infer<typeof upCloudSchema>;

const REPO_ROOT = resolve(__dirname, '../..');

/** Where `npm run up` says which API and cloud it runs, for `npm run jobs`, replay and redrive. */
export const upStateFile = () => join(REPO_ROOT, '.reelay', 'up.json');

/**
 * Writes the state of `npm run up`. The file holds the operator's keys of the local cloud, so only
 * its owner may read it (mode 0600, set again in case an older file was more open).
 */
export function writeUpState(state: UpState, file = upStateFile()): void {
  writeFileSync(file, JSON.stringify(upStateSchema.parse(state)), { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** The state of the running `npm run up`, if the file is readable and its process is still alive. */
export function runningUp(file = upStateFile()): UpState | undefined {
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const state = upStateSchema.safeParse(raw);
  if (!state.success) return undefined;
  try {
    process.kill(state.data.pid, 0);
  } catch {
    return undefined;
  }
  return state.data;
}

/** The API of the running `npm run up`, if its process is still alive. */
export function runningApi(file = upStateFile()): string | undefined {
  return runningUp(file)?.api;
}
