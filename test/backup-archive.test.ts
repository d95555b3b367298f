import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { storedGzip } from '../src/backup/stored-gzip.js';
import { Header, Pax } from 'tar';
import { extractArchive, verifyArchive } from '../src/backup/archive-read.js';
import { writeArchive, type ArchiveSource } from '../src/backup/archive-write.js';
import { listDataDir, restoreDataDir } from '../src/backup/data-dirs.js';
import { manifestText, parseManifest } from '../src/backup/manifest.js';
import type { Manifest } from '../src/backup/types.js';
import { MoltError } from '../src/errors.js';

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'molt-archive-'));
  roots.push(dir);
  return dir;
}

function header(dataDirs = ['uploads']): Omit<Manifest, 'entries'> {
  return {
    format: 'molt-backup',
    formatVersion: 1,
    moltVersion: '0.1.0',
    appVersion: '2.4.0',
    createdAt: '2026-01-02T03:04:05.678Z',
    host: 'test-host',
    database: {
      kind: 'sqlite',
      serverVersion: '3.45.0',
      url: 'sqlite:/srv/app.db',
      dumpFormat: 'sqlite-file',
      dumpPath: 'database/dump.bin',
      tool: 'better-sqlite3',
    },
    schema: {
      version: '002',
      history: [
        { version: '002', name: 'add_users', phase: 'expand', checksum: 'abc', appliedAt: '2026-01-01T00:00:00Z' },
      ],
    },
    dataDirs: dataDirs.map((name) => ({ name, source: `/srv/${name}` })),
  };
}

/** Deterministic text that compresses like a real dump does. */
function text(bytes: number, seed: number): Buffer {
  const words = ['order', 'invoice', 'customer', 'shipped', 'pending', 'refund', 'berlin', 'tokyo'];
  const parts: string[] = [];
  let length = 0;
  while (length < bytes) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const word = `${words[seed % words.length]}${seed % 3 === 0 ? seed % 100000 : ''} `;
    parts.push(word);
    length += word.length;
  }
  return Buffer.from(parts.join('').slice(0, bytes));
}

/** Bytes that do not compress, like an image upload. */
function noise(bytes: number, seed: number): Buffer {
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out[i] = seed >> 16;
  }
  return out;
}

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

interface Fixture {
  dir: string;
  archive: string;
  sources: ArchiveSource[];
  manifest: Manifest;
}

/** A dump and a data directory (with symlinks the listing must skip), archived at `level`. */
async function fixture(level: number): Promise<Fixture> {
  const dir = tmp();
  mkdirSync(join(dir, 'uploads', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'dump.bin'), text(3_000_000, 1));
  writeFileSync(join(dir, 'uploads', 'a.txt'), 'hello\n');
  writeFileSync(join(dir, 'uploads', 'empty'), '');
  writeFileSync(join(dir, 'uploads', 'sub', 'b.bin'), noise(200_000, 2));
  symlinkSync('a.txt', join(dir, 'uploads', 'link'));
  symlinkSync('/etc', join(dir, 'uploads', 'outside'));
  const sources = [
    { path: 'database/dump.bin', file: join(dir, 'dump.bin') },
    ...listDataDir('uploads', join(dir, 'uploads')).sources,
  ];
  const archive = join(dir, 'backup.tar.gz');
  const manifest = await writeArchive(archive, sources, header(), { level });
  return { dir, archive, sources, manifest };
}

const fixtures = new Map<number, Promise<Fixture>>();
const shared = (level = 1): Promise<Fixture> => {
  if (!fixtures.has(level)) fixtures.set(level, fixture(level));
  return fixtures.get(level)!;
};

interface Crafted {
  path: string;
  body?: Buffer | string;
  type?: 'File' | 'SymbolicLink' | 'Link' | 'FIFO' | 'CharacterDevice' | 'Directory';
  linkpath?: string;
}

