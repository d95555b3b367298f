import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mysqlSql } from '../src/drivers/mysql/mysql-dialect.js';
import { postgresSql } from '../src/drivers/postgres/postgres-dialect.js';
import { sqliteSql } from '../src/drivers/sqlite/sqlite-dialect.js';
import { splitStatements, transactionRole } from '../src/sql/index.js';

const pg = (sql: string) => splitStatements(sql, postgresSql).map((s) => [s.line, s.text]);
const lite = (sql: string) => splitStatements(sql, sqliteSql).map((s) => [s.line, s.text]);
const my = (sql: string) => splitStatements(sql, mysqlSql).map((s) => [s.line, s.text]);

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
    const body =
      'CREATE FUNCTION g(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END; SELECT 2; END';
    assert.deepEqual(pg(`${body};\nSELECT 3;`), [
      [1, body],
      [2, 'SELECT 3'],
    ]);
  });

  it('keeps a parenthesised multi-statement rule as one statement', () => {
    assert.equal(
      pg('CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 1;')
        .length,
      2,
    );
  });

  it('keeps an SQLite trigger body, with CASE ... END inside, as one statement', () => {
    const trigger =
      "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET v = CASE WHEN NEW.v IS NULL THEN 'x' ELSE NEW.v END;\n  DELETE FROM u;\nEND";
    assert.deepEqual(lite(`${trigger};\nCREATE TABLE z (id int);`), [
      [1, trigger],
      [5, 'CREATE TABLE z (id int)'],
    ]);
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

describe('splitStatements for MySQL and MariaDB', () => {
  it('ends statements at the DELIMITER string, where semicolons end nothing, and drops the DELIMITER lines', () => {
    const proc = 'CREATE PROCEDURE p()\nBEGIN\n  SELECT 1; SELECT 2;\nEND';
    assert.deepEqual(my(`DELIMITER //\n${proc} //\nSELECT 3; SELECT 4//\ndelimiter ;\nSELECT 5;`), [
      [2, proc],
      [6, 'SELECT 3; SELECT 4'],
      [8, 'SELECT 5'],
    ]);
  });

  it('finds the delimiter inside a word, and takes one that starts with a semicolon or is quoted', () => {
    assert.deepEqual(my('DELIMITER $$\nCREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET @a = 1; END$$'), [
      [2, 'CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET @a = 1; END'],
    ]);
    assert.deepEqual(my("DELIMITER ;;\nSELECT 1; SELECT 2;;\nDELIMITER '||'\nSELECT 3 ||"), [
      [2, 'SELECT 1; SELECT 2'],
      [4, 'SELECT 3'],
    ]);
    assert.deepEqual(
      splitStatements('DELIMITER $$\nCOMMIT$$BEGIN$$', mysqlSql).map((st) => st.head),
      ['COMMIT', 'BEGIN'],
    );
  });

  it('ignores what follows the delimiter on a DELIMITER line, as the client does', () => {
    assert.deepEqual(my('  DELIMITER //   -- routines follow\r\nSELECT 1//\r\nDELIMITER ;  \r\nSELECT 2;'), [
      [2, 'SELECT 1'],
      [4, 'SELECT 2'],
    ]);
  });

  it('takes DELIMITER for a command only at the start of a line between statements', () => {
    assert.deepEqual(my("SELECT 'DELIMITER //';\n-- DELIMITER //\n/* DELIMITER // */ SELECT 1;"), [
      [1, "SELECT 'DELIMITER //'"],
      [3, 'SELECT 1'],
    ]);
    assert.deepEqual(my('SELECT 1 AS delimiter;\nSELECT a,\ndelimiter FROM t;'), [
      [1, 'SELECT 1 AS delimiter'],
      [2, 'SELECT a,\ndelimiter FROM t'],
    ]);
    assert.deepEqual(my('SELECT 1; DELIMITER //\nSELECT 2;'), [
      [1, 'SELECT 1'],
      [1, 'DELIMITER //\nSELECT 2'],
    ]);
    assert.deepEqual(my('DELIMITER\nSELECT 1;'), [[1, 'DELIMITER\nSELECT 1']]);
  });

  it('reads # comments and backslash escapes in both kinds of string; backticks escape by doubling', () => {
    assert.deepEqual(my(`# a; comment\nSELECT 'it\\'s; here', "say \\"hi;\\"", \`a;\`\`b\`; # trailing;\nSELECT 2`), [
      [2, `SELECT 'it\\'s; here', "say \\"hi;\\"", \`a;\`\`b\``],
      [3, 'SELECT 2'],
    ]);
  });

  it('keeps executable comments as statements and as part of them', () => {
    assert.deepEqual(
      my(
        "/* plain */ /*!40101 SET NAMES utf8mb4 */;\n/*M!100616 SET @a = 1 */;\nCREATE TABLE t (a int) /*!50100 COMMENT 'x;y' */;",
      ),
      [
        [1, '/*!40101 SET NAMES utf8mb4 */'],
        [2, '/*M!100616 SET @a = 1 */'],
        [3, "CREATE TABLE t (a int) /*!50100 COMMENT 'x;y' */"],
      ],
    );
    assert.equal(splitStatements('/*!40101 SET NAMES utf8mb4 */;', mysqlSql)[0].head, 'SET NAMES UTF8MB4');
  });

  it('keeps the bodies of routines written without DELIMITER, whatever their definer', () => {
    const trigger =
      'CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN IF NEW.a IS NULL THEN SET NEW.a = 1; END IF; END';
    const proc =
      'CREATE DEFINER=root@localhost PROCEDURE p() lbl: BEGIN CASE WHEN 1 THEN SELECT 1; ELSE SELECT 2; END CASE; END lbl';
    const update = 'UPDATE x SET a = IF(b, 1, 2), c = CASE WHEN d THEN 1 END';
    assert.deepEqual(my(`${trigger};\n${proc};\n${update};\nSELECT 1;`), [
      [1, trigger],
      [2, proc],
      [3, update],
      [4, 'SELECT 1'],
    ]);
  });

  it('keeps a MariaDB BEGIN NOT ATOMIC block whole, and tells it from a transaction', () => {
    const block = 'BEGIN NOT ATOMIC DECLARE c INT; SET c = 1; END';
    const statements = splitStatements(`${block};\nBEGIN;\nCOMMIT;`, mysqlSql);
    assert.deepEqual(
      statements.map((s) => s.text),
      [block, 'BEGIN', 'COMMIT'],
    );
    assert.deepEqual(
      statements.map((s) => transactionRole(s, mysqlSql)),
      ['plain', 'begin', 'end'],
    );
  });

  it('leaves the MySQL forms alone in the other dialects', () => {
    assert.deepEqual(pg('SELECT 1 # 2;\nDELIMITER //\n/*!40101 SET x = 1 */ SELECT "a\\";'), [
      [1, 'SELECT 1 # 2'],
      [2, 'DELIMITER //\n/*!40101 SET x = 1 */ SELECT "a\\"'],
    ]);
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
