/** One part of `npm run bench`: it measures something and returns a table. Sections are independent. */
export interface BenchTable {
  title: string;
  headers: string[];
  rows: string[][];
  /** Lines printed under the table (targets, how it was measured). */
  notes: string[];
}

export interface BenchSection {
  name: string;
  run(context: { workDir: string; log: (line: string) => void }): Promise<BenchTable>;
}

export function markdownTable(table: BenchTable): string {
  // Columns padded to their widest cell, as the repository's formatter (Biome) writes Markdown tables.
  const widths = table.headers.map((header, i) =>
    Math.max(3, header.length, ...table.rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    `## ${table.title}`,
    '',
    line(table.headers),
    line(widths.map((width) => '-'.repeat(width))),
    ...table.rows.map(line),
    '',
    ...table.notes.map((note) => `- ${note}`),
    '',
  ].join('\n');
}
