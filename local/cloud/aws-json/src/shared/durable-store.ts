import type { DatabaseSync, StatementSync } from 'node:sqlite';

/**
 * The emulator's durable state (SQS messages, archived events, Step Functions executions) in one
 * SQLite file, so `npm run up` resumes after a crash or a restart.
 *
 * Why SQLite (Node's built-in node:sqlite) and not a hand-written journal: SQLite already makes every
 * committed write survive a kill -9 at any moment and leaves a readable file (its write-ahead log is
 * replayed or discarded on the next open), which is exactly what a journal of our own would have to
 * get right. Each put/delete is its own transaction, committed before the emulator answers the call
 * that caused it (a SendMessage is acknowledged only once its message is on disk).
 *
 * Durability settings: WAL with synchronous=NORMAL. A commit is written to the WAL (write(2)) before
 * it returns, so it survives the process being killed; SQLite fsyncs the WAL at each checkpoint, not
 * at each commit, so a power cut or an OS crash may lose the last few commits (never corrupt the
 * file). That is the trade a local development cloud wants: an fsync per SQS receive would slow
 * every job for a failure (power loss) that loses the machine's own work anyway.
 */
export class DurableStore {
  private readonly db: DatabaseSync;
  private readonly putStatement: StatementSync;
  private readonly deleteStatement: StatementSync;
  private readonly deleteKindPrefixStatement: StatementSync;
  private readonly listStatement: StatementSync;
  private readonly getStatement: StatementSync;
  private closed = false;

  constructor(readonly file: string) {
    const Database = loadSqlite();
    this.db = new Database(file);
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, key))',
    );
    this.putStatement = this.db.prepare(
      'INSERT INTO records (kind, key, value) VALUES (?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value',
    );
    this.deleteStatement = this.db.prepare('DELETE FROM records WHERE kind = ? AND key = ?');
    this.deleteKindPrefixStatement = this.db.prepare(
      'DELETE FROM records WHERE kind = ? AND substr(key, 1, length(?)) = ?',
    );
    this.listStatement = this.db.prepare('SELECT key, value FROM records WHERE kind = ? ORDER BY rowid');
    this.getStatement = this.db.prepare('SELECT value FROM records WHERE kind = ? AND key = ?');
  }

  put(kind: string, key: string, value: unknown): void {
    if (this.closed) return;
    this.putStatement.run(kind, key, JSON.stringify(value));
  }

  delete(kind: string, key: string): void {
    if (this.closed) return;
    this.deleteStatement.run(kind, key);
  }

  /** Deletes every record of a kind whose key starts with the prefix (a purged queue's messages). */
  deletePrefix(kind: string, prefix: string): void {
    if (this.closed) return;
    this.deleteKindPrefixStatement.run(kind, prefix, prefix);
  }

  get<T>(kind: string, key: string): T | undefined {
    const row = this.getStatement.get(kind, key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  /** Every record of a kind, in the order first written. */
  list<T>(kind: string): Array<{ key: string; value: T }> {
    return (this.listStatement.all(kind) as Array<{ key: string; value: string }>).map((row) => ({
      key: row.key,
      value: JSON.parse(row.value) as T,
    }));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

/**
 * node:sqlite, loaded lazily (only a durable emulator needs it) and without the ExperimentalWarning
 * Node prints on its first load: that line broke into the CLI's start-up progress, and it tells a
 * user of `npm start` nothing they can act on. Only that one warning is held back; Node offers no
 * per-module switch (--disable-warning would silence every experimental warning), so it is done here.
 */
function loadSqlite(): typeof import('node:sqlite').DatabaseSync {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/SQLite/i.test(text)) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('node:sqlite') as typeof import('node:sqlite')).DatabaseSync;
  } finally {
    process.emitWarning = emitWarning;
  }
}
