// The runner's recorder: chosen once from the driver's capabilities, it decides how progress travels. Both recorders
// run on the real MariaDB server here, counted at the session, and leave the same history.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createDriver, type Session } from '../src/drivers/index.js';
import { mysqlCapabilities, mysqlSql } from '../src/drivers/mysql/mysql-dialect.js';
import { postgresCapabilities } from '../src/drivers/postgres/postgres-dialect.js';
import { sqliteCapabilities } from '../src/drivers/sqlite/sqlite-dialect.js';
import { apply } from '../src/migrate/apply.js';
import { History } from '../src/migrate/history.js';
import { chooseRecorder } from '../src/migrate/recorder.js';
import { loadMigrations, pendingFrom, planner } from '../src/migrate/internal.js';
import { silentLogger } from '../src/runtime/index.js';
import { createMysqlDatabase, type TestDatabase } from './helpers/databases.js';

const who = { appVersion: '1.0.0', moltVersion: 'test', host: 'here' };
const FILES = {
  '0001_a.sql': 'CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\nINSERT INTO a VALUES (2);',
  '0002_b.sql': 'CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);',
};

/** The session, with every call that reaches the server counted by kind. */
function counted(session: Session, calls: string[]): Session {
  return new Proxy(session, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (key === 'exec' || key === 'query' || key === 'execAtomically') calls.push(String(key));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe('the progress recorder', () => {
  it('is chosen from capabilities: same-trip where statements sent together commit one by one', () => {
    const ctx = { sql: mysqlSql } as Parameters<typeof chooseRecorder>[1];
    assert.equal(chooseRecorder(mysqlCapabilities, ctx, []).kind, 'same-trip');
    assert.equal(chooseRecorder(postgresCapabilities, ctx, []).kind, 'separate');
    assert.equal(chooseRecorder(sqliteCapabilities, ctx, []).kind, 'separate');
  });

  const dbs: TestDatabase[] = [];
  after(async () => {
    for (const db of dbs) await db.drop();
  });

  for (const sameTrip of [true, false]) {
    it(`${sameTrip ? 'same-trip' : 'separate'} on MariaDB: ${sameTrip ? 'one round trip per statement, its row with it' : 'a round trip per statement and per row'}`, async () => {
      const db = await createMysqlDatabase();
      dbs.push(db);
      const driver = await createDriver(db.url);
      const raw = await driver.connect();
      try {
        const calls: string[] = [];
        const session = counted(raw, calls);
        const history = new History(session, driver.sql, '_molt_migrations');
        await history.ensure();
        const migrations = loadMigrations({ bundle: FILES });
        const { work } = pendingFrom(migrations, [], {}, planner(driver.sql, driver.capabilities));
        assert.deepEqual(
          work.map((w) => w.plan.mode),
          ['statements', 'statements'],
        );
        calls.length = 0;
        const capabilities = { ...driver.capabilities, multiStatementAutocommit: sameTrip };
        const done = await apply(
          { session, history, driver: { sql: driver.sql, capabilities }, log: silentLogger, ...who },
          work,
        );
        assert.equal(done.status, 'applied');
        const writes = calls.filter((c) => c !== 'query').length;
        const queries = calls.filter((c) => c === 'query').length;
        if (sameTrip) {
          // Five statements, five round trips: the first carries the `running` row, each its progress, the last of
          // 0001 records it done and opens 0002 in one commit. Only the session scope is read.
          assert.deepEqual([writes, queries], [5, 1]);
        } else {
          // A DDL statement and its progress row are two round trips; an INSERT shares a transaction with its row
          // (one atomic round trip); the `running` insert and the `done` update per file are queries of their own.
          assert.equal(writes, 2 * 2 + 3);
          assert.ok(queries >= 5, `queries: ${queries}`);
        }
        const rows = await history.read();
        assert.deepEqual(
          rows.map((r) => [r.version, r.status, r.statementsApplied, r.statementsTotal, r.statementHashes?.length]),
          [
            ['0001', 'success', 3, 3, 3],
            ['0002', 'success', 2, 2, 2],
          ],
        );
        assert.ok(rows.every((r) => r.finishedAt !== null && r.durationMs !== null));
        assert.equal(Number((await raw.query<{ n: unknown }>('SELECT count(*) AS n FROM a'))[0].n), 2);
      } finally {
        await raw.close();
      }
    });
  }
});
