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
      await s.query(`INSERT INTO contract_t (id, label) VALUES (${driver.sql.param(1)}, ${driver.sql.param(2)})`, [1, 'one']);
      const rows = await s.query<{ id: number; label: string }>('SELECT id, label FROM contract_t');
      assert.deepEqual(rows.map((r) => ({ id: Number(r.id), label: r.label })), [{ id: 1, label: 'one' }]);
    });

    it('rolls back a transaction, DDL included, when the capability says DDL is transactional', async () => {
      assert.equal(driver.capabilities.transactionalDdl, true);
      const s = await connect();
      await s.begin();
      await s.exec('CREATE TABLE contract_rolled_back (id integer)');
      await s.rollback();
      const { sql, params } = driver.sql.tableExists('contract_rolled_back');
      const [row] = await s.query<{ present: unknown }>(sql, params);
      assert.equal(Boolean(Number(row.present) || row.present === true), false);
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

    it('names its server version', async () => {
      const s = await connect();
      assert.match(await s.serverVersion(), /^(SQLite|PostgreSQL) \d+/);
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
