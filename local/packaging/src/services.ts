import { join, resolve } from 'node:path';

/** The deployable services, in deploy order (the ledger owns the bus, the api the bucket). */
export const SERVICES = ['ledger', 'api', 'generator', 'composer'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const DEFAULT_STAGE = 'dev';
export const DEFAULT_REGION = 'us-east-1';

/** local/packaging/src -> the repository root. */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

export const serviceDir = (service: ServiceName): string => join(REPO_ROOT, 'services', service);

/** Where `serverless package` writes a service's artifacts (gitignored through .reelay/). */
export const packageDir = (service: ServiceName, stage: string): string =>
  join(REPO_ROOT, '.reelay', 'package', stage, service);

export const isServiceName = (name: string): name is ServiceName =>
  (SERVICES as readonly string[]).includes(name);
