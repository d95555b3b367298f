// Backups and restore as an attacker and a careless operator try them (issue 14, items 7 to 10).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeArchive, type ArchiveSource } from '../src/backup/archive-write.js';
import type { Manifest } from '../src/backup/types.js';
import { createPostgresDatabase, createSqliteDatabase, queryDb, type TestDatabase } from './helpers/databases.js';
import { migrationsDir, molt, reportOf } from './helpers/cli.js';

const EXIT_REFUSED = 9;
const EXIT_INVALID = 11;

const made: TestDatabase[] = [];
const roots: string[] = [];
after(async () => {
  for (const db of made) await db.drop();
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});
const tmp = (prefix = 'molt-hb-'): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  roots.push(dir);
  return dir;
};

/** A real backup of a migrated SQLite database, unpacked, so a test can repack it with a forged manifest. */
async function unpackedBackup(): Promise<{ db: TestDatabase; dir: string; parts: string; manifest: Manifest }> {
  const db = await createSqliteDatabase();
  made.push(db);
  const dir = migrationsDir({ '0001_notes.sql': 'CREATE TABLE notes (id integer PRIMARY KEY, body text);\n' });
  assert.equal((await molt(['migrate', '--db', db.url, '--dir', dir])).code, 0);
  await queryDb(db, "INSERT INTO notes (body) VALUES ('keep me')");
  const file = join(tmp(), 'real.tar.gz');
  const r = await molt(['backup', file, '--db', db.url, '--dir', dir]);
  assert.equal(r.code, 0, r.stderr);
  const parts = tmp();
  execFileSync('tar', ['-xzf', file, '-C', parts]);
  const manifest = JSON.parse(readFileSync(join(parts, 'manifest.json'), 'utf8')) as Manifest;
  return { db, dir, parts, manifest };
}

/** Repacks the unpacked parts under a manifest header the test chose, with extra files; every hash is right. */
async function forge(
  parts: string,
  manifest: Manifest,
  extra: ArchiveSource[],
  header: Partial<Omit<Manifest, 'entries'>>,
): Promise<string> {
  const out = join(tmp(), 'forged.tar.gz');
  const sources: ArchiveSource[] = [
    { path: 'about.json', file: join(parts, 'about.json') },
    { path: manifest.database.dumpPath, file: join(parts, manifest.database.dumpPath) },
    ...extra,
  ];
  const { entries: _entries, ...rest } = manifest;
  await writeArchive(out, sources, { ...rest, ...header }, { level: 1 });
  return out;
}

