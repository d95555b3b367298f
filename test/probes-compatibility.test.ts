import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { judgeCompatibility, loadMigrations, newRow, type HistoryRow, type Phase } from '../src/migrate/internal.js';
import { migrate } from '../src/index.js';
import { createProbes } from '../src/probes/index.js';
import { DATABASES, type TestDatabase } from './helpers/databases.js';

const CONTRACT = '-- molt:phase contract\n';
const set = (files: Record<string, string>) => loadMigrations({ bundle: files });
const release1 = { '0001_init.sql': 'CREATE TABLE t (a int);', '0002_add_b.sql': 'ALTER TABLE t ADD b int;' };
const release2 = {
  ...release1,
  '0003_add_c.sql': 'ALTER TABLE t ADD c int;',
  '0004_drop_a.sql': `${CONTRACT}ALTER TABLE t DROP a;`,
};

function row(id: string, phase = 'expand', status: HistoryRow['status'] = 'success'): HistoryRow {
  const [version, ...name] = id.split('_');
  return newRow(
    { version, name: name.join('_'), phase: phase as Phase },
    { appVersion: null, moltVersion: 'test', host: 'here' },
    { status },
  );
}

describe('judgeCompatibility', () => {
  it('is compatible when every migration of the binary is applied', () => {
    const c = judgeCompatibility(set(release1), [row('0001_init'), row('0002_add_b')]);
    assert.deepEqual(c, {
      compatible: true,
      applied: '0002',
      required: '0002',
      missing: [],
      unknownExpand: [],
      unknownContract: [],
      reason: null,
    });
  });

  it("does not require the binary's own contract migrations, which run after the roll", () => {
    const c = judgeCompatibility(set(release2), [row('0001_init'), row('0002_add_b'), row('0003_add_c')]);
    assert.equal(c.compatible, true);
    assert.equal(c.required, '0003');
    assert.equal(c.applied, '0003');
    assert.deepEqual(c.missing, []);
  });

  it('is incompatible when a required migration is not applied, and names it', () => {
    const c = judgeCompatibility(set(release2), [row('0001_init'), row('0002_add_b')]);
    assert.equal(c.compatible, false);
    assert.deepEqual(c.missing, ['0003_add_c']);
    assert.match(c.reason!, /requires are not applied: 0003_add_c/);
  });

  it('counts only success and baseline rows as applied', () => {
    const c = judgeCompatibility(set(release1), [
      row('0001_init', 'expand', 'baseline'),
      row('0002_add_b', 'expand', 'failed'),
    ]);
    assert.equal(c.compatible, false);
    assert.equal(c.applied, '0001');
    assert.deepEqual(c.missing, ['0002_add_b']);
    const rolledBack = judgeCompatibility(set(release1), [
      row('0001_init'),
      row('0002_add_b', 'expand', 'rolled_back'),
      row('0002_add_b', 'expand', 'running'),
    ]);
    assert.deepEqual(rolledBack.missing, ['0002_add_b']);
  });

  it('accepts a database that is ahead with expand migrations, never asking for "schema == head"', () => {
    const c = judgeCompatibility(set(release1), [row('0001_init'), row('0002_add_b'), row('0003_add_c')]);
    assert.equal(c.compatible, true);
    assert.equal(c.applied, '0003');
    assert.equal(c.required, '0002');
    assert.deepEqual(c.unknownExpand, ['0003_add_c']);
    assert.match(c.reason!, /ahead of this binary with expand migration\(s\) 0003_add_c/);
  });

  it('refuses a database holding a contract migration from a newer release', () => {
    const c = judgeCompatibility(set(release1), [
      row('0001_init'),
      row('0002_add_b'),
      row('0003_add_c'),
      row('0004_drop_a', 'contract'),
    ]);
    assert.equal(c.compatible, false);
    assert.deepEqual(c.unknownExpand, ['0003_add_c']);
    assert.deepEqual(c.unknownContract, ['0004_drop_a']);
    assert.match(c.reason!, /contract migration\(s\) this binary does not know: 0004_drop_a/);
  });

  it('treats an unknown migration with an unreadable phase as contract', () => {
    const c = judgeCompatibility(set(release1), [row('0001_init'), row('0002_add_b'), row('0003_odd', 'null')]);
    assert.deepEqual(c.unknownContract, ['0003_odd']);
    assert.equal(c.compatible, false);
  });

  it('requires nothing of an empty set and reports an empty history as applied: null', () => {
    assert.deepEqual(judgeCompatibility([], []), {
      compatible: true,
      applied: null,
      required: null,
      missing: [],
      unknownExpand: [],
      unknownContract: [],
      reason: null,
    });
    const c = judgeCompatibility(set(release1), []);
    assert.equal(c.applied, null);
    assert.deepEqual(c.missing, ['0001_init', '0002_add_b']);
  });

  it('compares versions as integers, so 20-digit versions and unpadded ones order right', () => {
    const c = judgeCompatibility(set({ '9_a.sql': 'SELECT 1;', '20261122093000000000_b.sql': 'SELECT 1;' }), [
      row('20261122093000000000_b'),
      row('9_a'),
    ]);
    assert.equal(c.applied, '20261122093000000000');
    assert.equal(c.required, '20261122093000000000');
    assert.equal(c.compatible, true);
  });
});

describe('probes read the schema through each driver', () => {
  const dbs: TestDatabase[] = [];
  after(async () => {
    for (const db of dbs) await db.drop();
  });

  for (const { kind, create } of DATABASES) {
    it(`${kind}: a database without a history is behind; once migrated, the probes pass`, async () => {
      const db = await create();
      dbs.push(db);
      // An empty SQLite file: the probes never create one themselves.
      if (kind === 'sqlite') writeFileSync(db.url.slice('sqlite:'.length), '');
      const probes = createProbes({
        database: { url: db.url },
        bundle: release2,
        logger: false,
        timings: { checkInterval: '30ms' },
      });
      const compatibility = async (
        accept: (c: NonNullable<ReturnType<typeof probes.readiness>['checks']>[string][number]) => boolean,
      ) => {
        const deadline = Date.now() + 10_000;
        for (;;) {
          const c = probes.readiness().checks!['migrations:compatibility'][0];
          if (accept(c) || Date.now() > deadline) return c;
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      try {
        probes.markReady();
        const empty = await compatibility((c) => c.observedValue !== undefined);
        assert.deepEqual(empty.observedValue, {
          applied: null,
          required: '0003',
          missing: ['0001_init', '0002_add_b', '0003_add_c'],
          unknownExpand: [],
          unknownContract: [],
        });
        await migrate({ db: db.url, bundle: release2, logger: false });
        // The binary's own contract migration is not required: the check may pass before 0004 lands.
        const done = await compatibility((c) => (c.observedValue as { applied: string }).applied === '0004');
        assert.deepEqual(done.observedValue, {
          applied: '0004',
          required: '0003',
          missing: [],
          unknownExpand: [],
          unknownContract: [],
        });
        assert.equal(probes.readiness().status, 'pass');
      } finally {
        await probes.close();
      }
    });
  }
});
