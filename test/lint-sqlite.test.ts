import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sqliteSql } from '../src/drivers/sqlite/sqlite-dialect.js';
import { createSqliteAnalyzer } from '../src/lint/sqlite/index.js';
import type { StatementAnalysis } from '../src/lint/types.js';
import { splitStatements } from '../src/sql/index.js';

/** Lints files in order (all released unless `unreleasedFrom` says which index starts the new release). */
async function lint(files: string[], unreleasedFrom = Infinity): Promise<StatementAnalysis[][]> {
  const analyzer = await createSqliteAnalyzer({});
  try {
    return files.map((text, i) =>
      analyzer.file({
        source: `${i}.sql`,
        text,
        statements: splitStatements(text, sqliteSql),
        outsideTransaction: false,
        released: i < unreleasedFrom,
      }),
    );
  } finally {
    analyzer.close?.();
  }
}

const codes = (a: StatementAnalysis): string[] => a.hits.map((h) => h.code);
const messages = (a: StatementAnalysis): string[] => a.hits.map((h) => h.message);

describe('sqlite analyzer', () => {
  it('reads a rebuild spread over files as one change, and an index recreated later as a restore', async () => {
    const [, create, copy, drop, rename, index] = await lint([
      'CREATE TABLE flows (id TEXT PRIMARY KEY, ui TEXT, nid CHAR(36) REFERENCES networks (id) ON DELETE CASCADE); CREATE INDEX flows_nid_idx ON flows (id, nid);',
      'CREATE TABLE "_flows_tmp" ("id" TEXT PRIMARY KEY, "ui" TEXT NOT NULL, "nid" char(36));',
      'INSERT INTO "_flows_tmp" (id, ui, nid) SELECT id, ui, nid FROM "flows";',
      'DROP TABLE "flows";',
      'ALTER TABLE "_flows_tmp" RENAME TO "flows";',
      'CREATE INDEX "flows_nid_idx" ON "flows" (id, nid);',
    ]);
    assert.deepEqual(create.map(codes), [[]]);
    assert.deepEqual(copy.map(codes), [['table-rebuild']]);
    assert.deepEqual(drop.map(codes), [['set-not-null', 'drop-constraint']]);
    assert.match(messages(drop[0])[1], /drops foreign key \(nid\) → networks\(id\) ON DELETE CASCADE from flows/);
    assert.deepEqual(rename.map(codes), [[]]);
    assert.deepEqual(index.map(codes), [[]]);
  });

  it('puts a same-file rebuild on its DROP and reports neither drop-table nor rename-table', async () => {
    const [, rebuild] = await lint([
      'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, legacy TEXT, age TEXT); CREATE INDEX users_email_idx ON users (email);',
      `PRAGMA foreign_keys = OFF;
       CREATE TABLE new_users (id INTEGER PRIMARY KEY, mail TEXT, age INTEGER CHECK (age >= 0));
       INSERT INTO new_users (id, mail, age) SELECT id, email, age FROM users;
       DROP TABLE users;
       ALTER TABLE new_users RENAME TO users;
       PRAGMA foreign_keys = ON;`,
    ]);
    assert.deepEqual(rebuild.map(codes), [
      [],
      [],
      ['table-rebuild'],
      ['rename-column', 'drop-column', 'alter-column-type', 'add-check', 'drop-index'],
      [],
      [],
    ]);
    assert.deepEqual(
      rebuild.map((a) => a.base),
      ['N', 'E', 'E', 'N', 'N', 'N'],
    );
  });

  it('recognizes the rebuild through a TEMP backup table (the old SQLite FAQ recipe)', async () => {
    const [, faq] = await lint([
      'CREATE TABLE t1 (a INTEGER, b TEXT, c TEXT);',
      `BEGIN TRANSACTION;
       CREATE TEMPORARY TABLE t1_backup (a INTEGER, b TEXT);
       INSERT INTO t1_backup SELECT a, b FROM t1;
       DROP TABLE t1;
       CREATE TABLE t1 (a INTEGER, b TEXT);
       INSERT INTO t1 SELECT a, b FROM t1_backup;
       DROP TABLE t1_backup;
       COMMIT;`,
    ]);
    assert.deepEqual(faq.map(codes), [[], [], ['table-rebuild'], ['drop-column'], [], ['table-rebuild'], [], []]);
  });

  it('reads CREATE TABLE ... AS SELECT as the copy of a rebuild, and a copy into a table with rows of its own as no rebuild', async () => {
    const [, ctas, archive] = await lint([
      'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT); CREATE TABLE archive (id INTEGER, email TEXT);',
      'CREATE TABLE users_new AS SELECT id, email FROM users; DROP TABLE users; ALTER TABLE users_new RENAME TO users;',
      'INSERT INTO archive SELECT id, email FROM users; DROP TABLE archive;',
    ]);
    assert.deepEqual(ctas.map(codes), [['table-rebuild'], ['drop-column', 'drop-not-null', 'drop-constraint'], []]);
    assert.deepEqual(archive.map(codes), [[], ['drop-table']]);
  });

  it('reads a column rebuilt through a copy column as one change of that column', async () => {
    const [, addCopyDrop, renameAddDrop] = await lint([
      'CREATE TABLE codes (id INTEGER PRIMARY KEY, kind CHAR(4) NOT NULL, token TEXT NOT NULL);',
      `ALTER TABLE codes ADD COLUMN kind_new VARCHAR(36);
       UPDATE codes SET kind_new = kind;
       ALTER TABLE codes DROP COLUMN kind;
       ALTER TABLE codes RENAME COLUMN kind_new TO kind;`,
      `ALTER TABLE codes RENAME COLUMN token TO old_token;
       ALTER TABLE codes ADD COLUMN token VARCHAR(64) NOT NULL DEFAULT '';
       UPDATE codes SET token = old_token WHERE true;
       ALTER TABLE codes DROP COLUMN old_token;`,
    ]);
    assert.deepEqual(addCopyDrop.map(codes), [[], ['backfill'], ['drop-not-null'], []]);
    assert.deepEqual(renameAddDrop.map(codes), [[], [], ['backfill'], []]);
  });

  it('warns when renaming the original aside drags other tables’ foreign keys with it', async () => {
    const [, rebuild] = await lint([
      'CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));',
      'ALTER TABLE parent RENAME TO parent_old; CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO parent SELECT * FROM parent_old; DROP TABLE parent_old;',
    ]);
    assert.deepEqual(rebuild.map(codes), [['drop-constraint'], [], ['table-rebuild'], []]);
    assert.match(messages(rebuild[0])[0], /foreign keys of child follow parent to parent_old/);
  });

  it('compares with the schema of the last released file', async () => {
    const [, , dropReleased, addDropFresh] = await lint(
      [
        'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);',
        'ALTER TABLE users ADD COLUMN nickname TEXT;',
        'ALTER TABLE users DROP COLUMN nickname;',
        'ALTER TABLE users ADD COLUMN scratch TEXT; ALTER TABLE users DROP COLUMN scratch;',
      ],
      2,
    );
    assert.deepEqual(dropReleased.map(codes), [['drop-column']]);
    assert.deepEqual(addDropFresh.map(codes), [[], []]);
  });

  it('reads "double-quoted" strings the way stock SQLite builds do', async () => {
    const [[create, insert, update]] = await lint([
      `CREATE TABLE t (a TEXT DEFAULT "none", b TEXT CHECK (b IN ("x", "y")));
       INSERT INTO t (a, b) VALUES ("hello", "x");
       UPDATE t SET a = "bye" WHERE a = "hello";`,
    ]);
    assert.deepEqual([codes(create), codes(insert), codes(update)], [[], [], []]);
  });

  it('applies the ALTER TABLE forms of SQLite 3.53 that the embedded engine predates', async () => {
    const [, [add, drop, setNotNull, dropNotNull, missing]] = await lint([
      'CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, label TEXT NOT NULL);',
      `ALTER TABLE t ADD CONSTRAINT n_positive CHECK (n > 0);
       ALTER TABLE t DROP CONSTRAINT n_positive;
       ALTER TABLE t ALTER COLUMN n SET NOT NULL;
       ALTER TABLE t ALTER label DROP NOT NULL;
       ALTER TABLE t DROP CONSTRAINT no_such_thing;`,
    ]);
    assert.deepEqual([add, drop, setNotNull, dropNotNull, missing].map(codes), [
      ['add-check'],
      ['drop-constraint'],
      ['set-not-null'],
      ['drop-not-null'],
      ['sqlite-rejected'],
    ]);
    assert.match(messages(missing)[0], /no such constraint: no_such_thing/);
  });

  it('keeps no rows from seed inserts, so later DDL does not fail on replay-only data', async () => {
    const [, seed, alter] = await lint([
      'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);',
      "INSERT INTO users (email) VALUES ('a'), ('a'); INSERT INTO users (nope) VALUES (1);",
      'ALTER TABLE users ADD COLUMN tenant TEXT NOT NULL; CREATE UNIQUE INDEX users_email_key ON users (email);',
    ]);
    assert.deepEqual(seed.map(codes), [[], ['sqlite-rejected']]);
    assert.match(messages(seed[1])[0], /no column named nope/);
    assert.deepEqual(alter.map(codes), [['add-column-required'], ['add-unique']]);
  });

  it('treats an INSTEAD OF trigger on a released view like a table trigger', async () => {
    const [, [trigger]] = await lint([
      'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); CREATE VIEW user_emails AS SELECT id, email FROM users;',
      'CREATE TRIGGER user_emails_insert INSTEAD OF INSERT ON user_emails BEGIN INSERT INTO users (email) VALUES (NEW.email); END;',
    ]);
    assert.deepEqual(codes(trigger), ['create-trigger']);
  });

  it('explains a failure caused by an earlier refused CREATE', async () => {
    const [[create, insert]] = await lint([
      "CREATE VIRTUAL TABLE docs USING app_module(body); INSERT INTO docs (body) VALUES ('x');",
    ]);
    assert.match(messages(create)[0], /no such module: app_module/);
    assert.match(messages(insert)[0], /no such table: docs \(SQLite also refused the statement that creates it\)/);
  });

  it('never touches the files a migration names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'molt-lint-sqlite-'));
    try {
      const [[attach, create, detach, vacuum]] = await lint([
        `ATTACH DATABASE '${join(dir, 'other.db')}' AS other; CREATE TABLE other.x (a); DETACH other; VACUUM INTO '${join(dir, 'copy.db')}';`,
      ]);
      assert.deepEqual([attach, create, detach, vacuum].map(codes), [[], [], [], []]);
      assert.equal(existsSync(join(dir, 'other.db')), false);
      assert.equal(existsSync(join(dir, 'copy.db')), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('returns one analysis per statement whatever the input', async () => {
    const junk = [
      '',
      '-- nothing',
      'garbage here; ;;; SELECT',
      'CREATE TABLE (;',
      "INSERT INTO nowhere VALUES ('x",
      'ALTER TABLE; DROP; REINDEX; PRAGMA;',
      'WITH x AS (SELECT 1) SELECT * FROM x',
    ];
    const results = await lint(junk);
    results.forEach((analyses, i) => assert.equal(analyses.length, splitStatements(junk[i], sqliteSql).length));
  });
});
