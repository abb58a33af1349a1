/**
 * Reads the root README's service table ("How it works": service | consumes | publishes | stores)
 * and says where its consumes and publishes columns disagree with the event catalog.
 */

import type { EventCatalog } from '../../libs/events/scripts/catalog/event-catalog';
import { ALL_EVENTS, type EventName } from '../../libs/events/src';

export interface ServiceRow {
  service: string;
  consumes: string;
  publishes: string;
}

const cells = (line: string) =>
  line
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((cell) => cell.trim());

/** The rows of the first markdown table whose header starts `service | consumes | publishes`. */
export function readServiceTable(readme: string): ServiceRow[] {
  const lines = readme.split('\n');
  const header = lines.findIndex((line) => /^\|\s*service\s*\|\s*consumes\s*\|\s*publishes\s*\|/.test(line));
  if (header < 0) return [];
  const rows: ServiceRow[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.trim().startsWith('|')) break;
    const [service = '', consumes = '', publishes = ''] = cells(line);
    // a linked name (`[ledger](…)`) → ledger
    rows.push({ service: service.replace(/^\[([^\]]+)\].*$/, '$1'), consumes, publishes });
  }
  return rows;
}

const EVENT_NAMES = ALL_EVENTS.map((d) => d.detailType);

/** Event names a cell mentions; "every … event" stands for all of them ("… but X": all but X). */
const namedEvents = (cell: string): EventName[] => {
  const named = EVENT_NAMES.filter((name) => new RegExp(`\\b${name}\\b`).test(cell));
  // "every … event but X" stands for all of them except those named.
  if (!/\bevery\b[^|]*\bevent\b/i.test(cell)) return named;
  return /\bevent\b[^|;]*\bbut\b/i.test(cell)
    ? EVENT_NAMES.filter((name) => !named.includes(name))
    : [...EVENT_NAMES];
};

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x) => b.includes(x));

export function serviceTableDrift(readme: string, catalog: EventCatalog): string[] {
  const rows = readServiceTable(readme);
  const problems: string[] = [];
  const listed = rows.map((r) => r.service);
  const services = catalog.services.map((s) => s.service);
  if (!sameSet(listed, services))
    problems.push(`the table lists ${listed.join(', ')}; the templates hold ${services.join(', ')}`);
  for (const expected of catalog.services) {
    const row = rows.find((r) => r.service === expected.service);
    if (!row) continue;
    const consumes = namedEvents(row.consumes);
    const publishes = namedEvents(row.publishes);
    if (!sameSet(consumes, expected.consumes))
      problems.push(
        `${expected.service} consumes ${expected.consumes.join(', ') || 'no event'}; the table says ${consumes.join(', ') || 'none'}`,
      );
    if (!sameSet(publishes, expected.publishes))
      problems.push(
        `${expected.service} publishes ${expected.publishes.join(', ') || 'no event'}; the table says ${publishes.join(', ') || 'none'}`,
      );
  }
  return problems;
}
