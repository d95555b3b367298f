// dbmate: the Go binary the npm package `dbmate` ships (per platform, as an optional dependency), run directly.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  MARIADB_SQL_MODE,
  migrationName,
  needsNoTransaction,
  ownsTransaction,
  peerPackageJson,
  seq,
  writeFile,
  type Dialect,
  type Peer,
} from './shared.js';

// dbmate's URL for a test-helper URL: lib/pq needs sslmode spelled out; the MySQL driver sends unknown parameters as session variables.
const URL_OF: Record<Dialect, (url: string) => string> = {
  postgres: (url) => `${url}?sslmode=disable`,
  mysql: (url) => `${url}?sql_mode=${encodeURIComponent(`'${MARIADB_SQL_MODE}'`)}`,
  sqlite: (url) => url,
};

/** The dbmate binary for this platform, as the npm package's own wrapper finds it. */
function dbmateBinary(): string {
  return createRequire(peerPackageJson('dbmate')).resolve(`@dbmate/${process.platform}-${process.arch}/bin/dbmate`);
}

/** dbmate on all three databases: copies of each file between dbmate's `-- migrate:up` line and the empty `-- migrate:down` block it requires. */
export const dbmate: Peer = {
  name: 'dbmate',
  unsupported: {},
  method:
    '`dbmate --no-dump-schema migrate` (the Go binary from the npm package, started directly rather than through its node wrapper); ' +
    '`<n>_<name>.sql` copies with `-- migrate:up` (`transaction:false` for CONCURRENTLY files and files with their own BEGIN/COMMIT) put in front and the empty `-- migrate:down` block it requires after; one transaction per file (its default)',
  historyCount: {
    postgres: 'SELECT count(*) FROM schema_migrations',
    mysql: 'SELECT count(*) FROM schema_migrations',
    sqlite: 'SELECT count(*) FROM schema_migrations',
  },
  prepare(files, workDir, dialect) {
    const dir = join(workDir, 'db', 'migrations');
    files.forEach((file, i) => {
      const sql = readFileSync(file, 'utf8');
      // dbmate's COMMIT fails ("unexpected transaction status idle") after a file that commits itself, so those go bare too.
      const marker =
        needsNoTransaction(sql) || ownsTransaction(sql) ? '-- migrate:up transaction:false' : '-- migrate:up';
      writeFile(join(dir, `${seq(i)}_${migrationName(file)}.sql`), `${marker}\n${sql}\n-- migrate:down\n`);
    });
    const bin = dbmateBinary();
    return {
      apply: (url) => ({
        command: bin,
        args: ['--url', URL_OF[dialect](url), '--migrations-dir', dir, '--no-dump-schema', 'migrate'],
        cwd: workDir,
      }),
    };
  },
};
