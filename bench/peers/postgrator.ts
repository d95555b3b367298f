// postgrator: a library with no CLI of its own; this file is also the tiny script that runs it (`node postgrator.js DIALECT URL DIR`).
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { connect, exitWithError, migrationName, peerRequire, seq, type Dialect, type Peer } from './shared.js';

const SCRIPT = fileURLToPath(import.meta.url);

// Postgrator's own driver names, which pick the SQL of its version table.
const DRIVER: Record<Dialect, string> = { postgres: 'pg', mysql: 'mysql', sqlite: 'sqlite3' };

/** postgrator on all three databases: `<n>.do.<name>.sql` links, applied by its API through `pg`, `mysql2` or `better-sqlite3`. */
export const postgrator: Peer = {
  name: 'postgrator',
  unsupported: {},
  method:
    'its API in a tiny node script (`postgrator.migrate()`; it has no CLI of its own), `<n>.do.<name>.sql` linked; it opens no transaction: ' +
    'each file goes to the server as one multi-statement query (atomic on PostgreSQL as an implicit transaction, autocommit per statement on MariaDB and SQLite); md5 of every applied file checked on each run',
  historyCount: {
    postgres: 'SELECT count(*) FROM schemaversion WHERE version > 0',
    mysql: 'SELECT count(*) FROM schemaversion WHERE version > 0',
    sqlite: 'SELECT count(*) FROM schemaversion WHERE version > 0',
  },
  prepare(files, workDir, dialect) {
    const dir = join(workDir, 'migrations');
    mkdirSync(dir, { recursive: true });
    files.forEach((file, i) => symlinkSync(file, join(dir, `${seq(i)}.do.${migrationName(file)}.sql`)));
    return { apply: (url) => ({ command: process.execPath, args: [SCRIPT, dialect, url, dir] }) };
  },
};

/** The peer process: applies every pending file of DIR to URL with postgrator's API, as its README shows. */
async function main(): Promise<void> {
  const [dialect, url, dir] = process.argv.slice(2) as [Dialect, string, string];
  const { default: Postgrator } = (await import(pathToFileURL(peerRequire.resolve('postgrator')).href)) as {
    default: new (config: Record<string, unknown>) => { migrate(): Promise<unknown[]> };
  };
  const conn = await connect(dialect, url);
  try {
    const migrator = new Postgrator({
      migrationPattern: `${dir}/*.sql`,
      driver: DRIVER[dialect],
      // Read on MySQL only, to find its version table in information_schema.
      database: new URL(url).pathname.slice(1),
      execQuery: async (sql: string) => ({ rows: await conn.query(sql) }),
      execSqlScript: (sql: string) => conn.script(sql),
    });
    await migrator.migrate().catch((e: Error & { appliedMigrations?: unknown[] }) => {
      // Postgrator's message does not say where it stopped; the count of applied files does.
      throw new Error(`file ${(e.appliedMigrations?.length ?? 0) + 1} failed: ${e.message}`);
    });
  } finally {
    await conn.close();
  }
}

if (process.argv[1] === SCRIPT) await main().catch(exitWithError);
