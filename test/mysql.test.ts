import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import { serverSupport } from '../src/drivers/mysql/mysql-errors.js';
import { createMysqlDatabase, queryDb, type TestDatabase } from './helpers/databases.js';
import { ROOT, migrationsDir, molt, reportOf } from './helpers/cli.js';

const golden = (name: string): string => readFileSync(join(ROOT, 'test', 'golden', 'split', name), 'utf8');

describe('MySQL and MariaDB specifics', () => {
  const dbs: TestDatabase[] = [];
  const fresh = async (): Promise<TestDatabase> => {
    const db = await createMysqlDatabase();
    dbs.push(db);
    return db;
  };
  after(async () => {
    for (const db of dbs) await db.drop();
  });

  it('applies DELIMITER routines, triggers and a mysqldump file with LOCK TABLES, as the mariadb client would', async () => {
    const db = await fresh();
    const dir = migrationsDir({
      '0001_routines.sql': golden('procedure-delimiter-slash.mysql.sql'),
      '0002_triggers.sql': golden('trigger-delimiter-dollar.mysql.sql'),
      '0003_dump.sql': golden('mysqldump-header.mysql.sql'),
    });
    const r = await molt(['migrate', '--json', '--db', db.url, '--dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    const report = reportOf(r.stdout);
    assert.deepEqual(
      report.migrations.map((m: { status: string }) => m.status),
      ['applied', 'applied', 'applied'],
    );
    // The LOCK TABLES region runs like a file's own transaction: no history write inside it.
    assert.equal(report.migrations[2].mode, 'as-written');
    const [{ fee }] = await queryDb<{ fee: string }>(db, 'SELECT fee(200) AS fee');
    assert.equal(Number(fee), 1.5);
    const s = reportOf((await molt(['status', '--json', '--db', db.url, '--dir', dir])).stdout);
    assert.deepEqual([s.pending, s.partial, s.problems], [[], [], []]);
  });

  it('applies session settings from --set, MOLT_SESSION and molt.config.json, and names a refused one', async () => {
    const capture = {
      '0001_modes.sql':
        'CREATE TABLE modes AS SELECT @@SESSION.sql_mode AS m, @@SESSION.div_precision_increment AS d;\n',
    };
    const viaFlag = await fresh();
    assert.equal(
      (
        await molt([
          'migrate',
          '--db',
          viaFlag.url,
          '--dir',
          migrationsDir(capture),
          '--set',
          'sql_mode=NO_ENGINE_SUBSTITUTION,ANSI_QUOTES',
          '--set',
          'div_precision_increment=7',
        ])
      ).code,
      0,
    );
    assert.deepEqual(await queryDb(viaFlag, 'SELECT m, d FROM modes'), [
      { m: 'ANSI_QUOTES,NO_ENGINE_SUBSTITUTION', d: 7 },
    ]);

    const viaEnv = await fresh();
    const envRun = await molt(['migrate', '--db', viaEnv.url, '--dir', migrationsDir(capture)], {
      env: { MOLT_SESSION: 'sql_mode=NO_ENGINE_SUBSTITUTION;div_precision_increment=5' },
    });
    assert.equal(envRun.code, 0, envRun.stderr);
    assert.deepEqual(await queryDb(viaEnv, 'SELECT m, d FROM modes'), [{ m: 'NO_ENGINE_SUBSTITUTION', d: 5 }]);

    const viaFile = await fresh();
    const cwd = migrationsDir(capture);
    writeFileSync(
      join(cwd, 'molt.config.json'),
      JSON.stringify({ db: viaFile.url, dir: '.', session: { sql_mode: 'TRADITIONAL' } }),
    );
    assert.equal((await molt(['migrate'], { cwd })).code, 0);
    assert.match((await queryDb<{ m: string }>(viaFile, 'SELECT m FROM modes'))[0].m, /STRICT_TRANS_TABLES/);

    const refused = await molt(['status', '--db', viaFile.url, '--dir', cwd, '--set', 'sql_mode=NOT_A_MODE']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /Session setting sql_mode=NOT_A_MODE was refused by the database: .*NOT_A_MODE/);
    const malformed = await molt(['status', '--db', viaFile.url, '--dir', cwd, '--set', 'sql_mode']);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /--set: "sql_mode" is not NAME=VALUE/);
  });

  it('limits each statement: --statement-timeout interrupts a long one, --statement-lock-timeout stops a blocked ALTER', async () => {
    const db = await fresh();
    const slow = await molt([
      'migrate',
      '--db',
      db.url,
      '--statement-timeout',
      '1s',
      '--dir',
      migrationsDir({ '0001_big.sql': 'CREATE TABLE big AS SELECT seq FROM seq_1_to_300000000;\n' }),
    ]);
    assert.equal(slow.code, 4);
    assert.match(slow.stderr, /max_statement_time exceeded/);

    const dir = migrationsDir({ '0001_t.sql': 'CREATE TABLE t (id integer);\n' });
    const other = await fresh();
    assert.equal((await molt(['migrate', '--db', other.url, '--dir', dir])).code, 0);
    const u = new URL(other.url);
    const holder = await mysql.createConnection({
      host: u.hostname,
      port: Number(u.port),
      user: 'root',
      database: u.pathname.slice(1),
    });
    try {
      // An open transaction that read the table holds its metadata lock: ALTER must wait for it.
      await holder.query('START TRANSACTION');
      await holder.query('SELECT * FROM t');
      writeFileSync(join(dir, '0002_alter.sql'), 'ALTER TABLE t ADD COLUMN c integer;\n');
      const started = Date.now();
      const blocked = await molt(['migrate', '--db', other.url, '--dir', dir, '--statement-lock-timeout', '1s']);
      assert.equal(blocked.code, 4, blocked.stderr);
      assert.match(blocked.stderr, /Lock wait timeout exceeded/);
      assert.ok(Date.now() - started < 15_000, 'the lock wait was not limited');
    } finally {
      await holder.end();
    }
    assert.equal((await molt(['migrate', '--db', other.url, '--dir', dir])).code, 0);
  });

  describe('clear errors for the usual connection mistakes, without the password', () => {
    const cases: [string, string, number, RegExp][] = [
      [
        'wrong port',
        'mysql://root:pw-secret@127.0.0.1:1/test',
        6,
        /nothing accepts connections at 127\.0\.0\.1:1[\s\S]*the port is right/,
      ],
      [
        'access denied',
        'mysql://molt_nobody:pw-secret@127.0.0.1:3306/test',
        6,
        /refused user "molt_nobody" \(wrong user or password\)/,
      ],
      [
        'unknown database',
        'mariadb://root@127.0.0.1:3306/molt_no_such_db',
        6,
        /database "molt_no_such_db" does not exist[\s\S]*CREATE DATABASE `molt_no_such_db`/,
      ],
      [
        'TLS the server lacks',
        'mysql://root:pw-secret@127.0.0.1:3306/test?sslmode=require',
        6,
        /does not offer TLS, but the URL asks for it/,
      ],
      [
        'unknown URL parameter',
        'mysql://root:pw-secret@127.0.0.1:3306/test?sslmod=require',
        2,
        /unknown parameter "sslmod"[\s\S]*sslmode/,
      ],
      ['no database in the URL', 'mysql://root:pw-secret@127.0.0.1:3306', 2, /names no database/],
      [
        'a port that is not MySQL',
        'mysql://root:pw-secret@127.0.0.1:5432/test?connect_timeout=1',
        6,
        /no MySQL greeting from 127\.0\.0\.1:5432 within 1 s[\s\S]*belongs to MySQL/,
      ],
    ];
    let dir: string;
    before(() => {
      dir = migrationsDir({});
    });
    for (const [what, url, code, message] of cases) {
      it(what, async () => {
        const r = await molt(['status', '--db', url, '--dir', dir]);
        assert.equal(r.code, code, r.stderr);
        assert.match(r.stderr, message);
        assert.doesNotMatch(r.stdout + r.stderr, /pw-secret/);
      });
    }
  });

  it('refuses servers older than it supports, and reads MariaDB behind the 5.5.5- prefix', () => {
    assert.deepEqual(serverSupport('5.5.5-10.11.6-MariaDB-0+deb12u1', 'x'), {
      name: 'MariaDB',
      mariadb: true,
      version: '10.11.6',
    });
    assert.deepEqual(serverSupport('8.0.36', 'x'), { name: 'MySQL', mariadb: false, version: '8.0.36' });
    assert.throws(
      () => serverSupport('5.6.51-log', 'mysql://db'),
      /runs MySQL 5\.6\.51; molt needs MySQL 5\.7 or newer/,
    );
    assert.throws(() => serverSupport('10.2.44-MariaDB', 'mysql://db'), /MariaDB 10\.2\.44; molt needs MariaDB 10\.3/);
  });
});
