import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { migrationsDir, molt, reportOf } from './helpers/cli.js';
import { DATABASES, queryDb, type TestDatabase } from './helpers/databases.js';
import { mysqlSchemaDump, schemaDump } from './helpers/floors.js';

const MIGRATIONS = {
  '0001_notes.sql':
    'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, price DECIMAL(10,2), note VARCHAR(200));\n',
  '0002_tags.sql':
    'CREATE TABLE tags (id INTEGER PRIMARY KEY, note_id INTEGER REFERENCES notes(id), name VARCHAR(100));\nCREATE INDEX tags_name ON tags (name);\n',
  '0003_view.sql':
    'CREATE VIEW note_tags AS SELECT n.id, n.body, t.name FROM notes n JOIN tags t ON t.note_id = n.id;\n',
};

const ROWS = [
  "INSERT INTO notes (id, body, price, note) VALUES (1, 'déjà vu ✓ 😀', 12.50, NULL)",
  `INSERT INTO notes (id, body, price, note) VALUES (2, '${'long text '.repeat(2000)}', NULL, 'it''s quoted')`,
  "INSERT INTO tags (id, note_id, name) VALUES (1, 1, 'first'), (2, 2, NULL)",
];

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A hash of every table's rows (order-independent) and of the schema, as a user would compare two databases. */
async function fingerprint(db: TestDatabase): Promise<{ data: Record<string, string>; schema: string }> {
  const tables = {
    postgres: "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    mysql:
      "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY 1",
    sqlite: "SELECT name AS t FROM sqlite_master WHERE type = 'table' ORDER BY 1",
  }[db.kind];
  const data: Record<string, string> = {};
  for (const { t } of await queryDb<{ t: string }>(db, tables)) {
    const quoted = db.kind === 'mysql' ? `\`${t}\`` : `"${t}"`;
    const rows = (await queryDb(db, `SELECT * FROM ${quoted}`))
      .map((r) => JSON.stringify(r, (_k, v) => (Buffer.isBuffer(v) ? v.toString('hex') : v)))
      .sort();
    data[t] = sha(rows.join('\n'));
  }
  const schema =
    db.kind === 'postgres'
      ? schemaDump(db.url)
      : db.kind === 'mysql'
        ? mysqlSchemaDump(db.url)
        : JSON.stringify(await queryDb(db, 'SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name'));
  return { data, schema };
}

