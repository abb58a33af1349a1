import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type FunctionLogSink = (functionName: string, line: string) => void;

/** Where every function log line goes: the caller's sink, else .reelay/logs/<stage>.log under the repository. */
export function functionLog(
  repoRoot: string,
  stage: string,
  onLog: FunctionLogSink | undefined,
): { onLog: FunctionLogSink; logFile?: string } {
  if (onLog) return { onLog };
  const dir = join(repoRoot, '.reelay', 'logs');
  mkdirSync(dir, { recursive: true });
  const logFile = join(dir, `${stage}.log`);
  return { onLog: (fn, line) => appendFileSync(logFile, `${fn} ${line}\n`), logFile };
}
