// No secret in any output or file (issue 14, item 12): every password form, every boundary, all three databases.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { filesText } from '../bench/fuzz-urls.js';
import { createProbes } from '../src/probes/index.js';
import { redactUrl } from '../src/config/url.js';
import { createMysqlDatabase, createPostgresDatabase, type TestDatabase } from './helpers/databases.js';
import { migrationsDir, molt } from './helpers/cli.js';

const SECRET = 'Sekr1tPw';

describe('redactUrl', () => {
  for (const url of [
    `postgres://app:${SECRET}@db/app`,
    `postgres://app:${SECRET}@x@db/app`,
    `postgres://app:pre@${SECRET}@db/app`,
    `postgres://app:${SECRET}#x@db/app`,
    `postgres://app:${SECRET}/x@db/app`,
    `postgres://app@db/app?password=${SECRET}&sslmode=disable`,
    `postgres://app@db/app?sslmode=disable&sslpassword=${SECRET}`,
    `mysql://root@db/app?password=${SECRET}`,
    `host=db user=app password=${SECRET} dbname=app`,
    `host=db password='${SECRET} x' dbname=app`,
    `"mysql://root:${SECRET}@127.0.0.1:3306/app"`,
  ]) {
    it(`hides the secret in ${url.replace(SECRET, 'SECRET')}`, () => {
      const out = redactUrl(`Cannot connect to ${url}: refused`);
      assert.ok(!out.includes(SECRET), out);
      assert.match(out, /\*\*\*/);
    });
  }
});

const SERVERS: { kind: string; create: () => Promise<TestDatabase>; forms: (url: URL) => string[] }[] = [
  {
    kind: 'postgres',
    create: createPostgresDatabase,
    // Trust auth takes any password, so each form reaches the database and prints its reports.
    forms: (u) => [
      `${u.protocol}//${u.username}:${SECRET}@${u.host}${u.pathname}`,
      `${u.protocol}//${u.username}:${SECRET}@x@${u.host}${u.pathname}`,
      `${u.protocol}//${u.username}@${u.host}${u.pathname}?password=${SECRET}`,
    ],
  },
  {
    kind: 'mysql',
    create: createMysqlDatabase,
    // root has no password here: each form is refused, and the refusal must not print it.
    forms: (u) => [
      `${u.protocol}//${u.username}:${SECRET}@${u.host}${u.pathname}`,
      `${u.protocol}//${u.username}:${SECRET}@x@${u.host}${u.pathname}`,
      `${u.protocol}//${u.username}@${u.host}${u.pathname}?password=${SECRET}`,
    ],
  },
];

for (const server of SERVERS) {
  describe(`no secret printed or stored on ${server.kind}`, () => {
    const dbs: TestDatabase[] = [];
    after(async () => {
      for (const db of dbs) await db.drop();
    });

    it('status, migrate (ok and failing), --json, backup and its archive, and /readyz never show the password', async () => {
      const db = await server.create();
      dbs.push(db);
      const dir = migrationsDir({
        '0001_a.sql': 'CREATE TABLE a (x int);\n',
        '0002_bad.sql': 'CREATE TABLE a (x int);\n',
      });
      const backups = mkdtempSync(join(tmpdir(), 'molt-secret-backups-'));
      let seen = '';
      for (const url of server.forms(new URL(db.url))) {
        for (const args of [
          ['status'],
          ['status', '--json'],
          ['migrate', '--to', '0001'],
          ['migrate'],
          ['migrate', '--json'],
          ['verify', '--json'],
          ['backup', '--backup-dir', backups],
          ['backup', '--backup-dir', backups, '--json'],
        ]) {
          const r = await molt([...args, '--db', url, '--dir', dir]);
          seen += r.stdout + r.stderr;
          assert.ok(
            !(r.stdout + r.stderr).includes(SECRET),
            `molt ${args.join(' ')} with ${url.replace(SECRET, 'SECRET')} printed the secret:\n${r.stdout}${r.stderr}`,
          );
        }
        const probes = createProbes({ database: { url }, logger: false, appVersion: '1.0.0', dir });
        try {
          await new Promise((r) => setTimeout(r, 1500));
          const body = JSON.stringify(probes.readiness());
          seen += body;
          assert.ok(!body.includes(SECRET), body);
        } finally {
          await probes.close();
        }
      }
      // The reports did run (something to redact was printed), and the archives hold no secret.
      assert.match(seen, /\*\*\*/);
      for (const name of readdirSync(backups)) {
        const out = mkdtempSync(join(tmpdir(), 'molt-secret-x-'));
        execFileSync('tar', ['-xzf', join(backups, name), '-C', out]);
        assert.ok(!filesText(out).includes(SECRET), `${name} stores the secret`);
      }
    });
  });
}
