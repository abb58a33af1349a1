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
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    `## ${table.title}`,
    '',
    line(table.headers),
    line(table.headers.map(() => '---')),
    ...table.rows.map(line),
    '',
    ...table.notes.map((note) => `- ${note}`),
    '',
  ].join('\n');
}
