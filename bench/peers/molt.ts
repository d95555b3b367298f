// molt itself in a peer's shape, so that the stampede runs it through the same harness as the others.
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BIN } from '../../test/helpers/cli.js';
import { MARIADB_SQL_MODE, migrationName, seq, type Dialect, type Peer } from './shared.js';

const HISTORY = "SELECT count(*) AS n FROM _molt_migrations WHERE status = 'success'";
const SETTINGS: Record<Dialect, string[]> = {
  postgres: [],
  mysql: ['--set', `sql_mode=${MARIADB_SQL_MODE}`],
  sqlite: [],
};

/** `molt migrate` on `<n>_<name>.sql` links, as a service's boot runs it. */
export const moltPeer: Peer = {
  name: 'molt',
  unsupported: {},
  method:
    '`molt migrate` (its CLI) on `<n>_<name>.sql` links; one transaction per file where the database has transactional DDL, a lock held on its own connection',
  historyCount: { postgres: HISTORY, mysql: HISTORY, sqlite: HISTORY },
  prepare(files, workDir, dialect) {
    files.forEach((file, i) => symlinkSync(file, join(workDir, `${seq(i)}_${migrationName(file)}.sql`)));
    return {
      apply: (url) => ({
        command: process.execPath,
        args: [BIN, 'migrate', '--db', url, '--dir', workDir, ...SETTINGS[dialect]],
      }),
    };
  },
};
