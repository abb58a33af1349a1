/**
 * `npm run schemas`: writes docs/events/ — one JSON Schema per event (and the job spec), then the
 * event catalog (docs/events/README.md), which needs the packaged templates: they are packaged
 * offline, or read from the package cache when the services' serverless.yml files are unchanged.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packageAllServices, REPO_ROOT } from '../../../local/packaging/src';
import { catalogFile, jsonSchemaFiles } from './catalog/event-docs';

const write = (path: string, content: string) => {
  const file = join(REPO_ROOT, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  console.log(`wrote ${path}`);
};

async function main() {
  for (const [path, content] of jsonSchemaFiles()) write(path, content);
  const packaged = await packageAllServices();
  const templates = Object.fromEntries(Object.entries(packaged).map(([service, p]) => [service, p.template]));
  write(...catalogFile(REPO_ROOT, templates));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
