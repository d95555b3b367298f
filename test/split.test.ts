import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postgresSql } from '../src/drivers/postgres/postgres-dialect.js';
import { sqliteSql } from '../src/drivers/sqlite/sqlite-dialect.js';
import { splitStatements, transactionRole } from '../src/sql/index.js';

const pg = (sql: string) => splitStatements(sql, postgresSql).map((s) => [s.line, s.text]);
const lite = (sql: string) => splitStatements(sql, sqliteSql).map((s) => [s.line, s.text]);

describe('splitStatements', () => {
  it('splits on semicolons and reports the line of each statement’s first token', () => {
    assert.deepEqual(pg('-- header\nCREATE TABLE a (id int);\n\n  INSERT INTO a VALUES (1);'), [
      [2, 'CREATE TABLE a (id int)'],
      [4, 'INSERT INTO a VALUES (1)'],
    ]);
  });

  it('keeps semicolons inside strings, quoted identifiers and comments', () => {
    assert.deepEqual(pg(`INSERT INTO "we;ird" VALUES ('a;b', 'it''s; fine'); /* x; y */ SELECT 1;`), [
      [1, `INSERT INTO "we;ird" VALUES ('a;b', 'it''s; fine')`],
      [1, 'SELECT 1'],
    ]);
  });

  it('keeps PostgreSQL dollar-quoted bodies, tagged or not, and E strings with escaped quotes', () => {
    const fn = `CREATE FUNCTION f() RETURNS trigger AS $body$\nBEGIN\n  NEW.x := 1; RETURN NEW;\nEND;\n$body$ LANGUAGE plpgsql`;
    assert.deepEqual(pg(`${fn};\nDO $$ BEGIN PERFORM 1; END $$;\nSELECT E'it\\'s;';`), [
      [1, fn],
      [6, 'DO $$ BEGIN PERFORM 1; END $$'],
      [7, "SELECT E'it\\'s;'"],
    ]);
  });

  it('does not take positional parameters or identifiers with $ for dollar quotes', () => {
    assert.equal(pg('PREPARE p AS SELECT $1; SELECT a$b FROM t;').length, 2);
  });

  it('handles nested block comments in PostgreSQL', () => {
    assert.deepEqual(pg('/* a /* b; */ c; */ SELECT 1; SELECT 2'), [
      [1, 'SELECT 1'],
      [1, 'SELECT 2'],
    ]);
  });

  it('keeps a BEGIN ATOMIC function body, with CASE ... END inside, as one statement', () => {
    const body = 'CREATE FUNCTION g(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END; SELECT 2; END';
    assert.deepEqual(pg(`${body};\nSELECT 3;`), [[1, body], [2, 'SELECT 3']]);
  });

  it('keeps a parenthesised multi-statement rule as one statement', () => {
    assert.equal(pg('CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 1;').length, 2);
  });

  it('keeps an SQLite trigger body, with CASE ... END inside, as one statement', () => {
    const trigger = "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET v = CASE WHEN NEW.v IS NULL THEN 'x' ELSE NEW.v END;\n  DELETE FROM u;\nEND";
    assert.deepEqual(lite(`${trigger};\nCREATE TABLE z (id int);`), [[1, trigger], [5, 'CREATE TABLE z (id int)']]);
  });

  it('drops empty statements and comment-only text', () => {
    assert.deepEqual(pg(';;\n-- only a comment\n/* and this */\n'), []);
  });

  it('gives the leading words for classification', () => {
    const [s] = splitStatements('-- c\ncreate unique index concurrently if not exists "i" on t (a);', postgresSql);
    assert.equal(s.head.startsWith('CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS'), true);
    assert.equal(transactionRole(s, postgresSql), 'non-transactional');
  });
});

describe('transactionRole', () => {
  const role = (sql: string) => transactionRole(splitStatements(sql, postgresSql)[0], postgresSql);
  it('tells transaction control from ordinary statements', () => {
    assert.equal(role('BEGIN'), 'begin');
    assert.equal(role('START TRANSACTION ISOLATION LEVEL SERIALIZABLE'), 'begin');
    assert.equal(role('COMMIT'), 'end');
    assert.equal(role('END'), 'end');
    assert.equal(role('ROLLBACK TO SAVEPOINT s'), 'plain');
    assert.equal(role('VACUUM ANALYZE t'), 'non-transactional');
    assert.equal(role('DROP INDEX CONCURRENTLY i'), 'non-transactional');
    assert.equal(role('CREATE INDEX i ON t (a)'), 'plain');
  });
});
