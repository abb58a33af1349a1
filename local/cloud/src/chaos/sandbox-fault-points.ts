/**
 * Runs inside a Lambda sandbox (worker thread). Stops the handler at the armed fault points and asks
 * the parent what to do: go on, or wait to be killed (a crash, or a hang until the timeout). The
 * parent does the killing, so a crash is a real sandbox death: whatever came before the point
 * happened, nothing after it does, and the handler cannot catch it.
 *
 * The AWS side uses a middleware added to every client libs/lambda builds (registerAwsClientHook);
 * the Replicate side wraps globalThis.fetch, which the replicate client captures when it is built,
 * so both are installed before the handler module loads.
 */
import type { MessagePort } from 'node:worker_threads';
import { registerAwsClientHook } from '@reelay/lambda/src/aws-client-hooks';
import {
  type FaultContinueMessage,
  type FaultPoint,
  type FaultPointMessage,
  type InvocationFaultPlan,
  isPredictionCreate,
  matchesFaultPoint,
  type SideEffect,
  sideEffectOfCommand,
} from './fault-points';

interface MiddlewareStackLike {
  add(
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: { commandName?: string },
    ) => (args: unknown) => Promise<unknown>,
    options: { step: 'initialize'; name: string; override?: boolean },
  ): void;
}

export interface SandboxFaultPoints {
  /** Arms the plan of the invocation that is about to run (undefined: nothing armed). */
  begin(invocationId: number, plan: InvocationFaultPlan | undefined): void;
  end(): void;
}

export function installSandboxFaultPoints(port: MessagePort): SandboxFaultPoints {
  let current: { id: number; plan: InvocationFaultPlan } | undefined;
  let nextAsk = 1;
  const waiting = new Map<number, () => void>();
  port.on('message', (message: FaultContinueMessage | { kind?: string }) => {
    if (message.kind !== 'fault-continue') return;
    const ask = (message as FaultContinueMessage).ask;
    waiting.get(ask)?.();
    waiting.delete(ask);
  });

  const stopAt = async (point: FaultPoint): Promise<void> => {
    const active = current;
    if (!active?.plan.points.some((pattern) => matchesFaultPoint(pattern, point))) return;
    const ask = nextAsk++;
    const answered = new Promise<void>((resolve) => waiting.set(ask, resolve));
    const message: FaultPointMessage = { kind: 'fault-point', id: active.id, ask, point };
    port.postMessage(message);
    await answered;
  };

  const aroundSideEffect = async <T>(effect: SideEffect, run: () => Promise<T>): Promise<T> => {
    await stopAt(`before:${effect}`);
    const result = await run();
    await stopAt(`after:${effect}`);
    return result;
  };

  registerAwsClientHook((client, clientName) => {
    (client.middlewareStack as MiddlewareStackLike).add(
      (next, context) => (args) => {
        const effect = sideEffectOfCommand(clientName, context.commandName ?? '');
        return effect ? aroundSideEffect(effect, () => next(args)) : next(args);
      },
      { step: 'initialize', name: 'reelayChaosFaultPoints', override: true },
    );
  });

  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    if (!current) return realFetch(input, init);
    const request = input instanceof Request ? input : undefined;
    const url = request ? request.url : String(input);
    const method = init?.method ?? request?.method ?? 'GET';
    return isPredictionCreate(method, url)
      ? aroundSideEffect('replicate:CreatePrediction', () => realFetch(input, init))
      : realFetch(input, init);
  };

  return {
    begin: (id, plan) => {
      current = plan && plan.points.length > 0 ? { id, plan } : undefined;
    },
    end: () => {
      current = undefined;
    },
  };
}
