import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { migrationsDir, molt, reportOf } from './helpers/cli.js';
import { createSqliteDatabase } from './helpers/databases.js';

const SETUP = 'CREATE TABLE users (\n  id bigint PRIMARY KEY,\n  email text NOT NULL,\n  age integer\n);\n';

/** Lints a directory holding the released setup plus one new file, the way CI would. */
async function lintOne(text: string, extra: string[] = []) {
  const dir = migrationsDir({ '0001_users.sql': SETUP, '0002_change.sql': text });
  const r = await molt(['lint', '--dialect', 'postgres', '--dir', dir, ...extra]);
  return { ...r, dir };
}

const findingsOf = (stdout: string): { file: string; line: number; column: number; code: string; severity: string }[] =>
  reportOf(stdout).findings;

describe('molt lint through the CLI (PostgreSQL)', () => {
  it('an untagged DROP COLUMN fails with exit 10 and names file, line and rule', async () => {
    const r = await lintOne('-- remove the old address\n\nALTER TABLE users DROP COLUMN email;\n');
    assert.equal(r.code, 10, r.stdout + r.stderr);
    assert.match(r.stdout, /0002_change\.sql:3:\d+: error drop-column \[C\] .*users.*email/);
    assert.match(r.stdout, /ALTER TABLE users DROP COLUMN email/);
    assert.match(r.stdout, /1 error/);
  });

  it('the same DROP COLUMN in a file tagged contract passes, and --verbose shows it as a note', async () => {
    const r = await lintOne('-- molt:phase contract\nALTER TABLE users DROP COLUMN email;\n', ['--verbose']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /note drop-column/);
    assert.match(r.stdout, /0 errors/);
  });

  it('a nullable ADD COLUMN is expand: exit 0 and no finding', async () => {
    const r = await lintOne('ALTER TABLE users ADD COLUMN nickname text;\n', ['--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = reportOf(r.stdout);
    assert.deepEqual(report.findings, []);
    assert.equal(report.files[1].class, 'E');
  });

  it('CREATE INDEX without CONCURRENTLY on an existing table fails; CONCURRENTLY alone or an acknowledgement passes', async () => {
    const plain = await lintOne('CREATE INDEX users_age ON users (age);\n', ['--json']);
    assert.equal(plain.code, 10, plain.stdout);
    assert.deepEqual(
      findingsOf(plain.stdout).map((f) => [f.code, f.severity, f.line]),
      [['index-not-concurrent', 'error', 1]],
    );

    const concurrent = await lintOne('CREATE INDEX CONCURRENTLY users_age ON users (age);\n');
    assert.equal(concurrent.code, 0, concurrent.stdout);

    const acknowledged = await lintOne(
      '-- molt:allow index-not-concurrent -- users holds a few hundred rows\nCREATE INDEX users_age ON users (age);\n',
      ['--json'],
    );
    assert.equal(acknowledged.code, 0, acknowledged.stdout);
    assert.deepEqual(
      findingsOf(acknowledged.stdout).map((f) => [f.code, f.severity]),
      [['index-not-concurrent', 'note']],
    );

    const fresh = await lintOne(
      'CREATE TABLE posts (id bigint, author bigint);\nCREATE INDEX posts_author ON posts (author);\n',
    );
    assert.equal(fresh.code, 0, `an index on a table created in the same file is exempt\n${fresh.stdout}`);
  });

  it('CONCURRENTLY next to other statements is an error, as migrate would refuse the file', async () => {
    const r = await lintOne(
      'ALTER TABLE users ADD COLUMN nickname text;\nCREATE INDEX CONCURRENTLY users_nick ON users (nickname);\n',
      ['--json'],
    );
    assert.equal(r.code, 10, r.stdout);
    assert.ok(findingsOf(r.stdout).some((f) => f.code === 'concurrently-in-transaction' && f.line === 2));
  });

  it('ALTER COLUMN ... TYPE fails: a contract change that also rewrites the table', async () => {
    const r = await lintOne('ALTER TABLE users ALTER COLUMN age TYPE bigint;\n', ['--json']);
    assert.equal(r.code, 10, r.stdout);
    const [finding] = findingsOf(r.stdout);
    assert.equal(finding.code, 'alter-column-type');
    assert.equal(finding.line, 1);
    const contract = await lintOne('-- molt:phase contract\nALTER TABLE users ALTER COLUMN age TYPE bigint;\n');
    assert.equal(contract.code, 10, `tagging does not make a table rewrite non-blocking\n${contract.stdout}`);
    assert.match(contract.stdout, /blocks the running service/);
  });

  it('--released makes objects of later migrations new: indexing a table the same release created passes', async () => {
    const dir = migrationsDir({
      '0001_users.sql': SETUP,
      '0002_posts.sql': 'CREATE TABLE posts (id bigint PRIMARY KEY, author bigint);\n',
      '0003_posts_author.sql': 'CREATE INDEX posts_author ON posts (author);\n',
    });
    const everyFileReleased = await molt(['lint', '--dialect', 'postgres', '--dir', dir, '--json']);
    assert.equal(everyFileReleased.code, 10, everyFileReleased.stdout);
    assert.deepEqual(
      findingsOf(everyFileReleased.stdout).map((f) => f.code),
      ['index-not-concurrent'],
    );
    const released = await molt(['lint', '--dialect', 'postgres', '--dir', dir, '--released', '0001']);
    assert.equal(released.code, 0, released.stdout);
    const bad = await molt(['lint', '--dialect', 'postgres', '--dir', dir, '--released', 'v1.2']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--released takes a migration version/);
  });

  it('without --dialect, the dialect comes from the database URL; lint never connects', async () => {
    const dir = migrationsDir({
      '0001_t.sql': 'CREATE TABLE `t` (id INT AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB;\n',
    });
    const mysql = await molt(['lint', '--dir', dir, '--json'], {
      env: { MOLT_DATABASE_URL: 'mariadb://root:secret@192.0.2.1:3306/nowhere' },
    });
    assert.equal(mysql.code, 0, mysql.stdout + mysql.stderr);
    assert.equal(reportOf(mysql.stdout).dialect, 'mysql');
    const pg = await molt(['lint', '--dir', dir, '--db', 'postgres://192.0.2.1/nowhere', '--json']);
    assert.equal(pg.code, 10, pg.stdout);
    assert.deepEqual(
      findingsOf(pg.stdout).map((f) => f.code),
      ['syntax-error'],
    );
  });

  it('--format github prints workflow annotations', async () => {
    const r = await lintOne('ALTER TABLE users DROP COLUMN email;\n', ['--format', 'github']);
    assert.equal(r.code, 10);
    assert.match(r.stdout, /^::error file=.*0002_change\.sql,line=1,col=\d+,title=molt lint drop-column \[C\]::/m);
  });

  it('--explain prints the rule; an unknown code is a usage error', async () => {
    const r = await molt(['lint', '--explain', 'drop-column']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /drop-column \[C\]/);
    assert.match(r.stdout, /Instead: /);
    const unknown = await molt(['lint', '--explain', 'drop-collumn']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /No lint rule "drop-collumn"/);
  });

  it('a misspelt molt:allow is itself an error', async () => {
    const r = await lintOne('-- molt:allow drop-colum\nALTER TABLE users ADD COLUMN nickname text;\n', ['--json']);
    assert.equal(r.code, 10, r.stdout);
    assert.deepEqual(
      findingsOf(r.stdout).map((f) => [f.code, f.line]),
      [['unknown-allow', 1]],
    );
  });
});

describe('molt sum', () => {
  it('an edit after `molt sum` fails lint and migrate, naming the file; `molt sum` again accepts it', async () => {
    const dir = migrationsDir({
      '0001_users.sql': SETUP,
      '0002_nick.sql': 'ALTER TABLE users ADD COLUMN nickname text;\n',
    });
    const written = await molt(['sum', '--dir', dir]);
    assert.equal(written.code, 0, written.stderr);
    assert.match(
      readFileSync(join(dir, 'molt.sum'), 'utf8'),
      /^molt-sum v1 sha256:[0-9a-f]{64}\n0001_users\.sql sha256-c1:/,
    );
    assert.equal((await molt(['lint', '--dialect', 'postgres', '--dir', dir])).code, 0);

    writeFileSync(join(dir, '0002_nick.sql'), 'ALTER TABLE users ADD COLUMN nickname varchar(40);\n');
    const r = await molt(['lint', '--dialect', 'postgres', '--dir', dir]);
    assert.equal(r.code, 10, r.stdout);
    assert.match(r.stdout, /error sum-mismatch .*0002_nick\.sql was edited after `molt sum`/);

    const db = await createSqliteDatabase();
    const migrate = await molt(['migrate', '--db', db.url, '--dir', dir]);
    assert.equal(migrate.code, 8, migrate.stderr);
    assert.match(migrate.stderr, /molt\.sum does not match the migrations: 0002_nick\.sql \(edited\)/);

    assert.equal((await molt(['sum', '--dir', dir])).code, 0);
    assert.equal((await molt(['lint', '--dialect', 'postgres', '--dir', dir])).code, 0);
    assert.equal((await molt(['migrate', '--db', db.url, '--dir', dir])).code, 0);
    await db.drop();
  });

  it('two branches that each add a migration conflict in git on molt.sum', async () => {
    const dir = migrationsDir({ '0001_users.sql': SETUP });
    const git = (...args: string[]): string =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    await molt(['sum', '--dir', dir]);
    git('add', '.');
    git('commit', '-qm', 'base');
    git('checkout', '-qb', 'feature');
    writeFileSync(join(dir, '0002_a.sql'), 'ALTER TABLE users ADD COLUMN a text;\n');
    await molt(['sum', '--dir', dir]);
    git('add', '.');
    git('commit', '-qm', 'a');
    git('checkout', '-q', 'main');
    writeFileSync(join(dir, '0003_b.sql'), 'ALTER TABLE users ADD COLUMN b text;\n');
    await molt(['sum', '--dir', dir]);
    git('add', '.');
    git('commit', '-qm', 'b');
    const merge = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'merge', 'feature'], {
      cwd: dir,
      encoding: 'utf8',
    });
    assert.notEqual(merge.status, 0, 'the merge should stop on a conflict');
    assert.match(merge.stdout, /CONFLICT \(add\/add\)|CONFLICT \(content\): Merge conflict in molt\.sum/);
    const r = await molt(['lint', '--dialect', 'postgres', '--dir', dir]);
    assert.equal(r.code, 8, r.stdout + r.stderr);
    assert.match(r.stderr, /merge conflict markers/);
  });

  it('`molt new` writes files that pass lint as written, and keeps molt.sum current', async () => {
    const dir = migrationsDir({ '0001_users.sql': SETUP });
    await molt(['sum', '--dir', dir]);
    assert.equal((await molt(['new', 'add nickname', '--dir', dir])).code, 0);
    const expand = await molt(['lint', '--dialect', 'postgres', '--dir', dir]);
    assert.equal(expand.code, 0, expand.stdout);
    const created = await molt(['new', 'drop email', '--contract', '--dir', dir]);
    assert.equal(created.code, 0);
    assert.match(readFileSync(join(dir, '0003_drop_email.sql'), 'utf8'), /^-- molt:phase contract\n/);
    const contract = await molt(['lint', '--dialect', 'postgres', '--dir', dir]);
    assert.equal(contract.code, 0, contract.stdout);
  });
});
