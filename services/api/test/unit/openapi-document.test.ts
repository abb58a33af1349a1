import { execFileSync } from 'node:child_process';
import { openApiDocument, ROUTE_EXAMPLES } from '../../src/openapi/document';

/**
 * @seriousme/openapi-schema-validator is ESM-only and jest runs CommonJS here, so the validator runs in
 * a child Node process that reads the document on stdin.
 */
function validateOpenApi(document: unknown): { valid: boolean; version: string; errors: unknown } {
  const script = `
    import { Validator } from '@seriousme/openapi-schema-validator';
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(input));
    process.stdout.write(JSON.stringify({ valid: result.valid, version: validator.version, errors: result.errors ?? [] }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    input: JSON.stringify(document),
    cwd: __dirname,
  });
  return JSON.parse(out.toString());
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', () => {
    const result = validateOpenApi(openApiDocument());

    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.version).toBe('3.1');
  });

  it("lists CANCELLED among GET /jobs's status filter values: a cancelled job is its own outcome, not FAILED", () => {
    const doc = openApiDocument() as unknown as {
      paths: Record<string, { get?: { parameters?: Array<{ name: string; schema: { enum?: string[] } }> } }>;
    };

    const status = doc.paths['/jobs']?.get?.parameters?.find((p) => p.name === 'status');

    expect(status?.schema.enum).toEqual(expect.arrayContaining(['QUEUED', 'FAILED', 'CANCELLED']));
  });

  it.each(ROUTE_EXAMPLES.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))(
    "documents %s with an example the route's own schema accepts",
    (_name, route) => {
      const doc = openApiDocument() as unknown as {
        paths: Record<
          string,
          Record<string, { requestBody: { content: Record<string, { example: unknown }> } }>
        >;
      };

      const documented =
        doc.paths[route.path]?.[route.method]?.requestBody.content['application/json']?.example;

      expect(documented).toEqual(route.example);
      expect(route.schema.safeParse(JSON.parse(JSON.stringify(documented))).success).toBe(true);
    },
  );
});