/** Writes a .tar.gz entry by entry with raw tar headers, exactly as given: no path is cleaned up. */
function craft(file: string, entries: Crafted[]): string {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = typeof entry.body === 'string' ? Buffer.from(entry.body) : (entry.body ?? Buffer.alloc(0));
    const h = new Header({
      path: entry.path,
      type: entry.type ?? 'File',
      linkpath: entry.linkpath,
      size: body.length,
      mode: 0o644,
      mtime: new Date(),
    });
    if (h.encode()) blocks.push(new Pax({ path: entry.path, linkpath: entry.linkpath, size: body.length }).encode());
    blocks.push(h.block!, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  writeFileSync(file, gzipSync(Buffer.concat(blocks)));
  return file;
}

/** The fixture's entries as crafted entries, read back from their source files. */
function entriesOf(f: Fixture): Crafted[] {
  return f.sources.map((s) => ({ path: s.path, body: readFileSync(s.file) }));
}

/** Asserts that `run` fails with `code` and a message matching every pattern. */
async function rejects(run: () => Promise<unknown>, code: string, ...patterns: RegExp[]): Promise<MoltError> {
  let caught: unknown;
  await run().then(
    () => assert.fail(`expected ${code}`),
    (error) => (caught = error),
  );
  assert.ok(caught instanceof MoltError, `not a MoltError: ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  for (const pattern of patterns) assert.match(caught.message, pattern);
  return caught;
}

/** Verify and extract both refuse the archive, naming the entry; extraction leaves nothing behind. */
async function refusedEverywhere(archive: string, ...patterns: RegExp[]): Promise<void> {
  await rejects(() => verifyArchive(archive), 'BACKUP_INVALID', ...patterns);
  const target = join(tmp(), 'target');
  await rejects(() => extractArchive(archive, target), 'BACKUP_INVALID', ...patterns);
  assert.equal(existsSync(target), false, 'the extraction directory it created is removed');
}

const quoted = (path: string): RegExp => new RegExp(`"${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"`);

describe('backup archive: write, verify, extract', () => {
  it('round-trips every byte, skips symlinks, reports progress and is readable by GNU tar', async () => {
    const f = await shared();
    const listing = listDataDir('uploads', join(f.dir, 'uploads'));
    assert.deepEqual(
      listing.sources.map((s) => s.path),
      ['data/uploads/a.txt', 'data/uploads/empty', 'data/uploads/sub/b.bin'],
    );
    assert.deepEqual(
      listing.skipped.map((s) => [s.file.slice(f.dir.length), /symlink/.test(s.reason)]),
      [
        ['/uploads/link', true],
        ['/uploads/outside', true],
      ],
    );

    assert.deepEqual(
      f.manifest.entries.map((e) => e.path),
      f.sources.map((s) => s.path),
    );
    for (const [i, s] of f.sources.entries()) {
      const bytes = readFileSync(s.file);
      assert.deepEqual(f.manifest.entries[i], { path: s.path, size: bytes.length, sha256: sha(bytes) });
    }
    assert.equal(existsSync(`${f.archive}.${process.pid}.partial`), false);
    const listed = execFileSync('tar', ['-tzf', f.archive], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(listed, [...f.sources.map((s) => s.path), 'manifest.json']);

    const events: { phase: string; bytes: number; total?: number }[] = [];
    const verified = await verifyArchive(f.archive, (e) => events.push(e));
    assert.deepEqual(verified.manifest, f.manifest);
    assert.equal(verified.bytes, statSync(f.archive).size);
    assert.deepEqual(events.at(-1), { phase: 'verify', bytes: verified.bytes, total: verified.bytes });

    const target = join(tmp(), 'restored');
    const extracted = await extractArchive(f.archive, target);
    assert.deepEqual(extracted, f.manifest);
    for (const s of f.sources) assert.ok(readFileSync(join(target, s.path)).equals(readFileSync(s.file)), s.path);
    const files = readdirSync(target, { recursive: true, withFileTypes: true }).filter((d) => !d.isDirectory());
    assert.equal(files.length, f.sources.length, 'exactly the entries, no manifest.json, no symlink');
  });

  it('reports archive progress up to the total and writes a level 0 archive the reader accepts', async () => {
    const f = await shared();
    const out = join(tmp(), 'stored.tar.gz');
    const events: { phase: string; bytes: number; total?: number }[] = [];
    const manifest = await writeArchive(out, f.sources, header(), { level: 0, progress: (e) => events.push(e) });
    const total = f.sources.reduce((sum, s) => sum + statSync(s.file).size, 0);
    assert.ok(
      events.every(
        (e, i) => e.phase === 'archive' && e.total === total && (i === 0 || e.bytes >= events[i - 1]!.bytes),
      ),
    );
    assert.equal(events.at(-1)!.bytes, total);
    assert.ok(statSync(out).size > total, 'level 0 stores without compressing');
    assert.deepEqual((await verifyArchive(out)).manifest.entries, manifest.entries);
    assert.deepEqual(
      execFileSync('tar', ['-tzf', out], { encoding: 'utf8' }).trim().split('\n'),
      manifest.entries.map((e) => e.path).concat('manifest.json'),
    );
  });

  it('a stored gzip stream is read back byte for byte by zlib and by gzip(1), whatever the chunk sizes', async () => {
    const dir = tmp();
    const cases: number[][] = [[], [0], [1], [65_535], [65_536], [65_535 * 3 + 7, 1, 200_000], [1 << 20, 5]];
    for (const sizes of cases) {
      const chunks = sizes.map((n) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff)));
      const out: Buffer[] = [];
      for await (const piece of Readable.from(chunks).pipe(storedGzip())) out.push(piece as Buffer);
      const gz = Buffer.concat(out);
      assert.deepEqual(gunzipSync(gz), Buffer.concat(chunks), `sizes ${sizes.join(',')}`);
      const file = join(dir, `s${sizes.length}.gz`);
      writeFileSync(file, gz);
      execFileSync('gzip', ['-t', file]);
    }
  });

  it('never overwrites a backup, and leaves no partial file when a source is missing or changes', async () => {
    const f = await shared();
    const before = sha(readFileSync(f.archive));
    await rejects(() => writeArchive(f.archive, f.sources, header()), 'BACKUP_FAILED', /already exists/);
    assert.equal(sha(readFileSync(f.archive)), before);

    const dir = tmp();
    const out = join(dir, 'b.tar.gz');
    await rejects(
      () => writeArchive(out, [...f.sources, { path: 'data/uploads/gone', file: join(dir, 'gone') }], header()),
      'BACKUP_FAILED',
      /gone/,
    );
    const growing = join(dir, 'growing.bin');
    copyFileSync(f.sources[0]!.file, growing);
    let appended = false;
    const grow = (): void => {
      if (!appended) appendFileSync(growing, 'late write');
      appended = true;
    };
    await rejects(
      () => writeArchive(out, [{ path: 'database/dump.bin', file: growing }], header(), { progress: grow }),
      'BACKUP_FAILED',
      /growing\.bin changed while it was being archived/,
    );
    await rejects(
      () =>
        writeArchive(
          out,
          [
            { path: '../x', file: growing },
            { path: 'database/dump.bin', file: growing },
          ],
          header(),
        ),
      'BACKUP_FAILED',
      /"\.\.\/x": it has a '\.\.' component/,
    );
    assert.deepEqual(readdirSync(dir).sort(), ['growing.bin']);

    // The partial file carries the writer's pid: one of this very process is another write going on.
    writeFileSync(`${out}.${process.pid}.partial`, 'being written');
    await rejects(
      () => writeArchive(out, [{ path: 'database/dump.bin', file: growing }], header()),
      'BACKUP_FAILED',
      /b\.tar\.gz\.\d+\.partial exists/,
    );
    assert.equal(existsSync(out), false);
  });

  it('detects a flipped byte in the middle of the archive, naming the damaged entry, at levels 0 and 1', async () => {
    for (const level of [0, 1]) {
      const f = await shared(level);
      const bytes = readFileSync(f.archive);
      for (const at of [0.25, 0.5, 0.75]) {
        const damaged = Buffer.from(bytes);
        damaged[Math.floor(bytes.length * at)]! ^= 0x10;
        const file = join(tmp(), 'flipped.tar.gz');
        writeFileSync(file, damaged);
        await refusedEverywhere(file, /"database\/dump\.bin"/);
      }
    }
  });

  it('detects a truncated archive wherever it is cut, naming where it ends', async () => {
    const f = await shared(0);
    const bytes = readFileSync(f.archive);
    // At level 0 gzip adds only a few bytes per 64 KiB, so a tar offset maps to about the same file offset.
    const starts: number[] = [];
    let offset = 0;
    for (const e of f.manifest.entries) {
      starts.push(offset + 512);
      offset += 512 + Math.ceil(e.size / 512) * 512;
    }
    const middle = (i: number): number => starts[i]! + Math.floor(f.manifest.entries[i]!.size / 2);
    const cuts: [number, RegExp][] = [
      [5, /truncated: the archive ends before the first entry/],
      [middle(0) - 1_000_000, /truncated: the archive ends inside entry "database\/dump\.bin"/],
      [middle(0), /truncated: the archive ends inside entry "database\/dump\.bin"/],
      [middle(3), /truncated: the archive ends inside entry "data\/uploads\/sub\/b\.bin"/],
      [bytes.length - 4, /truncated: the archive ends after entry "manifest\.json"/],
    ];
    for (const [at, pattern] of cuts) {
      const file = join(tmp(), 'cut.tar.gz');
      writeFileSync(file, bytes.subarray(0, at));
      await refusedEverywhere(file, pattern);
    }
    const compressed = readFileSync((await shared(1)).archive);
    const file = join(tmp(), 'cut1.tar.gz');
    writeFileSync(file, compressed.subarray(0, Math.floor(compressed.length / 2)));
    await refusedEverywhere(file, /truncated: the archive ends inside entry "database\/dump\.bin"/);
  });

  it('detects an entry missing from the archive that the manifest lists', async () => {
    const f = await shared();
    const dir = tmp();
    const archive = craft(join(dir, 'missing.tar.gz'), [
      ...entriesOf(f).filter((e) => e.path !== 'data/uploads/a.txt'),
      { path: 'manifest.json', body: manifestText(f.manifest) },
    ]);
    await rejects(
      () => verifyArchive(archive),
      'BACKUP_INVALID',
      /entry "data\/uploads\/a\.txt" is listed in the manifest but missing from the archive/,
    );
    // An existing empty directory is emptied again, not removed.
    const target = join(dir, 'target');
    mkdirSync(target);
    await rejects(() => extractArchive(archive, target), 'BACKUP_INVALID', /"data\/uploads\/a\.txt"/);
    assert.deepEqual(readdirSync(target), []);
  });

  it('detects a manifest that lies about a hash or a size, or leaves an entry out', async () => {
    const f = await shared();
    const lie = (edit: (m: Manifest) => void, extra: Crafted[] = []): string => {
      const manifest = structuredClone(f.manifest);
      edit(manifest);
      return craft(join(tmp(), 'lie.tar.gz'), [
        ...entriesOf(f),
        ...extra,
        { path: 'manifest.json', body: manifestText(manifest) },
      ]);
    };
    const other = sha(Buffer.from('something else'));
    await refusedEverywhere(
      lie((m) => (m.entries[0]!.sha256 = other)),
      new RegExp(`entry "database/dump\\.bin" has sha256 \\w{64}, the manifest says ${other}`),
    );
    await refusedEverywhere(
      lie((m) => (m.entries[1]!.size += 1)),
      /entry "data\/uploads\/a\.txt" is 6 bytes, the manifest says 7/,
    );
    await refusedEverywhere(
      lie(() => undefined, [{ path: 'data/uploads/extra.txt', body: 'smuggled' }]),
      /entry "data\/uploads\/extra\.txt" is in the archive but not listed in the manifest/,
    );
  });

  it('refuses a missing, unparsable or misplaced manifest, duplicates, and plain non-archives', async () => {
    const f = await shared();
    const dump = entriesOf(f)[0]!;
    const dir = tmp();
    const file = (name: string, entries: Crafted[]): string => craft(join(dir, name), entries);
    await refusedEverywhere(
      file('none.tar.gz', [dump]),
      /no manifest\.json: the archive ends after entry "database\/dump\.bin"/,
    );
    await refusedEverywhere(
      file('garbled.tar.gz', [dump, { path: 'manifest.json', body: '{"format": "molt-backup",' }]),
      /manifest\.json is not valid JSON/,
    );
    await refusedEverywhere(
      file('twice.tar.gz', [dump, dump, { path: 'manifest.json', body: manifestText(f.manifest) }]),
      /entry "database\/dump\.bin" appears twice/,
    );
    await refusedEverywhere(
      file('late.tar.gz', [
        dump,
        { path: 'manifest.json', body: manifestText(f.manifest) },
        { path: 'data/uploads/late', body: 'x' },
      ]),
      /entry "data\/uploads\/late" follows manifest\.json/,
    );
    writeFileSync(join(dir, 'plain.tar.gz'), 'not an archive at all');
    await refusedEverywhere(join(dir, 'plain.tar.gz'), /not a gzip file/);
    writeFileSync(join(dir, 'gz.tar.gz'), gzipSync('gzip, but no tar inside'));
    await refusedEverywhere(join(dir, 'gz.tar.gz'), /not a tar archive/);
    await rejects(() => verifyArchive(join(dir, 'nowhere.tar.gz')), 'BACKUP_INVALID', /nowhere\.tar\.gz: no such file/);
  });

  it('refuses entries that would escape the target, and writes nothing outside it', async () => {
    const parent = tmp();
    const dump = { path: 'database/dump.bin', body: 'dump' };
    const manifest = manifestText({
      ...header(['x']),
      entries: [{ path: dump.path, size: 4, sha256: sha(Buffer.from('dump')) }],
    });
    writeFileSync(join(parent, 'outside-hard'), 'original');
    const cases: [string, Crafted[], RegExp][] = [
      ['dotdot', [{ path: '../x', body: 'evil' }], /unsafe entry "\.\.\/x": it has a '\.\.' component/],
      ['absolute', [{ path: '/etc/x', body: 'evil' }], /unsafe entry "\/etc\/x": it is an absolute path/],
      [
        'absolute-parent',
        [{ path: join(parent, 'abs-x'), body: 'evil' }],
        new RegExp(`unsafe entry ${quoted(join(parent, 'abs-x')).source}: it is an absolute path`),
      ],
      [
        'inner-dotdot',
        [{ path: 'a/../../x', body: 'evil' }],
        /unsafe entry "a\/\.\.\/\.\.\/x": it has a '\.\.' component/,
      ],
      [
        'symlink',
        [
          { path: 'data/x/link', type: 'SymbolicLink', linkpath: '../../../outside' },
          { path: 'data/x/link/escape', body: 'evil' },
        ],
        /unsafe entry "data\/x\/link": it is a symlink to \.\.\/\.\.\/\.\.\/outside, which points outside the archive/,
      ],
      [
        'hardlink',
        [
          { path: 'data/x/hard', type: 'Link', linkpath: '../outside-hard' },
          { path: 'data/x/hard2', body: 'evil' },
        ],
        /unsafe entry "data\/x\/hard": it is a hard link to \.\.\/outside-hard, which points outside the archive/,
      ],
      [
        'hardlink-absolute',
        [{ path: 'data/x/hard', type: 'Link', linkpath: join(parent, 'outside-hard') }],
        /unsafe entry "data\/x\/hard": it is a hard link to .*outside-hard, which points outside the archive/,
      ],
      [
        'inner-symlink',
        [{ path: 'data/x/ok', type: 'SymbolicLink', linkpath: 'other' }],
        /unsafe entry "data\/x\/ok": it is a symlink to other; molt archives hold only regular files/,
      ],
      ['fifo', [{ path: 'data/x/fifo', type: 'FIFO' }], /unsafe entry "data\/x\/fifo": it is a device or fifo/],
      [
        'device',
        [{ path: 'data/x/tty', type: 'CharacterDevice' }],
        /unsafe entry "data\/x\/tty": it is a device or fifo/,
      ],
    ];
    for (const [name, evil, pattern] of cases) {
      const archive = craft(join(parent, `${name}.tar.gz`), [dump, ...evil, { path: 'manifest.json', body: manifest }]);
      await rejects(() => verifyArchive(archive), 'BACKUP_INVALID', pattern);
      const target = join(parent, 'target');
      await rejects(() => extractArchive(archive, target), 'BACKUP_INVALID', pattern);
      rmSync(archive);
      assert.deepEqual(readdirSync(parent), ['outside-hard'], `${name}: nothing written beside the target`);
      assert.equal(readFileSync(join(parent, 'outside-hard'), 'utf8'), 'original');
      assert.equal(existsSync('/etc/x'), false);
    }
  });

  it('extracts with a manifest verified earlier, and undoes its writes when the archive changed since', async () => {
    const f = await shared();
    const events: string[] = [];
    const target = join(tmp(), 'fast');
    await extractArchive(f.archive, target, (e) => events.push(e.phase), f.manifest);
    assert.deepEqual([...new Set(events)], ['extract'], 'one pass only');
    for (const s of f.sources) assert.ok(readFileSync(join(target, s.path)).equals(readFileSync(s.file)), s.path);

    // Swapped after verification: the extra entry comes after files already written, which are removed.
    const swapped = craft(join(tmp(), 'swapped.tar.gz'), [
      ...entriesOf(f),
      { path: 'data/uploads/zz-extra', body: 'x' },
      { path: 'manifest.json', body: manifestText(f.manifest) },
    ]);
    const parent = tmp();
    const again = join(parent, 'target');
    await rejects(
      () => extractArchive(swapped, again, undefined, f.manifest),
      'BACKUP_INVALID',
      /entry "data\/uploads\/zz-extra" differs from what verification saw/,
    );
    assert.deepEqual(readdirSync(parent), []);
  });

  it('refuses to extract into a directory that is not empty, leaving it as it was', async () => {
    const f = await shared();
    const target = tmp();
    writeFileSync(join(target, 'keep.txt'), 'mine');
    await rejects(() => extractArchive(f.archive, target), 'RESTORE_FAILED', /is not empty \(keep\.txt\)/);
    assert.deepEqual(readdirSync(target), ['keep.txt']);
  });
});

describe('backup manifest', () => {
  it('names the field that is wrong', () => {
    const base = { ...header(), entries: [{ path: 'database/dump.bin', size: 4, sha256: 'a'.repeat(64) }] };
    assert.deepEqual(parseManifest(manifestText(base), 'b.tar.gz'), base);
    const bad: [(m: Record<string, any>) => void, RegExp][] = [
      [(m) => (m.format = 'tar'), /field format is "tar", not "molt-backup"/],
      [(m) => (m.formatVersion = 2), /formatVersion 2, newer than this molt reads/],
      [(m) => (m.database.kind = 'oracle'), /field database\.kind is "oracle", not one of sqlite, postgres, mysql/],
      [(m) => (m.entries[0].path = '../dump.bin'), /field entries\[0\]\.path "\.\.\/dump\.bin" is unsafe/],
      [
        (m) => (m.entries[0].path = 'elsewhere/dump.bin'),
        /entries\[0\]\.path "elsewhere\/dump\.bin" is unsafe or misplaced/,
      ],
      [(m) => (m.entries[0].size = -1), /field entries\[0\]\.size -1 is not a non-negative integer/],
      [(m) => (m.entries[0].size = 1.5), /field entries\[0\]\.size 1\.5 is not a non-negative integer/],
      [(m) => (m.entries[0].sha256 = 'A'.repeat(64)), /field entries\[0\]\.sha256 "A+" is not 64 lowercase hex digits/],
      [(m) => m.entries.push({ ...m.entries[0] }), /"database\/dump\.bin" is listed twice/],
      [
        (m) => (m.database.dumpPath = 'database/other'),
        /field database\.dumpPath "database\/other" is not a database\/ entry listed in entries/,
      ],
      [(m) => (m.createdAt = 'yesterday'), /field createdAt "yesterday" is not an ISO 8601 UTC time/],
      [
        (m) => (m.dataDirs[0].name = '../up'),
        /field dataDirs\[0\]\.name "\.\.\/up" is not a valid data directory name/,
      ],
      [(m) => delete m.schema, /field schema is missing or not an object/],
      [(m) => (m.appVersion = 7), /field appVersion is missing or not a string or null/],
    ];
    for (const [edit, pattern] of bad) {
      const m = structuredClone(base) as Record<string, any>;
      edit(m);
      assert.throws(
        () => parseManifest(JSON.stringify(m), 'b.tar.gz'),
        (e: MoltError) =>
          e.code === 'BACKUP_INVALID' && pattern.test(e.message) && /^Backup b\.tar\.gz: /.test(e.message),
      );
    }
    // A newer molt's extra field does not stop an older molt from restoring.
    assert.deepEqual(parseManifest(JSON.stringify({ ...base, comment: 'from a newer molt' }), 'b.tar.gz'), base);
  });
});

describe('data directories', () => {
  it('lists regular files only, and refuses a bad name or a missing directory', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'files'));
    writeFileSync(join(dir, 'files', 'z'), 'z');
    writeFileSync(join(dir, 'files', 'back\\slash'), 'b');
    execFileSync('mkfifo', [join(dir, 'files', 'pipe')]);
    const listing = listDataDir('files', join(dir, 'files'));
    assert.deepEqual(listing.sources, [{ path: 'data/files/z', file: join(dir, 'files', 'z') }]);
    assert.deepEqual(
      listing.skipped.map((s) => [s.file.slice(dir.length), s.reason.split(';')[0]!.split(':')[0]]),
      [
        ['/files/back\\slash', 'its name cannot be stored in an archive'],
        ['/files/pipe', 'it is a socket, fifo or device'],
      ],
    );
    assert.throws(
      () => listDataDir('a b', dir),
      (e: MoltError) => e.code === 'CONFIG_INVALID' && /"a b" is not valid/.test(e.message),
    );
    assert.throws(
      () => listDataDir('gone', join(dir, 'gone')),
      (e: MoltError) => e.code === 'BACKUP_FAILED' && /"gone" .*gone\) cannot be backed up/.test(e.message),
    );
  });

  it('replaces a directory by rename, keeping its mode, and leaves no old copy behind', async () => {
    const dir = tmp();
    const target = join(dir, 'uploads');
    mkdirSync(join(target, 'old-sub'), { recursive: true });
    writeFileSync(join(target, 'old.txt'), 'old');
    chmodSync(target, 0o750);
    const extracted = join(dir, 'work', 'data', 'uploads');
    mkdirSync(join(extracted, 'sub'), { recursive: true });
    writeFileSync(join(extracted, 'sub', 'new.txt'), 'new');
    await restoreDataDir(extracted, target);
    assert.deepEqual(readdirSync(target, { recursive: true }).sort(), ['sub', join('sub', 'new.txt')]);
    assert.equal(statSync(target).mode & 0o777, 0o750);
    assert.deepEqual(readdirSync(dir).sort(), ['uploads', 'work']);

    // A data directory that was empty at backup time has no entries, hence no extracted directory.
    await restoreDataDir(join(dir, 'work', 'data', 'never'), target);
    assert.deepEqual(readdirSync(target), []);
  });

  it('leaves the target as it was when the replacement is not a directory', async () => {
    const dir = tmp();
    const target = join(dir, 'uploads');
    mkdirSync(target);
    writeFileSync(join(target, 'keep.txt'), 'keep');
    writeFileSync(join(dir, 'not-a-dir'), 'x');
    await rejects(
      () => restoreDataDir(join(dir, 'not-a-dir'), target),
      'RESTORE_FAILED',
      /not-a-dir is not a directory/,
    );
    assert.deepEqual(readdirSync(target), ['keep.txt']);
    assert.deepEqual(readdirSync(dir).sort(), ['not-a-dir', 'uploads']);
  });

  it('restores from another filesystem by copying beside the target first', async (t) => {
    if (!existsSync('/dev/shm') || statSync('/dev/shm').dev === statSync(tmpdir()).dev)
      return t.skip('no second filesystem here');
    const extracted = mkdtempSync('/dev/shm/molt-archive-');
    roots.push(extracted);
    writeFileSync(join(extracted, 'f.txt'), 'from tmpfs');
    const dir = tmp();
    const target = join(dir, 'uploads');
    mkdirSync(target);
    writeFileSync(join(target, 'old.txt'), 'old');
    await restoreDataDir(extracted, target);
    assert.deepEqual(readdirSync(target), ['f.txt']);
    assert.equal(readFileSync(join(target, 'f.txt'), 'utf8'), 'from tmpfs');
    assert.deepEqual(readdirSync(dir), ['uploads']);
  });
});
