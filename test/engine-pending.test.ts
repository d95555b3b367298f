// pendingFrom() decides what a run does from the migration set and history rows built in memory: no database.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postgresSql, postgresCapabilities } from '../src/drivers/postgres/postgres-dialect.js';
import { mysqlCapabilities, mysqlSql } from '../src/drivers/mysql/mysql-dialect.js';
import { MoltError } from '../src/errors.js';
import {
  judgeCompatibility,
  loadMigrations,
  newRow,
  pendingFrom,
  planner,
  type HistoryRow,
  type Migration,
  type SelectOptions,
} from '../src/migrate/internal.js';

const CONTRACT = '-- molt:phase contract\n';
const FILES = {
  '0001_init.sql': 'CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);',
  '0002_add_b.sql': 'ALTER TABLE t ADD b int;',
  '0003_drop_a.sql': `${CONTRACT}ALTER TABLE t DROP a;`,
  '0004_add_c.sql': 'ALTER TABLE t ADD c int;',
};
const who = { appVersion: '1.0.0', moltVersion: 'test', host: 'here' };
const set = (files: Record<string, string> = FILES): Migration[] => loadMigrations({ bundle: files });
const planOf = planner(postgresSql, postgresCapabilities);
const decide = (migrations: Migration[], rows: HistoryRow[], options: SelectOptions = {}) =>
  pendingFrom(migrations, rows, options, planOf);
const applied = (m: Migration, fields: Partial<HistoryRow> = {}): HistoryRow =>
  newRow(m, who, { status: 'success', finishedAt: '2026-01-01T00:00:00.000Z', ...fields });
const codes = (p: ReturnType<typeof decide>): string[] => p.verdict.problems.map((x) => x.code);
const ids = (p: ReturnType<typeof decide>): string[] => p.work.map((w) => w.migration.id);

