import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mysqlSql } from '../src/drivers/mysql/mysql-dialect.js';
import { createMysqlAnalyzer } from '../src/lint/mysql/index.js';
import { serverText } from '../src/lint/mysql/source-text.js';
import { tokenize } from '../src/lint/mysql/tokens.js';
import type { Analyzer } from '../src/lint/types.js';
import { splitStatements } from '../src/sql/index.js';

/** Lints files as one released history; returns, per file, each statement's base and `code@clause` hits. */
async function lint(
  files: string[],
  options: { flavour?: 'mysql' | 'mariadb'; released?: boolean[] } = {},
): Promise<string[][]> {
  const analyzer: Analyzer = await createMysqlAnalyzer({ flavour: options.flavour });
  return files.map((text, i) => {
    const statements = splitStatements(text, mysqlSql);
    const result = analyzer.file({
      source: `f${i}.sql`,
      text,
      statements,
      outsideTransaction: false,
      released: options.released?.[i] ?? true,
    });
    assert.equal(result.length, statements.length);
    return result.map((r, k) => {
      const hits = r.hits.map((h) =>
        h.at === undefined ? h.code : `${h.code}@${statements[k].text.slice(h.at).split(/[\s,(]/)[0]}`,
      );
      return [r.base, ...hits].join(' ');
    });
  });
}

