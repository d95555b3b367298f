import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  createSqliteDatabase,
  queryDb,
  type TestDatabase,
} from './helpers/databases.js';
import { CORPORA, molt, reportOf } from './helpers/cli.js';
import { corpusFiles, mysqlSchemaDump, psqlScript, runMariadb, runPsql, schemaDump } from './helpers/floors.js';

const missing = existsSync(CORPORA) ? false : `the corpora are not at ${CORPORA} (set MOLT_CORPORA)`;

const POSTGRES = [
  { name: 'trigger-dev (820 files, Prisma layout)', dir: join(CORPORA, 'trigger-dev', 'migrations'), count: 820 },
  { name: 'ory-kratos postgres-up', dir: join(CORPORA, 'ory-kratos', 'postgres-up'), count: 346 },
];

describe('real migration histories apply from empty with no edit', { skip: missing }, () => {
  const dbs: TestDatabase[] = [];
  after(async () => {
    for (const db of dbs) await db.drop();
  });

  for (const corpus of POSTGRES) {
    it(`${corpus.name}: same schema as psql, and a second run changes nothing`, async () => {
      const viaMolt = await createPostgresDatabase();
      const viaPsql = await createPostgresDatabase();
      dbs.push(viaMolt, viaPsql);
      const first = await molt(['migrate', '--json', '--db', viaMolt.url, '--dir', corpus.dir]);
      assert.equal(first.code, 0, first.stderr.slice(-2000));
      const report = reportOf(first.stdout);
      assert.equal(report.status, 'migrated');
      assert.equal(report.migrations.length, corpus.count);

      runPsql(
        viaPsql.url,
        psqlScript(corpusFiles(corpus.dir), (f) => readFileSync(f, 'utf8')),
      );
      const dump = schemaDump(viaMolt.url);
      assert.ok(dump.length > 10_000, 'the dump is suspiciously small');
      assert.equal(dump, schemaDump(viaPsql.url), 'molt and psql produced different schemas');

      const second = await molt(['migrate', '--json', '--db', viaMolt.url, '--dir', corpus.dir]);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(reportOf(second.stdout).status, 'up_to_date');
      assert.equal(schemaDump(viaMolt.url), dump);
    });
  }

  it('ory-kratos sqlite3-up (694 files): same schema as the sqlite3 shell, and a second run changes nothing', async () => {
    const dir = join(CORPORA, 'ory-kratos', 'sqlite3-up');
    const viaMolt = await createSqliteDatabase();
    dbs.push(viaMolt);
    const first = await molt(['migrate', '--json', '--db', viaMolt.url, '--dir', dir]);
    assert.equal(first.code, 0, first.stderr.slice(-2000));
    assert.equal(reportOf(first.stdout).migrations.length, 694);
    const schema = async (db: TestDatabase) =>
      queryDb<{ type: string; name: string; sql: string | null }>(
        db,
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE '_molt_migrations%' AND name NOT LIKE 'sqlite_autoindex__molt%' ORDER BY type, name",
      );
    const molted = await schema(viaMolt);
    assert.ok(molted.length > 50);

    const sqlite3 = spawnSync('sqlite3', ['-version'], { encoding: 'utf8' });
    if (sqlite3.status === 0) {
      const viaShell = await createSqliteDatabase();
      dbs.push(viaShell);
      const script = corpusFiles(dir)
        .map((f) => `BEGIN;\n.read '${f}'\nCOMMIT;`)
        .join('\n');
      const r = spawnSync('sqlite3', ['-bail', viaShell.url.slice('sqlite:'.length)], {
        input: script,
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(molted, await schema(viaShell));
    }
    const second = await molt(['migrate', '--json', '--db', viaMolt.url, '--dir', dir]);
    assert.equal(reportOf(second.stdout).status, 'up_to_date');
    assert.deepEqual(await schema(viaMolt), molted);
  });

  it('ory-kratos mysql-up on MariaDB: applies 344 files, stops at 345 with the server message, and a second run changes nothing', async () => {
    const dir = join(CORPORA, 'ory-kratos', 'mysql-up');
    // Written for MySQL 8: MariaDB needs this sql_mode, and file 345 uses a MySQL 8 generated column.
    const mode = 'sql_mode=NO_ENGINE_SUBSTITUTION';
    const viaMolt = await createMysqlDatabase();
    const viaClient = await createMysqlDatabase();
    dbs.push(viaMolt, viaClient);
    const run = () => molt(['migrate', '--json', '--db', viaMolt.url, '--dir', dir, '--set', mode]);
    const history = () =>
      queryDb(viaMolt, 'SELECT version, status, statements_applied, error FROM _molt_migrations ORDER BY version');

    const first = await run();
    assert.equal(first.code, 4, first.stderr.slice(-2000));
    const report = JSON.parse(first.stdout).report;
    assert.equal(report.migrations.length, 345);
    assert.equal(report.migrations.filter((m: { status: string }) => m.status === 'applied').length, 344);
    const failed = report.migrations[344];
    assert.match(failed.source, /20260408000000000000_create_pending_traits_changes\.mysql\.up\.sql$/);
    assert.deepEqual([failed.error.statement, failed.error.statementsApplied], [4, 3]);
    assert.match(
      first.stderr,
      /create_pending_traits_changes\.mysql\.up\.sql:23 \(statement 4 of 4\): .*cannot be used in the GENERATED ALWAYS AS clause/,
    );

    const client = runMariadb(viaClient.url, corpusFiles(dir), `SET SESSION ${mode}`);
    assert.notEqual(client.status, 0, 'the mariadb client applied file 345, which MariaDB should refuse');
    assert.match(client.stderr, /ERROR 1901/);
    const dump = mysqlSchemaDump(viaMolt.url);
    assert.ok(dump.length > 10_000, 'the dump is suspiciously small');
    assert.equal(dump, mysqlSchemaDump(viaClient.url), 'molt and the mariadb client produced different schemas');

    const before = await history();
    const second = await run();
    assert.equal(second.code, 4);
    assert.match(
      second.stderr,
      /resuming 20260408000000000000_create_pending_traits_changes\.mysql\.up at statement 4 of 4/,
    );
    assert.equal(mysqlSchemaDump(viaMolt.url), dump);
    assert.deepEqual(await history(), before);
  });
});
