/** Writes one JSON Schema per event into docs/events/ (`npm run schemas`). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ALL_EVENTS, jobSpecSchema } from '../src';

const outDir = resolve(__dirname, '../../../docs/events');
mkdirSync(outDir, { recursive: true });
const schemas = [
  ...ALL_EVENTS.map((d) => [d.detailType, d.schema] as const),
  ['JobSpec', jobSpecSchema] as const,
];
for (const [name, schema] of schemas) {
  const file = join(outDir, `${name}.schema.json`);
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  writeFileSync(file, `${JSON.stringify({ title: name, ...json }, null, 2)}\n`);
  console.log(`wrote ${file}`);
}