/** Every file under a directory with its content hash. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = sha(readFileSync(p).toString('base64'));
    }
  };
  walk(dir);
  return out;
}

function uploads(): string {
  const dir = mkdtempSync(join(tmpdir(), 'molt-uploads-'));
  mkdirSync(join(dir, 'avatars', 'deep'), { recursive: true });
  writeFileSync(
    join(dir, 'avatars', 'deep', 'a.bin'),
    Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) % 256)),
  );
  writeFileSync(join(dir, 'readme.txt'), 'uploads ✓\n');
  return dir;
}

const made: TestDatabase[] = [];
after(async () => {
  for (const db of made) await db.drop();
});

for (const { kind, create } of DATABASES) {
  describe(`backup and restore through the CLI: ${kind}`, () => {
    it('restoring into an empty target gives identical data, schema and data directories', async () => {
      const source = await create();
      const target = await create();
      made.push(source, target);
      const dir = migrationsDir(MIGRATIONS);
      const backups = mkdtempSync(join(tmpdir(), 'molt-backups-'));
      assert.equal((await molt(['migrate', '--db', source.url, '--dir', dir])).code, 0);
      for (const sql of ROWS) await queryDb(source, sql);
      const files = uploads();

      const written = await molt([
        'backup',
        '--json',
        '--db',
        source.url,
        '--dir',
        dir,
        '--backup-dir',
        backups,
        '--data-dir',
        `uploads=${files}`,
      ]);
      assert.equal(written.code, 0, written.stderr);
      const report = reportOf(written.stdout);
      assert.match(
        report.file,
        /molt-backup-molt_t_\w+-\d{8}T\d{9}Z-0003\.tar\.gz$|molt-backup-test-\d{8}T\d{9}Z-0003\.tar\.gz$/,
      );
      assert.equal(report.schemaVersion, '0003');

      const verified = await molt(['backup', 'verify', report.file]);
      assert.equal(verified.code, 0, verified.stderr);
      assert.match(
        verified.stdout,
        new RegExp(
          `ok: .*every entry matches the manifest[\\s\\S]*database: ${kind}[\\s\\S]*schema 0003 \\(3 migrations\\)`,
        ),
      );

      const restoredFiles = join(mkdtempSync(join(tmpdir(), 'molt-restored-')), 'uploads');
      const restored = await molt([
        'restore',
        report.file,
        '--yes',
        '--db',
        target.url,
        '--dir',
        dir,
        '--data-dir',
        `uploads=${restoredFiles}`,
      ]);
      assert.equal(restored.code, 0, restored.stderr);
      assert.deepEqual(await fingerprint(target), await fingerprint(source));
      assert.deepEqual(tree(restoredFiles), tree(files));
      // The restored database is one molt recognises: nothing pending, no drift.
      assert.equal((await molt(['verify', '--db', target.url, '--dir', dir])).code, 0);
    });

    it('restore creates the target database when it does not exist yet', async () => {
      const source = await create();
      const target = await create();
      made.push(source, target);
      await target.drop();
      const dir = migrationsDir(MIGRATIONS);
      const backups = mkdtempSync(join(tmpdir(), 'molt-backups-'));
      assert.equal((await molt(['migrate', '--db', source.url, '--dir', dir])).code, 0);
      for (const sql of ROWS) await queryDb(source, sql);
      const { file } = reportOf(
        (await molt(['backup', '--json', '--db', source.url, '--dir', dir, '--backup-dir', backups])).stdout,
      );
      const restored = await molt(['restore', file, '--yes', '--db', target.url, '--dir', dir]);
      assert.equal(restored.code, 0, restored.stderr);
      assert.deepEqual(await fingerprint(target), await fingerprint(source));
    });

    it('a damaged archive is refused by verify and restore, and the target stays as it was', async () => {
      const source = await create();
      const target = await create();
      made.push(source, target);
      const dir = migrationsDir(MIGRATIONS);
      const backups = mkdtempSync(join(tmpdir(), 'molt-backups-'));
      await molt(['migrate', '--db', source.url, '--dir', dir]);
      await queryDb(source, ROWS[0]);
      await molt(['migrate', '--db', target.url, '--dir', dir]);
      await queryDb(target, "INSERT INTO notes (id, body) VALUES (7, 'target data')");
      const before = await fingerprint(target);
      const { file } = reportOf(
        (await molt(['backup', '--json', '--db', source.url, '--dir', dir, '--backup-dir', backups])).stdout,
      );

      const flipped = join(backups, 'flipped.tar.gz');
      const bytes = readFileSync(file);
      bytes[Math.floor(bytes.length / 2)] ^= 0xff;
      writeFileSync(flipped, bytes);
      const truncated = join(backups, 'truncated.tar.gz');
      writeFileSync(truncated, readFileSync(file));
      truncateSync(truncated, Math.floor(statSync(file).size * 0.6));

      // Re-packed with GNU tar, in the order molt writes: about.json, the dump, manifest.json last.
      const unpacked = mkdtempSync(join(tmpdir(), 'molt-unpacked-'));
      execFileSync('tar', ['-xzf', file, '-C', unpacked]);
      const manifest = JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8'));
      const dumpPath: string = manifest.database.dumpPath;
      const repack = (name: string, members: string[]): string => {
        const out = join(backups, name);
        execFileSync('tar', ['-czf', out, '-C', unpacked, ...members]);
        return out;
      };
      const missing = repack('missing.tar.gz', ['about.json', 'manifest.json']);
      manifest.entries.find((e: { path: string }) => e.path === dumpPath).sha256 = 'f'.repeat(64);
      writeFileSync(join(unpacked, 'manifest.json'), JSON.stringify(manifest));
      const lying = repack('lying.tar.gz', ['about.json', dumpPath, 'manifest.json']);

      const expected: [string, RegExp][] = [
        [flipped, /damaged|corrupt|sha256/],
        [truncated, /truncated/],
        [missing, new RegExp(`"${dumpPath}" is listed in the manifest but missing`)],
        [lying, new RegExp(`"${dumpPath}" has sha256 [0-9a-f]{64}, the manifest says f{64}`)],
      ];
      for (const [bad, why] of expected) {
        const v = await molt(['backup', 'verify', bad]);
        assert.equal(v.code, 11, `${bad}: ${v.stderr}`);
        assert.match(v.stderr, why);
        const r = await molt(['restore', bad, '--yes', '--db', target.url, '--dir', dir]);
        assert.equal(r.code, 11, `${bad}: ${r.stderr}`);
        assert.match(r.stderr, why);
        assert.deepEqual(await fingerprint(target), before, 'the target changed');
      }
    });
  });
}

describe('restore safeguards and retention (SQLite)', () => {
  it('an archive from a newer schema is refused without --force; a restore without a terminal needs --yes', async () => {
    const [{ create }] = DATABASES;
    const source = await create();
    const target = await create();
    made.push(source, target);
    const dir = migrationsDir(MIGRATIONS);
    const older = migrationsDir({
      '0001_notes.sql': MIGRATIONS['0001_notes.sql'],
      '0002_tags.sql': MIGRATIONS['0002_tags.sql'],
    });
    const backups = mkdtempSync(join(tmpdir(), 'molt-backups-'));
    await molt(['migrate', '--db', source.url, '--dir', dir]);
    const { file } = reportOf(
      (await molt(['backup', '--json', '--db', source.url, '--dir', dir, '--backup-dir', backups])).stdout,
    );

    const refused = await molt(['restore', file, '--yes', '--db', target.url, '--dir', older]);
    assert.equal(refused.code, 9, refused.stderr);
    assert.match(
      refused.stderr,
      /newer schema \(0003\): it holds 1 migration\(s\) this binary does not know, the first 0003_view/,
    );
    const unconfirmed = await molt(['restore', file, '--db', target.url, '--dir', dir]);
    assert.equal(unconfirmed.code, 9);
    assert.match(unconfirmed.stderr, /Pass --yes/);
    const forced = await molt(['restore', file, '--yes', '--force', '--db', target.url, '--dir', older]);
    assert.equal(forced.code, 0, forced.stderr);
  });

  it('migrate backs up an SQLite database before applying, retention keeps the newest N, and list shows them', async () => {
    const [{ create }] = DATABASES;
    const db = await create();
    made.push(db);
    const backups = mkdtempSync(join(tmpdir(), 'molt-backups-'));
    const dir = migrationsDir({ '0001_notes.sql': MIGRATIONS['0001_notes.sql'] });
    const env = { MOLT_BACKUP_DIR: backups, MOLT_BACKUP_KEEP: '2' };
    const first = await molt(['migrate', '--json', '--db', db.url, '--dir', dir], { env });
    assert.equal(reportOf(first.stdout).backup ?? null, null, 'an empty database has nothing to back up');
    const names = ['0002_tags.sql', '0003_view.sql'] as const;
    for (const name of names) {
      writeFileSync(join(dir, name), MIGRATIONS[name]);
      const r = await molt(['migrate', '--json', '--db', db.url, '--dir', dir], { env });
      assert.equal(r.code, 0, r.stderr);
      const backup = reportOf(r.stdout).backup as string;
      assert.ok(backup && existsSync(backup), `no backup named in ${r.stdout}`);
      assert.match(r.stderr, /backup before migrating 1 migration\(s\) from 000\d: /);
    }
    assert.equal((await molt(['backup', '--db', db.url, '--dir', dir], { env })).code, 0);
    const listed = await molt(['backup', 'list', '--json', '--db', db.url], { env });
    const { backups: list } = reportOf(listed.stdout);
    assert.equal(list.length, 2, 'retention keeps the newest two');
    assert.deepEqual(
      list.map((b: { schemaVersion: string }) => b.schemaVersion),
      ['0003', '0002'],
    );
    assert.equal(list[0].kind, 'sqlite');
  });
});
