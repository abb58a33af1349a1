import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleSandboxes } from '../../src/lambda/sandbox-bundles';

const ROOT = resolve(__dirname, '../../../..');

describe("the sandboxes' bundles", () => {
  let dir: string;
  let handler: string;
  let root: string;

  beforeEach(() => {
    mkdirSync(join(ROOT, '.reelay'), { recursive: true });
    dir = mkdtempSync(join(ROOT, '.reelay', 'test-bundles-'));
    handler = join(dir, 'handler.ts');
    root = join(dir, 'bundles');
    writeFileSync(handler, "export const handler = async () => 'first';\n");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('are reused while the sources are unchanged, and rebuilt with the change when one is edited', async () => {
    // Prepare: a first build.
    const first = await bundleSandboxes([handler], root);
    const firstHandler = first.handlers.get(handler) ?? '';
    // Written by a build only: it lists the files the build read.
    const buildRecord = () => {
      const file = readdirSync(root).find((f) => f.startsWith('inputs-')) ?? '';
      return statSync(join(root, file)).mtimeMs;
    };
    const firstBuild = buildRecord();
    await new Promise((r) => setTimeout(r, 20));
    // Act: a second start with nothing changed, then one after an edit.
    const again = await bundleSandboxes([handler], root);
    const secondBuild = buildRecord();
    writeFileSync(handler, "export const handler = async () => 'second';\n");
    const later = new Date(Date.now() + 5_000);
    utimesSync(handler, later, later);
    const edited = await bundleSandboxes([handler], root);
    // Assess
    expect(again.handlers.get(handler)).toBe(firstHandler);
    expect(secondBuild).toBe(firstBuild);
    expect(readFileSync(firstHandler, 'utf8')).toMatch(/["']first["']/);
    expect(edited.handlers.get(handler)).not.toBe(firstHandler);
    expect(readFileSync(edited.handlers.get(handler) ?? '', 'utf8')).toMatch(/["']second["']/);
    expect(readFileSync(edited.worker, 'utf8')).toContain('loadHandler');
  });
});
