/**
 * Which services publish which event, read from the code rather than declared: a publish call
 * (`publisher.publish(jobFailed, …)`, `outgoing(scenePlanned, …)`) in a service's src/, or a call
 * of a shared library helper that leads to one (libs/lambda's dead-letter handler publishes
 * JobFailed for every service that builds one). A regular-expression scan, not a type-checker:
 * the project publishes in exactly these two forms, and the catalog test fails when a publish
 * site moves, so a form it cannot see would show up as a producer missing from the catalog.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as events from '../../src';
import { ALL_EVENTS, type EventName } from '../../src';

export interface PublishSite {
  /** The service whose function publishes (for a library helper: the service that calls it). */
  service: string;
  /** Repository-relative path of the file holding the publish call or the helper call. */
  file: string;
}

// scheduledEvent(seriesRunDue, …): the Input of an EventBridge Scheduler schedule, which the Scheduler
// puts on the bus on the service's behalf (services/api/src/series/series-schedule.ts).
const PUBLISH_CALL = /\b(?:publish|outgoing|scheduledEvent)\(\s*([A-Za-z_$][\w$]*)\s*,/g;
const EXPORTED_FUNCTION =
  /export\s+(?:async\s+)?function\s+([A-Za-z_$][\w$]*)|export\s+const\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s*)?\(/g;

/** Identifier exported by libs/events → the event it defines (`jobFailed` → JobFailed). */
const definitionNames = (): Map<string, EventName> => {
  const names = new Map<string, EventName>();
  for (const [name, value] of Object.entries(events)) {
    const definition = ALL_EVENTS.find((d) => d === value);
    if (definition) names.set(name, definition.detailType);
  }
  return names;
};

const typeScriptFiles = (dir: string): string[] => {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'node_modules' ? [] : typeScriptFiles(path);
    return entry.endsWith('.ts') && !entry.endsWith('.d.ts') ? [path] : [];
  });
};

interface SourceFile {
  path: string;
  text: string;
}

const read = (paths: string[]): SourceFile[] =>
  paths.map((path) => ({ path, text: readFileSync(path, 'utf8') }));

const publishedIn = (text: string, definitions: Map<string, EventName>): EventName[] =>
  [...text.matchAll(PUBLISH_CALL)].flatMap((m) => {
    const event = definitions.get(m[1] ?? '');
    return event ? [event] : [];
  });

const exportedFunctions = (text: string): string[] =>
  [...text.matchAll(EXPORTED_FUNCTION)].map((m) => m[1] ?? m[2] ?? '').filter(Boolean);

const mentions = (text: string, name: string): boolean => new RegExp(`\\b${name}\\b`).test(text);

/**
 * Functions of the shared libraries (not libs/events itself) that publish, directly or through
 * another function of the same library, mapped to the events they publish.
 */
const libraryPublishers = (
  repoRoot: string,
  definitions: Map<string, EventName>,
): Map<string, Set<EventName>> => {
  const publishers = new Map<string, Set<EventName>>();
  const libs = readdirSync(join(repoRoot, 'libs')).filter((lib) => lib !== 'events');
  for (const lib of libs) {
    const files = read(typeScriptFiles(join(repoRoot, 'libs', lib, 'src')));
    const eventsOf = new Map<SourceFile, Set<EventName>>();
    for (const file of files) {
      const published = publishedIn(file.text, definitions);
      if (published.length) eventsOf.set(file, new Set(published));
    }
    // Follow calls inside the library until no new publishing function appears.
    for (let grew = true; grew; ) {
      grew = false;
      const known = [...eventsOf].flatMap(([file, set]) =>
        exportedFunctions(file.text).map((n) => [n, set] as const),
      );
      for (const file of files) {
        for (const [name, set] of known) {
          if (!mentions(file.text, name)) continue;
          const current = eventsOf.get(file) ?? new Set<EventName>();
          const before = current.size;
          for (const event of set) current.add(event);
          eventsOf.set(file, current);
          if (current.size > before) grew = true;
        }
      }
    }
    for (const [file, set] of eventsOf) {
      for (const name of exportedFunctions(file.text)) publishers.set(name, new Set(set));
    }
  }
  return publishers;
};

/** Every place each event is published from, per service, sorted for a stable catalog. */
export function findPublishSites(
  repoRoot: string,
  services: readonly string[],
): Map<EventName, PublishSite[]> {
  const definitions = definitionNames();
  const helpers = libraryPublishers(repoRoot, definitions);
  const sites = new Map<EventName, PublishSite[]>(ALL_EVENTS.map((d) => [d.detailType, []]));
  for (const service of services) {
    for (const file of read(typeScriptFiles(join(repoRoot, 'services', service, 'src')))) {
      const here = new Set(publishedIn(file.text, definitions));
      for (const [helper, published] of helpers) {
        if (mentions(file.text, helper)) for (const event of published) here.add(event);
      }
      for (const event of here) sites.get(event)?.push({ service, file: relative(repoRoot, file.path) });
    }
  }
  for (const list of sites.values()) list.sort((a, b) => a.file.localeCompare(b.file));
  return sites;
}