describe('pendingFrom: what a run does, from rows in memory', () => {
  it('an empty history selects every migration, planned, from nothing', () => {
    const p = decide(set(), []);
    assert.deepEqual(codes(p), []);
    assert.equal(p.from, null);
    assert.deepEqual(ids(p), ['0001_init', '0002_add_b', '0003_drop_a', '0004_add_c']);
    assert.deepEqual(
      p.work.map((w) => [w.plan.mode, w.plan.statements.length, w.resume, w.replace]),
      [
        ['transaction', 2, null, false],
        ['transaction', 1, null, false],
        ['transaction', 1, null, false],
        ['transaction', 1, null, false],
      ],
    );
  });

  it('an up-to-date history selects nothing and names the newest version', () => {
    const m = set();
    const p = decide(
      m,
      m.map((x) => applied(x)),
    );
    assert.deepEqual([codes(p), ids(p), p.from], [[], [], '0004']);
  });

  it('an edited applied file is checksum_mismatch, and nothing is selected', () => {
    const m = set();
    const p = decide(m, [applied(m[0], { checksum: 'sha256:edited', rawHash: 'x' })]);
    assert.deepEqual(codes(p), ['checksum_mismatch']);
    assert.deepEqual(p.work, []);
    assert.deepEqual(
      p.selected.map((s) => s.id),
      ['0002_add_b', '0003_drop_a', '0004_add_c'],
    );
  });

  it('a cosmetic edit (line endings) is a warning, not a problem', () => {
    const m = set();
    const crlf = set({ ...FILES, '0001_init.sql': FILES['0001_init.sql'].replace(/\n/g, '\r\n') });
    const p = decide(crlf, [applied(m[0])]);
    assert.deepEqual(codes(p), []);
    assert.match(p.verdict.warnings.join('\n'), /Cosmetic changes only .* 0001_init/);
  });

  it('a pending file older than the newest applied one is out_of_order, unless allowed', () => {
    const m = set();
    const rows = [applied(m[0]), applied(m[2])];
    assert.deepEqual(codes(decide(m, rows)), ['out_of_order']);
    const allowed = decide(m, rows, { allowOutOfOrder: true });
    assert.deepEqual([codes(allowed), ids(allowed)], [[], ['0002_add_b', '0004_add_c']]);
  });

  it('an unknown applied contract migration is unknown_applied; unknown expand ones are compatibility mode', () => {
    const m = set();
    const future = set({ ...FILES, '0005_drop_b.sql': `${CONTRACT}ALTER TABLE t DROP b;`, '0006_add_d.sql': 'x;' });
    const rows = m.map((x) => applied(x));
    const contract = decide(m, [...rows, applied(future[4])]);
    assert.deepEqual(codes(contract), ['unknown_applied']);
    const expand = decide(m, [...rows, applied(future[5])]);
    assert.deepEqual(codes(expand), []);
    assert.equal(expand.from, '0006');
    assert.match(expand.verdict.warnings[0], /^Compatibility mode: .* 1 expand migration/);
  });

  it('a rolled-back attempt is selected again and its row replaced', () => {
    const m = set();
    const p = decide(m, [applied(m[0]), newRow(m[1], who, { status: 'rolled_back', error: 'boom' })]);
    assert.deepEqual(codes(p), []);
    assert.deepEqual(
      p.work.map((w) => [w.migration.id, w.replace]),
      [
        ['0002_add_b', true],
        ['0003_drop_a', false],
        ['0004_add_c', false],
      ],
    );
  });

  describe('resume points', () => {
    const m = set();
    const hashes = planOf(m[0]).hashes;
    const partial = (fields: Partial<HistoryRow>): HistoryRow =>
      newRow(m[0], who, {
        status: 'failed',
        statementsTotal: 2,
        statementsApplied: 1,
        statementHashes: hashes,
        ...fields,
      });

    it('a failed migration whose applied statements are unchanged resumes after them', () => {
      const p = decide(m, [partial({ errorStatement: 2, error: 'boom' })]);
      assert.deepEqual(codes(p), []);
      assert.deepEqual(
        [p.work[0].migration.id, p.work[0].resume, p.work[0].replace],
        ['0001_init', { applied: 1, interrupted: false }, true],
      );
      assert.equal(p.verdict.partial[0].failedStatement, 2);
    });

    it('an interrupted one resumes too, and says the statement may have run', () => {
      const p = decide(m, [partial({ status: 'running' })]);
      assert.deepEqual(p.work[0].resume, { applied: 1, interrupted: true });
    });

    it('an applied statement changed since is applied_statement_changed', () => {
      const p = decide(m, [partial({ statementHashes: ['0000', hashes[1]] })]);
      assert.deepEqual(codes(p), ['applied_statement_changed']);
      assert.match(p.verdict.problems[0].message, /statement 1 at bundle:0001_init\.sql:1 differs/);
    });

    it('a row without statement hashes cannot be checked, so it is failed', () => {
      assert.deepEqual(codes(decide(m, [partial({ statementHashes: null })])), ['failed']);
    });

    it('one that died inside a lock region is in doubt, never resumed', () => {
      const p = decide(m, [partial({ status: 'running', errorStatement: 1 })]);
      assert.deepEqual(codes(p), ['failed']);
      assert.match(p.verdict.problems[0].message, /LOCK TABLES region/);
    });
  });

  describe('phase and target', () => {
    const m = set();
    it('phase expand stops before the first contract migration and holds the rest back', () => {
      const p = decide(m, [], { phase: 'expand' });
      assert.deepEqual(ids(p), ['0001_init', '0002_add_b']);
      assert.deepEqual(
        p.heldBack.map((h) => [h.version, h.why]),
        [
          ['0003', 'phase'],
          ['0004', 'phase'],
        ],
      );
    });

    it('target stops after its version', () => {
      const p = decide(m, [applied(m[0])], { target: '0002' });
      assert.deepEqual(ids(p), ['0002_add_b']);
      assert.deepEqual(
        p.heldBack.map((h) => [h.version, h.why]),
        [
          ['0003', 'target'],
          ['0004', 'target'],
        ],
      );
    });

    it('planWork false decides without planning', () => {
      const p = decide(m, [], { planWork: false });
      assert.deepEqual([p.work, p.selected.length], [[], 4]);
    });
  });

  it('a selected file that cannot run throws before anything is applied; a refused run plans nothing', () => {
    const bad = set({ ...FILES, '0005_bad.sql': "INSERT INTO t VALUES ('open" });
    assert.throws(
      () => decide(bad, []),
      (e: unknown) =>
        e instanceof MoltError && e.code === 'MIGRATION_FILE_INVALID' && /0005_bad\.sql:1/.test(e.message),
    );
    const m = set();
    const refused = decide(bad, [applied(m[0], { checksum: 'sha256:edited', rawHash: 'x' })]);
    assert.deepEqual([codes(refused), refused.work], [['checksum_mismatch'], []]);
  });
});

