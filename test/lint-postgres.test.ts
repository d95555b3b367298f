import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { postgresSql } from '../src/drivers/postgres/postgres-dialect.js';
import { createPostgresAnalyzer } from '../src/lint/postgres/index.js';
import { SqlText } from '../src/lint/postgres/positions.js';
import { RULES } from '../src/lint/rules/index.js';
import type { Analyzer, Hit, StatementAnalysis } from '../src/lint/types.js';
import { splitStatements } from '../src/sql/index.js';
import { CORPORA } from './helpers/cli.js';

interface Step {
  sql: string;
  released?: boolean;
  outsideTransaction?: boolean;
}

/** Lints a history (one string per file) and returns each file's statements with their analyses. */
async function run(files: (string | Step)[]): Promise<{ text: string; analysis: StatementAnalysis }[][]> {
  const analyzer = await createPostgresAnalyzer({});
  return files.map((file) => lintOne(analyzer, typeof file === 'string' ? { sql: file } : file));
}

function lintOne(analyzer: Analyzer, step: Step): { text: string; analysis: StatementAnalysis }[] {
  const statements = splitStatements(step.sql, postgresSql);
  const analyses = analyzer.file({
    source: 'test.sql',
    text: step.sql,
    statements,
    outsideTransaction: step.outsideTransaction ?? false,
    released: step.released ?? true,
  });
  assert.equal(analyses.length, statements.length);
  return statements.map((s, i) => ({ text: s.text, analysis: analyses[i] }));
}

const codes = (entry: { analysis: StatementAnalysis }): string[] => entry.analysis.hits.map((h) => h.code);
const clause = (entry: { text: string; analysis: StatementAnalysis }, hit: Hit): string =>
  entry.text.slice(hit.at ?? 0, (hit.at ?? 0) + 12);

describe('postgres analyzer: positions', () => {
  it('points at the clause of an ALTER TABLE after multi-byte text (byte offsets become UTF-16 indexes)', async () => {
    const [, [alter]] = await run([
      `CREATE TABLE "Ünïcødé" (a int, "b✓" text, c int);`,
      `ALTER TABLE "Ünïcødé" ADD COLUMN d text DEFAULT 'déjà ✓ 😀', DROP COLUMN "b✓", ALTER COLUMN c TYPE bigint;`,
    ]);
    assert.deepEqual(codes(alter), ['drop-column', 'alter-column-type']);
    assert.equal(clause(alter, alter.analysis.hits[0]), 'DROP COLUMN ');
    assert.equal(clause(alter, alter.analysis.hits[1]), 'ALTER COLUMN');
    assert.match(alter.analysis.hits[0].message, /Ünïcødé\.b✓/);
  });

  it('puts a syntax error where the parser stopped, counting astral characters as two UTF-16 units', async () => {
    const [[bad]] = await run([`SELECT '😀 ✓ é' AS x FROM t WHER id = 1;`]);
    assert.deepEqual(codes(bad), ['syntax-error']);
    assert.equal(clause(bad, bad.analysis.hits[0]), 'id = 1');
  });

  it('maps code-point cursors and byte offsets on its own', () => {
    const text = new SqlText('é😀x', 10);
    assert.equal(text.atCodePoint(2), 13);
    assert.equal(text.atByte(6), 13);
    assert.equal(new SqlText('abc', 0, true).atByte(1), undefined);
  });

  it('points into a DO block at the statement it runs', async () => {
    const [, [block]] = await run([
      'CREATE TABLE t (a int, b text);',
      `DO $$\nBEGIN\n  RAISE NOTICE 'é✓';\n  UPDATE t SET a = 1;\n  EXECUTE 'DROP TABLE t';\nEND $$;`,
    ]);
    assert.deepEqual(codes(block), ['update-rows', 'dynamic-sql']);
    assert.equal(clause(block, block.analysis.hits[0]), 'UPDATE t SET');
    assert.equal(clause(block, block.analysis.hits[1]), "EXECUTE 'DRO");
  });
});

