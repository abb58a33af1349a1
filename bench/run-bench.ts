/**
 * `npm run bench`: runs every section in one process, side by side on the same machine, prints
 * each table and writes them all to docs/benchmarks.md (`npm run bench -- end-to-end` runs and prints one
 * section without writing). Add a section by adding it to SECTIONS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { type BenchSection, markdownTable } from './bench-section';
import { compositionSection } from './composition';
import { endToEndSection } from './end-to-end';
import { hopLatencySection } from './hop-latency';
import { longFormSection } from './long-form';
import { soakSection } from './soak';
import { startupSection } from './startup';

const SECTIONS: BenchSection[] = [
  startupSection,
  compositionSection,
  longFormSection,
  hopLatencySection,
  endToEndSection,
  soakSection,
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const sections = only.length > 0 ? SECTIONS.filter((s) => only.includes(s.name)) : SECTIONS;
  const workDir = mkdtempSync(join(tmpdir(), 'reelay-bench-'));
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GB, Node ${process.version}`;
  const parts = [`# Benchmarks\n\nMeasured ${new Date().toISOString()} on ${machine}.\n`];
  try {
    for (const section of sections) {
      const dir = join(workDir, section.name);
      const table = await section.run({
        workDir: dir,
        log: (line) => process.stderr.write(`[${section.name}] ${line}\n`),
      });
      const text = markdownTable(table);
      process.stdout.write(`\n${text}\n`);
      parts.push(text);
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const out = resolve(__dirname, '../docs/benchmarks.md');
  // A run of some sections only would drop the others' figures from the file: it prints them only.
  if (sections.length < SECTIONS.length) {
    process.stdout.write(`sections run: ${sections.map((s) => s.name).join(', ')}; ${out} left as it was\n`);
    return;
  }
  writeFileSync(out, parts.join('\n'));
  process.stdout.write(`written to ${out}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