describe('judgeCompatibility shares the expand/contract split of unknown migrations', () => {
  const m = set();
  const rows = m.map((x) => applied(x));
  it('an unknown contract migration makes the binary incompatible', () => {
    const future = set({ ...FILES, '0005_drop_b.sql': `${CONTRACT}x;` });
    const c = judgeCompatibility(m, [...rows, applied(future[4])]);
    assert.deepEqual([c.compatible, c.unknownContract, c.applied], [false, ['0005_drop_b'], '0005']);
  });
  it('an unknown expand migration keeps it compatible, ahead', () => {
    const future = set({ ...FILES, '0005_add_e.sql': 'x;' });
    const c = judgeCompatibility(m, [...rows, applied(future[4])]);
    assert.deepEqual([c.compatible, c.unknownExpand], [true, ['0005_add_e']]);
    assert.match(c.reason!, /ahead of this binary/);
  });
  it('a missing expand migration it requires makes it incompatible; its own contract ones are not required', () => {
    const c = judgeCompatibility(m, rows.slice(0, 2));
    assert.deepEqual([c.compatible, c.missing, c.required], [false, ['0004_add_c'], '0004']);
  });
});

describe('the plan says how each statement runs and is recorded', () => {
  const plan = (sql: string, dialect = postgresSql, caps = postgresCapabilities) =>
    planner(dialect, caps)(loadMigrations({ bundle: { '0001_x.sql': sql } })[0]);

  it('a file with its own BEGIN/COMMIT runs as written: opens, inside, closes, then statements on their own', () => {
    const p = plan('BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\nCREATE INDEX CONCURRENTLY a_id ON a (id);');
    assert.equal(p.mode, 'as-written');
    assert.deepEqual(
      p.steps.map((s) => s.kind),
      ['opens', 'inside', 'closes', 'alone'],
    );
  });

  it('MariaDB: DML commits together with its row, DDL alone, LOCK TABLES opens a lock region', () => {
    const p = plan(
      'CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\nLOCK TABLES a WRITE;\nUPDATE a SET id = 2;\nUNLOCK TABLES;',
      mysqlSql,
      mysqlCapabilities,
    );
    assert.equal(p.mode, 'as-written');
    assert.deepEqual(p.steps, [
      { kind: 'alone' },
      { kind: 'together' },
      { kind: 'opens', lockRegion: true },
      { kind: 'inside' },
      { kind: 'closes' },
    ]);
    assert.equal(mysqlSql.transaction.begin, 'START TRANSACTION');
  });

  it('transaction off: every statement on its own, a BEGIN included', () => {
    const p = plan('-- molt:transaction off\nBEGIN;\nINSERT INTO t VALUES (1);');
    assert.deepEqual(
      p.steps.map((s) => s.kind),
      ['alone', 'together'],
    );
  });
});
