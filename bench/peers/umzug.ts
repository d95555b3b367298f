// umzug: a library with no SQL runner or SQL history of its own; this file is also the tiny script that drives it
// (`node umzug.js DIALECT URL DIR`) with the resolver and the history-table storage its README asks the user to write.
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  connect,
  exitWithError,
  migrationName,
  needsNoTransaction,
  peerRequire,
  seq,
  type Connection,
  type Dialect,
  type Peer,
} from './shared.js';

const SCRIPT = fileURLToPath(import.meta.url);

// MySQL commits every DDL statement on its own, so a transaction around a file would promise nothing.
const WRAP: Record<Dialect, boolean> = { postgres: true, mysql: false, sqlite: true };

/** umzug on all three databases: `<n>_<name>.sql` links found by its glob, each run by a resolver written here, history in `umzug_migrations`. */
export const umzug: Peer = {
  name: 'umzug',
  unsupported: {},
  method:
    'its API in a tiny node script: `migrations.glob` over `<n>_<name>.sql` links and a resolver that runs each file as one multi-statement query ' +
    "inside BEGIN/COMMIT (PostgreSQL except CONCURRENTLY files, SQLite; none on MariaDB), and a custom storage writing the file's `umzug_migrations` row after its COMMIT, " +
    'as umzug calls it; umzug has no lock',
  historyCount: {
    postgres: 'SELECT count(*) FROM umzug_migrations',
    mysql: 'SELECT count(*) FROM umzug_migrations',
    sqlite: 'SELECT count(*) FROM umzug_migrations',
  },
  prepare(files, workDir, dialect) {
    const dir = join(workDir, 'migrations');
    mkdirSync(dir, { recursive: true });
    files.forEach((file, i) => symlinkSync(file, join(dir, `${seq(i)}_${migrationName(file)}.sql`)));
    return { apply: (url) => ({ command: process.execPath, args: [SCRIPT, dialect, url, dir] }) };
  },
};

/** The history storage umzug's contract asks for, in a table of the migrated database. */
function tableStorage(conn: Connection) {
  const quote = (name: string): string => `'${name.replace(/'/g, "''")}'`;
  let ready = false;
  const ensure = async (): Promise<void> => {
    if (!ready) await conn.query('CREATE TABLE IF NOT EXISTS umzug_migrations (name varchar(255) PRIMARY KEY)');
    ready = true;
  };
  return {
    logMigration: async ({ name }: { name: string }) =>
      void (await ensure(), await conn.query(`INSERT INTO umzug_migrations (name) VALUES (${quote(name)})`)),
    unlogMigration: async ({ name }: { name: string }) =>
      void (await ensure(), await conn.query(`DELETE FROM umzug_migrations WHERE name = ${quote(name)}`)),
    executed: async () => (
      await ensure(),
      (await conn.query('SELECT name FROM umzug_migrations')).map((r) => String(r.name))
    ),
  };
}

/** The peer process: applies every pending file of DIR to URL with umzug. */
async function main(): Promise<void> {
  const [dialect, url, dir] = process.argv.slice(2) as [Dialect, string, string];
  const { Umzug } = (await import(pathToFileURL(peerRequire.resolve('umzug')).href)) as {
    Umzug: new (options: Record<string, unknown>) => { up(): Promise<unknown[]> };
  };
  const conn = await connect(dialect, url);
  try {
    const migrator = new Umzug({
      migrations: {
        glob: ['*.sql', { cwd: dir }],
        resolve: ({ name, path }: { name: string; path: string }) => ({
          name,
          up: async () => {
            const sql = readFileSync(path, 'utf8');
            const wrap = WRAP[dialect] && !needsNoTransaction(sql);
            if (wrap) await conn.query('BEGIN');
            await conn.script(sql);
            if (wrap) await conn.query('COMMIT');
          },
        }),
      },
      storage: tableStorage(conn),
      logger: undefined,
    });
    await migrator.up();
  } finally {
    await conn.close();
  }
}

if (process.argv[1] === SCRIPT) await main().catch(exitWithError);