describe('mysql lint: reading statements', () => {
  it('blanks comments and unwraps executable comments at the same offsets', () => {
    const text = "/*!40101 SET NAMES utf8mb4 */ -- note\nSELECT '/* no */' # end";
    const out = serverText(text);
    assert.equal(out.length, text.length);
    assert.equal(out.replace(/\s+/g, ' ').trim(), "SET NAMES utf8mb4 SELECT '/* no */'");
  });

  it('tokenizes backquoted names, strings with escapes, numbers and user variables', () => {
    const tokens = tokenize("UPDATE `we``ird` SET a = 'it\\'s', b = 1.5e3 WHERE @x := 2");
    assert.deepEqual(
      tokens.map((t) => `${t.kind}:${t.value}`),
      [
        'word:UPDATE',
        'ident:we`ird',
        'word:SET',
        'word:A',
        'punct:=',
        "string:it's",
        'punct:,',
        'word:B',
        'punct:=',
        'number:1.5e3',
        'word:WHERE',
        'var:@X',
        'punct::',
        'punct:=',
        'number:2',
      ],
    );
  });

  it('reports one hit per offending ALTER TABLE clause, at the clause', async () => {
    const [, second] = await lint([
      "CREATE TABLE t (id INT PRIMARY KEY, a INT, b VARCHAR(10) NOT NULL DEFAULT 'x');",
      'ALTER TABLE t ADD COLUMN c INT NOT NULL, DROP COLUMN a, ADD COLUMN d INT, ALTER COLUMN b DROP DEFAULT, ALGORITHM=COPY;',
    ]);
    assert.deepEqual(second, [
      'E add-column-required@ADD drop-column@DROP drop-default@ALTER mysql-copy-algorithm@ALGORITHM=COPY',
    ]);
  });

  it('falls back to the keyword classifier where node-sql-parser fails, and keeps reading the other clauses', async () => {
    const [, second] = await lint([
      'CREATE TABLE t (id INT PRIMARY KEY, flag bool NOT NULL DEFAULT false, code VARCHAR(32) NOT NULL);',
      'ALTER TABLE t ALTER COLUMN flag SET DEFAULT true, RENAME INDEX a TO b, ADD CONSTRAINT c CHECK (id > 0) NOT ENFORCED, DISCARD TABLESPACE;',
    ]);
    assert.deepEqual(second, ['E change-default@ALTER rename-constraint@RENAME unparsed@DISCARD']);
  });

  it('catches a MODIFY that silently drops NOT NULL and changes the collation (kratos 20191100000005)', async () => {
    const [, second] = await lint([
      'CREATE TABLE ids (`id` char(36) NOT NULL, PRIMARY KEY(`id`), `identifier` VARCHAR (255) NOT NULL) ENGINE=InnoDB;',
      'ALTER TABLE ids MODIFY COLUMN identifier VARCHAR(255) BINARY;',
    ]);
    assert.deepEqual(second, ['E convert-charset@MODIFY drop-not-null@MODIFY']);
  });

  it('keeps primary-key columns NOT NULL when a MODIFY leaves NOT NULL out', async () => {
    const [, second] = await lint([
      'CREATE TABLE t (id INT NOT NULL, PRIMARY KEY (id));',
      'ALTER TABLE t MODIFY id INT;',
    ]);
    assert.deepEqual(second, ['E']);
  });

  it('treats VARCHAR growth inside one length-prefix class as a widening', async () => {
    const [, second] = await lint([
      'CREATE TABLE t (a VARCHAR(20), b VARCHAR(60), c VARCHAR(300), d VARBINARY(100));',
      'ALTER TABLE t MODIFY a VARCHAR(63), MODIFY b VARCHAR(64), MODIFY c VARCHAR(2000), MODIFY d VARBINARY(200);',
    ]);
    assert.deepEqual(second, ['E alter-column-type@MODIFY']);
  });

  it('exempts objects of an unreleased file, and stops once the file is released', async () => {
    const files = [
      'CREATE TABLE t (id INT PRIMARY KEY);',
      'ALTER TABLE t ADD COLUMN x INT;',
      'ALTER TABLE t DROP COLUMN x;',
    ];
    assert.deepEqual((await lint(files, { released: [true, false, false] }))[2], ['N']);
    assert.deepEqual((await lint(files))[2], ['N drop-column@DROP']);
  });

  it('reads mysqldump output: executable comments, SET, LOCK TABLES and DISABLE KEYS are neutral', async () => {
    const dump = [
      '/*!40101 SET NAMES utf8mb4 */;',
      'DROP TABLE IF EXISTS `people`;',
      "CREATE TABLE `people` (`id` int(11) NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`)) ENGINE=InnoDB /*!50100 COMMENT 'x' */;",
      'LOCK TABLES `people` WRITE;',
      '/*!40000 ALTER TABLE `people` DISABLE KEYS */;',
      'INSERT INTO `people` VALUES (1);',
      'UNLOCK TABLES;',
    ].join('\n');
    assert.deepEqual((await lint([dump]))[0], ['N', 'N', 'E', 'N', 'N', 'E', 'N']);
  });

  it('classifies routines, triggers and events written with DELIMITER', async () => {
    const [first, second] = await lint([
      'CREATE TABLE t (id INT PRIMARY KEY);\nDELIMITER //\nCREATE PROCEDURE p() BEGIN UPDATE t SET id = id; END //\nDELIMITER ;',
      'DELIMITER $$\nDROP PROCEDURE p$$\nCREATE DEFINER=`root`@`localhost` PROCEDURE p() BEGIN SELECT 1; END$$\nCREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.id = 1; END$$\nCALL p()$$\nCREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM t$$',
    ]);
    assert.deepEqual(first, ['E', 'E']);
    assert.deepEqual(second, ['N', 'E replace-function', 'E create-trigger', 'N call-procedure', 'N mysql-event']);
  });

  it('reads MariaDB syntax with the mariadb flavour (IF NOT EXISTS columns, CREATE OR REPLACE)', async () => {
    const [, second] = await lint(
      [
        'CREATE TABLE t (id INT PRIMARY KEY, a INT);\nCREATE PROCEDURE p() SELECT 1;',
        'ALTER TABLE t ADD COLUMN IF NOT EXISTS a INT, ADD COLUMN IF NOT EXISTS b INT NOT NULL;\nCREATE OR REPLACE PROCEDURE p() SELECT 2;',
      ],
      { flavour: 'mariadb' },
    );
    assert.deepEqual(second, ['E add-column-required@ADD', 'E replace-function']);
  });

  it('never throws on odd input', async () => {
    const odd = [
      'ALTER TABLE',
      'CREATE',
      ')))',
      'ALTER TABLE t ADD (',
      'DELETE',
      'UPDATE SET',
      'ALTER TABLE t MODIFY',
      'RENAME TABLE a',
      'SET @x = 1 +',
      "INSERT INTO t VALUES ('unterminated",
    ];
    const result = await lint(odd);
    assert.deepEqual(
      result.map((r) => r.length),
      odd.map(() => 1),
    );
    assert.ok(
      result.every(([r]) => /unparsed|^[NE]$/.test(r)),
      result.join(' | '),
    );
  });
});