describe('postgres analyzer: odd input never throws', () => {
  it('classifies psql meta-commands, COPY data, comment-only and empty files', async () => {
    const files = await run([
      '',
      '-- nothing here\n/* at all */',
      '\\connect other',
      'COPY t (a) FROM stdin;\n1\n2\n\\.\n',
      'SELECT 1;;;',
    ]);
    assert.equal(files[0].length, 0);
    assert.equal(files[1].length, 0);
    assert.deepEqual(codes(files[2][0]), ['syntax-error']);
    assert.ok(files[3].some((s) => codes(s).includes('syntax-error')));
    for (const file of files)
      for (const s of file) for (const h of s.analysis.hits) assert.ok(RULES.has(h.code), h.code);
  });

  it('reads PL/pgSQL errors in DO blocks and function bodies as syntax errors', async () => {
    const [[block, fn]] = await run([
      'DO $$ BEGIN GET DIAGNOSTICS n = ROW_COUNT; END $$;\nCREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN SELEC 1; END $$;',
    ]);
    assert.deepEqual(codes(block), ['syntax-error']);
    assert.deepEqual(codes(fn), ['syntax-error']);
  });
});

describe('postgres analyzer: history', () => {
  it('treats objects of the last released file as old in the first unreleased one', async () => {
    const [, [update]] = await run(['CREATE TABLE t (a int);', { sql: 'UPDATE t SET a = 1;', released: false }]);
    assert.deepEqual(codes(update), ['update-rows']);
  });

  it('keeps objects of unreleased files new until a released file', async () => {
    const [, , [drop]] = await run([
      'CREATE TABLE t (a int);',
      { sql: 'ALTER TABLE t ADD COLUMN b int;', released: false },
      { sql: 'ALTER TABLE t DROP COLUMN b;', released: false },
    ]);
    assert.deepEqual(codes(drop), []);
  });

  it('classifies what a helper function does where the migration calls it', async () => {
    const [, [, call, dropHelper]] = await run([
      'CREATE TABLE t (a int, b text);',
      `CREATE FUNCTION cleanup() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DELETE FROM t WHERE a IS NULL; END $$;
       SELECT cleanup();
       DROP FUNCTION cleanup();`,
    ]);
    assert.deepEqual(codes(call), ['delete-rows']);
    assert.equal(call.analysis.hits[0].message, 'calls cleanup(), which deletes rows of t');
    assert.deepEqual(codes(dropHelper), []);
  });

  it('keeps a NOT VALID + VALIDATE pair apart when the file runs outside a transaction', async () => {
    const sql = 'ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT c;';
    const [, [, inTx]] = await run(['CREATE TABLE t (a int);', sql]);
    const [, [, outside]] = await run(['CREATE TABLE t (a int);', { sql, outsideTransaction: true }]);
    assert.deepEqual(codes(inTx), ['validate-in-transaction']);
    assert.deepEqual(codes(outside), []);
  });

  it('follows renames of tables, columns and types', async () => {
    const [, , [widen, drop]] = await run([
      'CREATE TABLE a (v varchar(10));',
      'ALTER TABLE a RENAME TO b; ALTER TABLE b RENAME COLUMN v TO w;',
      'ALTER TABLE b ALTER COLUMN w TYPE varchar(20); ALTER TABLE b DROP COLUMN w;',
    ]);
    assert.deepEqual(codes(widen), []);
    assert.equal(widen.analysis.base, 'E');
    assert.deepEqual(codes(drop), ['drop-column']);
  });
});

// The whole trigger-dev history through the analyzer. Its speed is measured by bench/lint.ts (BENCHMARKS.md), not
// here: a timed test fails on a busy machine, not on slow code.
describe(
  'postgres analyzer: a real history',
  { skip: !existsSync(join(CORPORA, 'trigger-dev')) && 'corpora missing' },
  () => {
    let texts: string[] = [];
    before(() => {
      const dir = join(CORPORA, 'trigger-dev', 'migrations');
      texts = readdirSync(dir)
        .sort()
        .map((d) => join(dir, d, 'migration.sql'))
        .filter((p) => existsSync(p))
        .map((p) => readFileSync(p, 'utf8'));
    });

    it('analyses every statement of the 820 trigger-dev files', async () => {
      const analyzer = await createPostgresAnalyzer({});
      assert.equal(texts.length, 820);
      let statements = 0;
      for (const sql of texts) statements += lintOne(analyzer, { sql }).length;
      assert.ok(statements > texts.length, `${statements} statements`);
    });
  },
);
