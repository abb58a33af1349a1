/**
 * The points of a Lambda invocation where a fault can be injected: the start of the handler, and
 * just before or just after each side effect (a write to S3, DynamoDB, EventBridge, SQS, Step
 * Functions, or a Replicate prediction create). Shared by the parent (which decides) and the
 * sandbox worker (which stops there and asks).
 */

/** Side effects, as `<service>:<operation>`; reads (GetObject, Query, ...) are not fault points. */
export const SIDE_EFFECTS = [
  's3:PutObject',
  's3:CopyObject',
  's3:CompleteMultipartUpload',
  's3:DeleteObject',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:TransactWriteItems',
  'dynamodb:BatchWriteItem',
  'events:PutEvents',
  'sqs:SendMessage',
  'sqs:SendMessageBatch',
  'sfn:StartExecution',
  'replicate:CreatePrediction',
] as const;
export type SideEffect = (typeof SIDE_EFFECTS)[number];
export type FaultPoint = `${'before' | 'after'}:${SideEffect}`;

/**
 * Where a crash picked per invocation lands when the invocation reached fewer points than picked:
 * after the handler returned (every side effect done), before its response reaches the invoker.
 */
export const END_OF_INVOCATION = 'end:invocation';
export type CrashPoint = FaultPoint | typeof END_OF_INVOCATION;

/**
 * A pattern of fault points: 'before:s3:PutObject', 'after:dynamodb:*', '*:events:PutEvents',
 * '*' (every side effect, before and after). Each of the three parts may be '*'.
 */
export type FaultPointPattern = string;

export function matchesFaultPoint(pattern: FaultPointPattern, point: FaultPoint): boolean {
  if (pattern === '*') return true;
  const wanted = pattern.split(':');
  const actual = point.split(':');
  if (wanted.length !== 3) return false;
  return wanted.every((part, i) => part === '*' || part === actual[i]);
}

/** The client names libs/lambda gives its cached clients, mapped to the service part of a point. */
const SERVICE_OF_CLIENT: Record<string, string> = {
  s3: 's3',
  dynamodb: 'dynamodb',
  eventbridge: 'events',
  sqs: 'sqs',
  sfn: 'sfn',
};

/** The side effect an AWS SDK command is, or undefined for a read. */
export function sideEffectOfCommand(clientName: string, commandName: string): SideEffect | undefined {
  const service = SERVICE_OF_CLIENT[clientName] ?? clientName.replace(/Client$/, '').toLowerCase();
  const effect = `${service}:${commandName.replace(/Command$/, '')}`;
  return (SIDE_EFFECTS as readonly string[]).includes(effect) ? (effect as SideEffect) : undefined;
}

/** Replicate's create endpoints: POST /v1/predictions, /v1/models/<o>/<n>/predictions, /v1/deployments/<o>/<n>/predictions. */
const PREDICTION_CREATE = /\/v1\/(?:(?:models|deployments)\/[^/]+\/[^/]+\/)?predictions\/?$/;

export function isPredictionCreate(method: string, url: string): boolean {
  if (method.toUpperCase() !== 'POST') return false;
  try {
    return PREDICTION_CREATE.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

/** What the parent tells a sandbox with each invocation. */
export interface InvocationFaultPlan {
  /** Patterns of the points the sandbox must stop at and ask about (armed faults of this function). */
  points: FaultPointPattern[];
  /** The handler hangs before it starts (a timeout fault with no point). */
  hangAtStart?: boolean;
  /**
   * Crashes chosen for this invocation (crash faults `per: 'invocation'`): the fault id and how many
   * matching points the invocation passes before it dies at the next one (at its end when it
   * reaches no more). Kept by the parent only.
   */
  crashes?: Array<{ faultId: string; pointsBeforeCrash: number }>;
}

/** Sandbox → parent: a fault point was reached; the sandbox waits for 'fault-continue'. */
export interface FaultPointMessage {
  kind: 'fault-point';
  id: number;
  ask: number;
  point: FaultPoint;
}

/** Parent → sandbox: go on past the point (a crash never gets this answer: the sandbox is killed). */
export interface FaultContinueMessage {
  kind: 'fault-continue';
  ask: number;
}

/** What the parent decides at a point. */
export type FaultPointDecision =
  | { action: 'continue' }
  | { action: 'crash'; faultId: string }
  /** Stop here until the Lambda timeout kills the sandbox; timeoutAfterMs shortens the wait. */
  | { action: 'hang'; faultId: string; timeoutAfterMs?: number };

/** The parent's side, given to each LocalFunction. */
export interface SandboxFaults {
  /** Called once per invocation: what the sandbox must watch, or undefined when nothing is armed. */
  planInvocation(functionName: string): (InvocationFaultPlan & { timeoutAfterMs?: number }) | undefined;
  /** `plan` is what planInvocation returned for this invocation. */
  decide(functionName: string, point: FaultPoint, plan?: InvocationFaultPlan): FaultPointDecision;
  /** After the handler returned: a crash the plan picked that has not happened yet happens now. */
  decideAtEnd(functionName: string, plan?: InvocationFaultPlan): FaultPointDecision;
}

/** The error a crashed or timed-out invocation reports is LambdaInvocationError; this names injected crashes. */
export const CHAOS_CRASH_ERROR_TYPE = 'ChaosCrashError';