describe('restore writes only where the operator said', () => {
  for (const [what, source] of [
    ['an absolute', '/ABS'],
    ['a relative', '../victim'],
  ] as const) {
    it(`an archive sending a data directory to ${what} path it chose is refused by verify or restore, and the path is untouched`, async () => {
      const { db, dir, parts, manifest } = await unpackedBackup();
      const victim = tmp('molt-victim-');
      writeFileSync(join(victim, 'precious.txt'), 'do not delete');
      const payload = join(tmp(), 'evil.txt');
      writeFileSync(payload, 'replaced');
      let forged = await forge(parts, manifest, [{ path: 'data/evil/evil.txt', file: payload }], {
        dataDirs: [{ name: 'evil', source: victim }],
      });
      if (source !== '/ABS') {
        // molt never writes a relative source, so the manifest is edited by hand and the archive repacked in order.
        const x = tmp();
        execFileSync('tar', ['-xzf', forged, '-C', x]);
        const m = JSON.parse(readFileSync(join(x, 'manifest.json'), 'utf8'));
        m.dataDirs[0].source = source;
        writeFileSync(join(x, 'manifest.json'), JSON.stringify(m));
        forged = join(tmp(), 'relative.tar.gz');
        execFileSync('tar', [
          '-czf',
          forged,
          '-C',
          x,
          '--owner=0',
          '--group=0',
          'about.json',
          manifest.database.dumpPath,
          'data/evil/evil.txt',
          'manifest.json',
        ]);
      }
      const verify = await molt(['backup', 'verify', forged]);
      const r = await molt(['restore', forged, '--yes', '--db', db.url, '--dir', dir]);
      if (source === '/ABS') {
        assert.equal(r.code, EXIT_REFUSED, r.stderr);
        assert.match(r.stderr, /holds data directory "evil", which the configuration does not name/);
        // Naming another directory does not make the archive's own path acceptable.
        const other = await molt([
          'restore',
          forged,
          '--yes',
          '--db',
          db.url,
          '--dir',
          dir,
          '--data-dir',
          `uploads=${tmp()}`,
        ]);
        assert.equal(other.code, EXIT_REFUSED, other.stderr);
      } else {
        assert.equal(verify.code, EXIT_INVALID, verify.stdout + verify.stderr);
        assert.match(verify.stderr, /dataDirs\[0\]\.source/);
        assert.equal(r.code, EXIT_INVALID, r.stderr);
      }
      assert.deepEqual(readdirSync(victim), ['precious.txt']);
      assert.equal(readFileSync(join(victim, 'precious.txt'), 'utf8'), 'do not delete');
      assert.deepEqual(await queryDb(db, 'SELECT body FROM notes'), [{ body: 'keep me' }]);
    });
  }

  it('the prompt lists the real destination of each data directory, and --data-dir sends it there', async () => {
    const { db, dir, parts, manifest } = await unpackedBackup();
    const payload = join(tmp(), 'a.txt');
    writeFileSync(payload, 'restored');
    const forged = await forge(parts, manifest, [{ path: 'data/uploads/a.txt', file: payload }], {
      dataDirs: [{ name: 'uploads', source: '/srv/elsewhere' }],
    });
    const dest = join(tmp(), 'uploads');
    const asked = await molt([
      'restore',
      forged,
      '--db',
      db.url,
      '--dir',
      dir,
      '--data-dir',
      `uploads=${dest}`,
      '--json',
    ]);
    assert.equal(asked.code, EXIT_REFUSED, asked.stderr);
    assert.deepEqual(JSON.parse(asked.stdout).error.summary.destinations, [{ name: 'uploads', path: dest }]);
    const r = await molt(['restore', forged, '--yes', '--db', db.url, '--dir', dir, '--data-dir', `uploads=${dest}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(dest, 'a.txt'), 'utf8'), 'restored');
    assert.equal(existsSync('/srv/elsewhere'), false);
  });
});

describe('restore checks the room it needs first', () => {
  it('an archive declaring more than the disk holds is refused before a byte is written', async (t) => {
    const mount = tmp('molt-small-disk-');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mount], { stdio: 'ignore' });
    } catch {
      t.skip('mounting an 8 MiB tmpfs needs root; without a small disk the free-space check cannot be shown');
      return;
    }
    try {
      const { dir, parts, manifest } = await unpackedBackup();
      const target = join(mount, 'app.db');
      // 32 MiB of zeros: the right size and hash, a small archive, four times the disk.
      const big = join(tmp(), 'big.bin');
      writeFileSync(big, Buffer.alloc(32 * 1024 * 1024));
      const forged = await forge(parts, manifest, [{ path: 'data/uploads/big.bin', file: big }], {
        dataDirs: [{ name: 'uploads', source: '/srv/uploads' }],
      });
      assert.ok(statSync(forged).size < 1024 * 1024);
      const r = await molt([
        'restore',
        forged,
        '--yes',
        '--db',
        `sqlite:${target}`,
        '--dir',
        dir,
        '--data-dir',
        `uploads=${join(mount, 'uploads')}`,
      ]);
      assert.equal(r.code, EXIT_REFUSED, r.stderr);
      assert.match(r.stderr, /expands to 0\.03 GiB, but .* has 0\.01 GiB free/);
      assert.deepEqual(readdirSync(mount), []);
    } finally {
      execFileSync('umount', [mount]);
    }
  });
});

describe("archives are the owner's, and retention keeps to its own database", () => {
  it('a backup and the directory molt makes for it are readable by the owner only, the automatic one too', async () => {
    const db = await createSqliteDatabase();
    made.push(db);
    const dir = migrationsDir({ '0001_a.sql': 'CREATE TABLE a (x int);\n' });
    const backups = join(tmp(), 'new-backups');
    assert.equal((await molt(['migrate', '--db', db.url, '--dir', dir])).code, 0);
    const r = await molt(['backup', '--json', '--db', db.url, '--dir', dir, '--backup-dir', backups]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(backups).mode & 0o777, 0o700);
    assert.equal(statSync(reportOf(r.stdout).file).mode & 0o777, 0o600);
    writeFileSync(join(dir, '0002_b.sql'), 'CREATE TABLE b (x int);\n');
    const m = await molt(['migrate', '--json', '--db', db.url, '--dir', dir], { env: { MOLT_BACKUP_DIR: backups } });
    assert.equal(m.code, 0, m.stderr);
    assert.equal(statSync(reportOf(m.stdout).backup).mode & 0o777, 0o600);
  });

  it("--keep 1 on one database leaves another database's archives in the same directory, and list tells them apart", async () => {
    const lite = await createSqliteDatabase();
    const pg = await createPostgresDatabase();
    made.push(lite, pg);
    const dir = migrationsDir({ '0001_a.sql': 'CREATE TABLE a (x int);\n' });
    const backups = tmp();
    for (const db of [pg, lite]) assert.equal((await molt(['migrate', '--db', db.url, '--dir', dir])).code, 0);
    for (let i = 0; i < 2; i++)
      assert.equal((await molt(['backup', '--db', pg.url, '--dir', dir, '--backup-dir', backups])).code, 0);
    for (let i = 0; i < 2; i++)
      assert.equal(
        (await molt(['backup', '--keep', '1', '--db', lite.url, '--dir', dir, '--backup-dir', backups])).code,
        0,
      );
    const pgName = new URL(pg.url).pathname.slice(1);
    const names = readdirSync(backups).filter((n) => n.endsWith('.tar.gz'));
    assert.equal(names.filter((n) => n.startsWith(`molt-backup-${pgName}-`)).length, 2, names.join(', '));
    assert.equal(names.filter((n) => n.startsWith('molt-backup-test-')).length, 1, names.join(', '));
    const listed = reportOf((await molt(['backup', 'list', '--json', '--db', pg.url, '--backup-dir', backups])).stdout);
    assert.equal(listed.backups.length, 2);
    assert.ok(listed.backups.every((b: { database: string }) => b.database.endsWith(`/${pgName}`)));
    const all = reportOf(
      (await molt(['backup', 'list', '--all', '--json', '--db', pg.url, '--backup-dir', backups])).stdout,
    );
    assert.equal(all.backups.length, 3);
  });
});
