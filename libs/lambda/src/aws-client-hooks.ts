/**
 * Hooks that see every AWS SDK client aws-clients.ts builds. Only local tooling registers one (the
 * embedded cloud's fault injector adds a middleware inside its Lambda sandboxes); production never
 * does. Kept on globalThis so it works whichever copy of this module a handler bundle loaded, and in
 * a module of its own, free of SDK imports, so a sandbox registers its hook without loading the SDK.
 */
type AwsClient = { middlewareStack: unknown };
export type AwsClientHook = (client: AwsClient, clientName: string) => void;

const CLIENT_HOOKS = Symbol.for('reelay.aws-client-hooks');

export function registerAwsClientHook(hook: AwsClientHook): void {
  const store = globalThis as { [CLIENT_HOOKS]?: AwsClientHook[] };
  store[CLIENT_HOOKS] ??= [];
  store[CLIENT_HOOKS].push(hook);
}

export function withClientHooks<T extends AwsClient>(client: T, clientName: string): T {
  for (const hook of (globalThis as { [CLIENT_HOOKS]?: AwsClientHook[] })[CLIENT_HOOKS] ?? [])
    hook(client, clientName);
  return client;
}
