/** Everything `npm run schemas` writes into docs/events/, as repository-relative path → content. */
import { z } from 'zod';
import type { CloudFormationTemplate } from '../../../../local/packaging/src';
import { ALL_EVENTS, jobSpecSchema } from '../../src';
import { buildEventCatalog, CATALOG_DIR } from './event-catalog';
import { renderEventCatalog } from './render-catalog';

/** One JSON Schema per event, and the job spec's. */
export function jsonSchemaFiles(): Map<string, string> {
  const schemas = [
    ...ALL_EVENTS.map((d) => [d.detailType, d.schema] as const),
    ['JobSpec', jobSpecSchema] as const,
  ];
  return new Map(
    schemas.map(([name, schema]) => {
      const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
      return [`${CATALOG_DIR}/${name}.schema.json`, `${JSON.stringify({ title: name, ...json }, null, 2)}\n`];
    }),
  );
}

/**
 * The catalog reads the JSON Schemas from disk (their fields), so write them first:
 * `writeEventDocs` below does.
 */
export function catalogFile(
  repoRoot: string,
  templates: Record<string, CloudFormationTemplate>,
): [string, string] {
  return [`${CATALOG_DIR}/README.md`, renderEventCatalog(buildEventCatalog(repoRoot, templates))];
}
