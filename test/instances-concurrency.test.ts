// Many instances registering at once, as replicas that boot together do: on MariaDB the purge and the inserts can
// deadlock, and the server rolls one transaction back; that registration runs again instead of failing the boot.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createDriver } from '../src/drivers/index.js';
import { InstancesTable, tableNames } from '../src/migrate/internal.js';
import { createMysqlDatabase, createPostgresDatabase, queryDb, type TestDatabase } from './helpers/databases.js';
import { molt, migrationsDir } from './helpers/cli.js';

const dbs: TestDatabase[] = [];
after(async () => {
  for (const db of dbs) await db.drop();
});

describe('registering instances at once', () => {
  for (const [name, create] of [
    ['MariaDB', createMysqlDatabase],
    ['PostgreSQL', createPostgresDatabase],
  ] as const) {
    it(
      `${name}: 24 sessions register together, purging as they go, and every row is there`,
      { timeout: 60_000 },
      async () => {
        const db = await create();
        dbs.push(db);
        // molt's own tables, made the way a service's first boot makes them.
        const made = await molt([
          'migrate',
          '--db',
          db.url,
          '--dir',
          migrationsDir({ '0001_t.sql': 'CREATE TABLE t (id int);\n' }),
        ]);
        assert.equal(made.code, 0, made.stderr);
        const driver = await createDriver(db.url);
        const sessions = await Promise.all(Array.from({ length: 24 }, () => driver.connect()));
        try {
          const names = tableNames('_molt_migrations', (part) => driver.sql.quote(part));
          for (let round = 0; round < 3; round++) {
            await Promise.all(
              sessions.map((session, i) =>
                new InstancesTable(session, driver.sql, names).register(
                  {
                    id: `r${round}-i${i}`,
                    name: `web-${i}`,
                    host: 'h',
                    pid: i,
                    appVersion: '1.0.0',
                    commit: null,
                    knows: { newest: '0001', contracts: [] },
                    state: 'serving',
                    ttlMs: 30_000,
                  },
                  0,
                ),
              ),
            );
          }
        } finally {
          await Promise.all(sessions.map((s) => s.close()));
        }
        const rows = await queryDb<{ n: unknown }>(db, 'SELECT count(*) AS n FROM _molt_migrations_instances');
        assert.equal(Number(rows[0]!.n), 72);
      },
    );
  }
});
