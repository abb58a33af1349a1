/** The embedded cloud's function log lines, parsed, and a wait for the line a test expects. */
export interface LogLine {
  fn: string;
  json: Record<string, unknown>;
}

/** Every JSON log line of the functions, and waiters woken by the line they wait for. */
export function logBook() {
  const lines: LogLine[] = [];
  const waiters: Array<{ match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];
  return {
    lines,
    onLog(fn: string, text: string) {
      if (!text.startsWith('{')) return;
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(text);
      } catch {
        return;
      }
      const line = { fn, json };
      lines.push(line);
      for (const waiter of [...waiters])
        if (waiter.match(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
    },
    /** The first line, seen (from line `from` on) or still to come, that matches. */
    waitFor(match: (l: LogLine) => boolean, from = 0): Promise<LogLine> {
      const seen = lines.slice(from).find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}
