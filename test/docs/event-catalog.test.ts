/**
 * docs/events/ (the JSON Schemas and the event catalog) and the root README's service table say
 * what libs/events, the services' code and the packaged templates say. When this fails after a
 * change to an event, a publish call, a rule or a queue, run `npm run schemas` and update the
 * README's service table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildEventCatalog,
  type EventCatalog,
  sourceMismatches,
} from '../../libs/events/scripts/catalog/event-catalog';
import { catalogFile, jsonSchemaFiles } from '../../libs/events/scripts/catalog/event-docs';
import type { CloudFormationTemplate } from '../../local/packaging/src';
import { packageAllServices, REPO_ROOT } from '../../local/packaging/src';
import { serviceTableDrift } from './service-table';

const committed = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const REGENERATE = 'docs/events is stale: run `npm run schemas` and commit the result';

let templates: Record<string, CloudFormationTemplate>;
let catalog: EventCatalog;

beforeAll(async () => {
  // Cached by serverless.yml content (as in test/templates): only the first run after a change packages.
  const packaged = await packageAllServices();
  templates = Object.fromEntries(Object.entries(packaged).map(([service, p]) => [service, p.template]));
  catalog = buildEventCatalog(REPO_ROOT, templates);
}, 600_000);

/** A copy of the templates without one resource. */
const without = (service: string, logicalId: string) => {
  const copy = structuredClone(templates);
  const template = copy[service];
  if (!template?.Resources[logicalId]) throw new Error(`no ${logicalId} in ${service}`);
  delete template.Resources[logicalId];
  return copy;
};

describe('event catalog', () => {
  test('the committed JSON Schemas are the ones libs/events generates', () => {
    const stale = [...jsonSchemaFiles()].filter(([path, content]) => committed(path) !== content);
    expect(stale.map(([path]) => `${path}: ${REGENERATE}`)).toEqual([]);
  });

  test('the committed catalog is the one the code and the packaged templates generate', () => {
    const [path, content] = catalogFile(REPO_ROOT, templates);
    expect(committed(path)).toBe(content);
  });

  test('a rule removed from a template changes the catalog', () => {
    const [, current] = catalogFile(REPO_ROOT, templates);
    const [, changed] = catalogFile(REPO_ROOT, without('generator', 'StopJobRule'));
    expect(changed).not.toBe(current);
    expect(changed).not.toContain('generator.stopJob');
  });

  test('every event is consumed by some function through a rule', () => {
    const unconsumed = catalog.events.filter(
      (e) => !e.rules.some((r) => r.consumers.some((c) => c.functions.length)),
    );
    expect(unconsumed.map((e) => e.event)).toEqual([]);
  });

  test('the services that publish each event are exactly the sources libs/events allows', () => {
    expect(sourceMismatches(catalog)).toEqual([]);
  });
});

describe("the README's service table", () => {
  test('names the events each service consumes and publishes, as the templates and code do', () => {
    expect(serviceTableDrift(committed('README.md'), catalog)).toEqual([]);
  });

  test('is found wrong when a service stops consuming an event', () => {
    const changed = buildEventCatalog(REPO_ROOT, without('composer', 'PrepareRule'));
    expect(serviceTableDrift(committed('README.md'), changed)).toEqual([
      'composer consumes no event; the table says SceneReady',
    ]);
  });
});
