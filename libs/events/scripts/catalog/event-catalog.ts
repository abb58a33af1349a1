/**
 * The event catalog: for each event of libs/events, its schema, the services whose code
 * publishes it, the EventBridge rules of the packaged templates that match it and the functions
 * those rules feed. Built from the code and the templates only, so it cannot say something they
 * do not (test/docs/event-catalog.test.ts compares the committed copy with a fresh one).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudFormationTemplate } from '../../../../local/packaging/src';
import { ALL_EVENTS, type EventName } from '../../src';
import { findPublishSites, type PublishSite } from './producers';
import {
  patternMatches,
  type RuleConsumer,
  type WiredRoute,
  type WiredRule,
  type WiredStateMachine,
  wiredRoutes,
  wiredRules,
  wiredStateMachines,
} from './template-wiring';

export const CATALOG_DIR = 'docs/events';

export interface CatalogRule {
  service: string;
  rule: string;
  /** The pattern's `detail` filter, when the rule takes only some of the events. */
  detailFilter?: Record<string, unknown>;
  consumers: RuleConsumer[];
}

export interface CatalogEvent {
  event: EventName;
  /** Repository-relative path of the event's JSON Schema. */
  schema: string;
  /** Top-level fields of the detail, from the JSON Schema. */
  fields: string[];
  /** The services allowed to publish it (libs/events, enforced by the publisher). */
  allowedSources: string[];
  producers: PublishSite[];
  rules: CatalogRule[];
}

export interface ServiceEvents {
  service: string;
  consumes: EventName[];
  publishes: EventName[];
}

export interface EventCatalog {
  events: CatalogEvent[];
  /** Rules on no Reelay event: schedules and AWS's own events. */
  otherRules: WiredRule[];
  routes: WiredRoute[];
  stateMachines: WiredStateMachine[];
  services: ServiceEvents[];
}

const schemaFields = (repoRoot: string, schema: string): string[] => {
  const json = JSON.parse(readFileSync(join(repoRoot, schema), 'utf8')) as {
    properties?: Record<string, unknown>;
  };
  return Object.keys(json.properties ?? {});
};

export function buildEventCatalog(
  repoRoot: string,
  templates: Record<string, CloudFormationTemplate>,
): EventCatalog {
  const services = Object.keys(templates);
  const sites = findPublishSites(repoRoot, services);
  const rules = wiredRules(templates);
  const onReelayEvents = new Set<WiredRule>();
  const events = ALL_EVENTS.map((definition): CatalogEvent => {
    const producers = sites.get(definition.detailType) ?? [];
    const producingSources = [...new Set(producers.map((site) => `reelay.${site.service}`))];
    const matching = rules.filter(
      (rule) => rule.pattern && patternMatches(rule.pattern, definition.detailType, producingSources),
    );
    for (const rule of matching) onReelayEvents.add(rule);
    const schema = `${CATALOG_DIR}/${definition.detailType}.schema.json`;
    return {
      event: definition.detailType,
      schema,
      fields: schemaFields(repoRoot, schema),
      allowedSources: [...definition.sources],
      producers,
      rules: matching.map((rule) => ({
        service: rule.service,
        rule: rule.rule,
        ...(rule.pattern?.detail ? { detailFilter: rule.pattern.detail } : {}),
        consumers: rule.consumers,
      })),
    };
  });
  return {
    events,
    otherRules: rules.filter((rule) => !onReelayEvents.has(rule)),
    routes: wiredRoutes(templates),
    stateMachines: wiredStateMachines(templates),
    services: services.map((service) => ({
      service,
      consumes: events.filter((e) => e.rules.some((r) => r.service === service)).map((e) => e.event),
      publishes: events.filter((e) => e.producers.some((p) => p.service === service)).map((e) => e.event),
    })),
  };
}

/** The services allowed to publish an event that no code of theirs publishes, and the reverse. */
export function sourceMismatches(catalog: EventCatalog): string[] {
  return catalog.events.flatMap((entry) => {
    const publishing = new Set(entry.producers.map((p) => `reelay.${p.service}`));
    const allowed = new Set(entry.allowedSources);
    return [
      ...[...allowed]
        .filter((s) => !publishing.has(s))
        .map((s) => `${entry.event}: ${s} may publish it but never does`),
      ...[...publishing]
        .filter((s) => !allowed.has(s))
        .map((s) => `${entry.event}: ${s} publishes it but may not`),
    ];
  });
}
