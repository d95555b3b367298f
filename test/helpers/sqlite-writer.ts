/**
 * A stand-in for a live service: writes to an SQLite file continuously until killed.
 *
 * Usage: `node sqlite-writer.js FILE [wal|delete]`. Every transaction moves an amount between two
 * `accounts` (so their total stays constant), appends a `log` row with a payload (so the file keeps
 * growing and pages keep changing), and bumps the `counter` row to the number of `log` rows. A copy
 * taken at any instant must therefore satisfy both invariants; see `writerInvariants`. Prints
 * `ready` on stdout once the schema exists and the first transfer committed.
 */
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';

/** Accounts the writer creates, each starting with `START_BALANCE`. */
export const ACCOUNTS = 50;
/** Every account's opening balance; the total is `ACCOUNTS * START_BALANCE` forever. */
export const START_BALANCE = 1_000;

/** What a copy of the writer's database must satisfy: the total is constant and the counter matches the log. */
export function writerInvariants(db: Database.Database): {
  total: number;
  logRows: number;
  counter: number;
  accounts: number;
} {
  const { total, accounts } = db.prepare('SELECT sum(balance) AS total, count(*) AS accounts FROM accounts').get() as {
    total: number;
    accounts: number;
  };
  const { logRows } = db.prepare('SELECT count(*) AS logRows FROM log').get() as { logRows: number };
  const { counter } = db.prepare("SELECT n AS counter FROM counter WHERE k = 'log'").get() as { counter: number };
  return { total, logRows, counter, accounts };
}

function main(file: string, mode: string): void {
  const db = new Database(file, { timeout: 30_000 });
  db.pragma(`journal_mode = ${mode === 'delete' ? 'DELETE' : 'WAL'}`);
  db.exec(`
    CREATE TABLE IF NOT EXISTS accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS log (id INTEGER PRIMARY KEY, from_id INTEGER NOT NULL, to_id INTEGER NOT NULL, amount INTEGER NOT NULL, payload BLOB NOT NULL);
    CREATE INDEX IF NOT EXISTS log_from ON log (from_id, amount);
    CREATE TABLE IF NOT EXISTS counter (k TEXT PRIMARY KEY, n INTEGER NOT NULL);
  `);
  db.transaction(() => {
    if ((db.prepare('SELECT count(*) AS n FROM accounts').get() as { n: number }).n > 0) return;
    const insert = db.prepare('INSERT INTO accounts (id, balance) VALUES (?, ?)');
    for (let id = 1; id <= ACCOUNTS; id++) insert.run(id, START_BALANCE);
    db.prepare("INSERT INTO counter (k, n) VALUES ('log', 0)").run();
  }).immediate();

  const debit = db.prepare('UPDATE accounts SET balance = balance - ? WHERE id = ?');
  const credit = db.prepare('UPDATE accounts SET balance = balance + ? WHERE id = ?');
  const log = db.prepare('INSERT INTO log (from_id, to_id, amount, payload) VALUES (?, ?, ?, randomblob(300))');
  const count = db.prepare("UPDATE counter SET n = n + 1 WHERE k = 'log'");
  const transfer = db.transaction(() => {
    const from = 1 + Math.floor(Math.random() * ACCOUNTS);
    const to = 1 + Math.floor(Math.random() * ACCOUNTS);
    const amount = 1 + Math.floor(Math.random() * 100);
    debit.run(amount, from);
    credit.run(amount, to);
    log.run(from, to, amount);
    count.run();
  });

  transfer.immediate();
  process.stdout.write('ready\n');
  // Bursts of transactions with a yield between them, so SIGTERM is handled promptly. In WAL mode
  // readers never wait for the writer, so it writes without pause; a rollback-journal writer that
  // never let go of the lock would starve every reader, which no real service does, so it rests 10 ms.
  const rest = mode === 'delete' ? (next: () => void) => setTimeout(next, 10) : setImmediate;
  const burst = (): void => {
    const until = Date.now() + 20;
    while (Date.now() < until) transfer.immediate();
    rest(burst);
  };
  burst();
}

// Runs only as a child process, not when a test imports `writerInvariants`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, mode = 'wal'] = process.argv.slice(2);
  if (!file) throw new Error('usage: sqlite-writer.js FILE [wal|delete]');
  main(file, mode);
}
