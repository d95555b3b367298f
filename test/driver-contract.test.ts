import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDriver, type Driver, type Session } from '../src/drivers/index.js';
import { DATABASES, type TestDatabase } from './helpers/databases.js';

// One contract, every driver: what the engine relies on, stated as behaviour.
for (const { kind, create } of DATABASES) {
  describe(`driver contract: ${kind}`, () => {
    let db: TestDatabase;
    let driver: Driver;
    const open: Session[] = [];
    const connect = async (): Promise<Session> => {
      const s = await driver.connect();
      open.push(s);
      return s;
    };
    before(async () => {
      db = await create();
      driver = await createDriver(db.url);
    });
    after(async () => {
      for (const s of open) await s.close();
      await db.drop();
    });

    it('runs statements with bound parameters and returns rows as objects', async () => {
      const s = await connect();
      await s.exec('CREATE TABLE contract_t (id integer PRIMARY KEY, label text)');
      await s.query(`INSERT INTO contract_t (id, label) VALUES (${driver.sql.param(1)}, ${driver.sql.param(2)})`, [
        1,
        'one',
      ]);
      const rows = await s.query<{ id: number; label: string }>('SELECT id, label FROM contract_t');
      assert.deepEqual(
        rows.map((r) => ({ id: Number(r.id), label: r.label })),
        [{ id: 1, label: 'one' }],
      );
    });

    const present = async (s: Session, table: string): Promise<boolean> => {
      const { sql, params } = driver.sql.tableExists(table);
      const [row] = await s.query<{ present: unknown }>(sql, params);
      return Boolean(Number(row.present) || row.present === true);
    };

    it('rolls back DDL in a transaction exactly when the capability says DDL is transactional', async () => {
      const s = await connect();
      await s.begin();
      await s.exec('CREATE TABLE contract_rolled_back (id integer)');
      await s.rollback();
      assert.equal(await present(s, 'contract_rolled_back'), !driver.capabilities.transactionalDdl);
    });

    it('commits statements sent as one text one by one when the capability says so', async () => {
      const s = await connect();
      await s.exec('CREATE TABLE contract_batch (id integer)');
      await assert.rejects(
        s.exec('INSERT INTO contract_batch (id) VALUES (1);\nINSERT INTO contract_batch_nope (id) VALUES (2)'),
      );
      if (await present(s, 'contract_batch_nope')) assert.fail('unexpected table');
      const rows = await s.query('SELECT id FROM contract_batch');
      // Only a database that commits each statement keeps the first insert; molt batches progress rows only there.
      if (driver.capabilities.multiStatementAutocommit) assert.equal(rows.length, 1);
    });

    it('stores a timestamp and a tricky string literal and reads back the same values', async () => {
      const s = await connect();
      const { types, timestamp, literal, param } = driver.sql;
      await s.exec(`CREATE TABLE contract_values (at ${types.timestamp}, label ${types.text})`);
      const at = '2026-03-04T05:06:07.089Z';
      const tricky = "it's a \\ back\\slash; 'quoted' \u00e9\u4e2d\u{1F600}\n-- not a comment";
      await s.query(`INSERT INTO contract_values (at, label) VALUES (${param(1)}, ${param(2)})`, [
        timestamp(at),
        'bound',
      ]);
      await s.exec(`INSERT INTO contract_values (at, label) VALUES (${literal(timestamp(at))}, ${literal(tricky)})`);
      const rows = await s.query<{ at: unknown; label: string }>('SELECT at, label FROM contract_values');
      assert.deepEqual(
        rows.map((r) => new Date(r.at as string).toISOString()),
        [at, at],
      );
      assert.deepEqual(
        rows.map((r) => r.label),
        ['bound', tricky],
      );
    });

    it('points an error at the line of the statement it comes from, within the statement', async () => {
      const s = await connect();
      const statement = 'SELECT 1\nFROM contract_t\nWHERE ((';
      await assert.rejects(s.exec(statement), (e: unknown) => {
        const line = driver.sql.errorLine(e, statement);
        assert.ok(line >= 0 && line <= 2, `line ${line} is outside the statement`);
        return true;
      });
    });

    it('reports whether a table exists', async () => {
      const s = await connect();
      const probe = async (table: string): Promise<boolean> => {
        const { sql, params } = driver.sql.tableExists(table);
        const [row] = await s.query<{ present: unknown }>(sql, params);
        return Boolean(Number(row.present) || row.present === true);
      };
      assert.equal(await probe('contract_t'), true);
      assert.equal(await probe('contract_missing'), false);
    });

    it('gives the lock to one session at a time and frees it on unlock', async () => {
      const a = await connect();
      const b = await connect();
      assert.equal(await a.tryLock('contract'), true);
      assert.equal(await b.tryLock('contract'), false);
      assert.equal(await b.isLocked('contract'), true);
      await a.unlock('contract');
      assert.equal(await b.tryLock('contract'), true);
      await b.unlock('contract');
    });

    it('frees the lock when the holding session closes, so a crash never leaves it stale', async () => {
      const a = await driver.connect();
      const b = await connect();
      assert.equal(await a.tryLock('contract-close'), true);
      await a.close();
      assert.equal(await b.tryLock('contract-close'), true);
      await b.unlock('contract-close');
    });

    it(
      'keeps locks of two databases on one server apart',
      { skip: kind === 'sqlite' ? 'an SQLite file is its own server' : false },
      async () => {
        const other = await create();
        try {
          const otherDriver = await createDriver(other.url);
          const a = await connect();
          const b = await otherDriver.connect();
          try {
            assert.equal(await a.tryLock('contract-apart'), true);
            assert.equal(await b.tryLock('contract-apart'), true, 'a lock in one database blocked another database');
          } finally {
            await b.close();
            await a.unlock('contract-apart');
          }
        } finally {
          await other.drop();
        }
      },
    );

    it('names its server version', async () => {
      const s = await connect();
      assert.match(await s.serverVersion(), /^(SQLite|PostgreSQL|MySQL|MariaDB) \d+/);
    });

    it('raises the database error with its code for a bad statement', async () => {
      const s = await connect();
      await assert.rejects(s.exec('SELECT * FROM contract_nope'), (e: { message: string; code?: string }) => {
        assert.match(e.message, /contract_nope/);
        assert.ok(e.code);
        return true;
      });
    });
  });
}
