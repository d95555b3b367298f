// Fuzzed backup archives: hostile paths, links, devices, sizes and manifests, restored into a sandbox whose surroundings
// are watched, so that any write outside what the operator named is seen.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import { molt } from '../test/helpers/cli.js';
import { DOCUMENTED_EXITS, pick, type FuzzFinding, type Random } from './fuzz-common.js';

/** A real archive's parts, unpacked once per run: the about entry, the dump and the manifest. */
export interface ArchiveBase {
  about: Buffer;
  dump: Buffer;
  dumpPath: string;
  manifest: Record<string, unknown>;
  dir: string;
}

/** Makes the base: a migrated SQLite database backed up by the CLI, then unpacked. */
export async function archiveBase(): Promise<ArchiveBase> {
  const root = mkdtempSync(join(tmpdir(), 'molt-fuzz-base-'));
  const dir = join(root, 'migrations');
  mkdirSync(dir);
  writeFileSync(
    join(dir, '0001_notes.sql'),
    "CREATE TABLE notes (id integer PRIMARY KEY, body text);\nINSERT INTO notes (body) VALUES ('kept');\n",
  );
  const db = `sqlite:${join(root, 'source.db')}`;
  const m = await molt(['migrate', '--db', db, '--dir', dir]);
  if (m.code !== 0) throw new Error(`fuzz base: migrate failed: ${m.stderr}`);
  const file = join(root, 'base.tar.gz');
  const b = await molt(['backup', file, '--db', db, '--dir', dir]);
  if (b.code !== 0) throw new Error(`fuzz base: backup failed: ${b.stderr}`);
  const { execFileSync } = await import('node:child_process');
  const parts = join(root, 'parts');
  mkdirSync(parts);
  execFileSync('tar', ['-xzf', file, '-C', parts]);
  const manifest = JSON.parse(readFileSync(join(parts, 'manifest.json'), 'utf8')) as Record<string, unknown> & {
    database: { dumpPath: string };
  };
  return {
    about: readFileSync(join(parts, 'about.json')),
    dump: readFileSync(join(parts, manifest.database.dumpPath)),
    dumpPath: manifest.database.dumpPath,
    manifest,
    dir,
  };
}

interface TarEntry {
  path: string;
  type?: 'File' | 'SymbolicLink' | 'Link' | 'Directory' | 'CharacterDevice' | 'FIFO';
  linkpath?: string;
  body?: Buffer;
  /** The size the header declares, when it lies. */
  declared?: number;
  /** Left out of the manifest (an unlisted entry). */
  unlisted?: boolean;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A gzip'd tar of `entries` with `manifest.json` last, listing every entry unless told otherwise. */
function pack(
  entries: TarEntry[],
  manifest: Record<string, unknown>,
  listed?: { path: string; size: number; sha256: string }[],
): Buffer {
  const blocks: Buffer[] = [];
  const add = (e: TarEntry): void => {
    const body = e.body ?? Buffer.alloc(0);
    const header = new Header({
      path: e.path,
      mode: 0o644,
      size: e.declared ?? (e.type && e.type !== 'File' ? 0 : body.length),
      mtime: new Date(0),
      type: e.type ?? 'File',
      linkpath: e.linkpath,
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (!e.type || e.type === 'File') {
      blocks.push(body);
      if (body.length % 512) blocks.push(Buffer.alloc(512 - (body.length % 512)));
    }
  };
  for (const e of entries) add(e);
  const entriesListed =
    listed ??
    entries
      .filter((e) => !e.unlisted && (!e.type || e.type === 'File'))
      .map((e) => ({ path: e.path, size: (e.body ?? Buffer.alloc(0)).length, sha256: sha(e.body ?? Buffer.alloc(0)) }));
  add({
    path: 'manifest.json',
    body: Buffer.from(`${JSON.stringify({ ...manifest, entries: entriesListed }, null, 2)}\n`),
  });
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** Every file under `dir` with the hash of its bytes (links and others by their kind), to see any change. */
function snapshot(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) out.push(`${prefix}${name} (dangling)`);
    else if (st.isDirectory()) out.push(`${prefix}${name}/`, ...snapshot(path, `${prefix}${name}/`));
    else out.push(`${prefix}${name} ${st.isFile() ? sha(readFileSync(path)) : 'special'}`);
  }
  return out;
}

/** The mutations, each a hostile or damaged archive aimed at `outside`; one in ten cases keeps the archive sound. */
function mutate(random: Random, base: ArchiveBase, outside: string): { what: string; archive: Buffer } {
  const about: TarEntry = { path: 'about.json', body: base.about };
  const dump: TarEntry = { path: base.dumpPath, body: base.dump };
  const file = (path: string, text = 'pwned'): TarEntry => ({ path, body: Buffer.from(text) });
  const uploads = { name: 'uploads', source: '/srv/uploads' };
  const m = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    ...base.manifest,
    dataDirs: [uploads],
    ...extra,
  });
  const choices: (() => { what: string; archive: Buffer })[] = [
    () => ({ what: 'sound', archive: pack([about, dump, file('data/uploads/a.txt', 'fine')], m()) }),
    () => ({ what: 'dot-dot path', archive: pack([about, dump, file('data/uploads/../../../outside/pwn')], m()) }),
    () => ({ what: 'absolute path', archive: pack([about, dump, file(join(outside, 'pwn'))], m()) }),
    () => ({
      what: 'symlink out, then a file through it',
      archive: pack(
        [
          about,
          dump,
          { path: 'data/uploads/link', type: 'SymbolicLink', linkpath: outside },
          file('data/uploads/link/pwn'),
        ],
        m(),
      ),
    }),
    () => ({
      what: 'hard link to a file outside',
      archive: pack(
        [about, dump, { path: 'data/uploads/hard', type: 'Link', linkpath: join(outside, 'canary.txt') }],
        m(),
      ),
    }),
    () => ({
      what: 'device entry',
      archive: pack([about, dump, { path: 'data/uploads/dev', type: 'CharacterDevice' }], m()),
    }),
    () => ({ what: 'fifo entry', archive: pack([about, dump, { path: 'data/uploads/fifo', type: 'FIFO' }], m()) }),
    () => ({
      what: 'data directory sent outside by the manifest',
      archive: pack([about, dump, file('data/evil/pwn')], m({ dataDirs: [{ name: 'evil', source: outside }] })),
    }),
    () => ({
      what: 'relative data directory source',
      archive: pack(
        [about, dump, file('data/uploads/pwn')],
        m({ dataDirs: [{ name: 'uploads', source: '../outside' }] }),
      ),
    }),
    () => ({
      what: 'dump path outside',
      archive: pack(
        [about, { path: 'database/../../outside/db', body: base.dump }],
        m({ database: { ...(base.manifest.database as object), dumpPath: 'database/../../outside/db' } }),
      ),
    }),
    () => ({
      what: 'wrong hash',
      archive: pack([about, dump, file('data/uploads/a.txt')], m(), [
        { path: 'about.json', size: base.about.length, sha256: sha(base.about) },
        { path: base.dumpPath, size: base.dump.length, sha256: sha(base.dump) },
        { path: 'data/uploads/a.txt', size: 5, sha256: '0'.repeat(64) },
      ]),
    }),
    () => ({
      what: 'unlisted entry',
      archive: pack([about, dump, { ...file('data/uploads/extra'), unlisted: true }], m()),
    }),
    () => ({
      what: 'listed entry missing',
      archive: pack([about, dump], m(), [
        { path: 'about.json', size: base.about.length, sha256: sha(base.about) },
        { path: base.dumpPath, size: base.dump.length, sha256: sha(base.dump) },
        { path: 'data/uploads/gone', size: 1, sha256: sha(Buffer.from('x')) },
      ]),
    }),
    () => ({
      what: 'duplicate entry',
      archive: pack([about, dump, file('data/uploads/a.txt'), file('data/uploads/a.txt', 'other')], m()),
    }),
    () => ({
      what: 'header larger than the body',
      archive: pack([about, dump, { ...file('data/uploads/big'), declared: 1 << 30 }], m()),
    }),
    () => ({ what: 'about not first', archive: pack([dump, about], m()) }),
    () => ({
      what: 'manifest of another kind',
      archive: pack([about, dump], m({ database: { ...(base.manifest.database as object), kind: 'postgres' } })),
    }),
    () => ({ what: 'garbage manifest fields', archive: pack([about, dump], m({ formatVersion: 99, dataDirs: 'x' })) }),
    () => {
      const good = pack([about, dump], m());
      const cut = good.subarray(0, Math.max(10, Math.floor(good.length * random())));
      return { what: 'truncated archive', archive: cut };
    },
    () => {
      const good = Buffer.from(pack([about, dump], m()));
      good[Math.floor(random() * good.length)] ^= 0xff;
      return { what: 'flipped byte', archive: good };
    },
  ];
  return pick(random, choices)();
}

/**
 * One case: a fuzzed archive restored (with --yes) into a sandbox SQLite target with one named data directory. Every
 * exit is documented; `outside` and the sandbox's surroundings are exactly as before; a refused restore leaves the target
 * as it was.
 */
export async function fuzzArchiveCase(base: ArchiveBase, random: Random, id: string): Promise<FuzzFinding[]> {
  const findings: FuzzFinding[] = [];
  const root = mkdtempSync(join(tmpdir(), `molt-fuzz-archive-${id}-`));
  const outside = join(root, 'outside');
  const target = join(root, 'target');
  mkdirSync(outside);
  mkdirSync(target);
  writeFileSync(join(outside, 'canary.txt'), 'untouched');
  const { what, archive } = mutate(random, base, outside);
  const file = join(root, 'archive.tar.gz');
  writeFileSync(file, archive);
  const before = { outside: snapshot(outside), root: readdirSync(root).sort() };
  try {
    const r = await molt(
      [
        'restore',
        file,
        '--yes',
        '--db',
        `sqlite:${join(target, 'app.db')}`,
        '--dir',
        base.dir,
        '--data-dir',
        `uploads=${join(target, 'uploads')}`,
      ],
      { timeoutMs: 60_000 },
    );
    if (r.code === null || !DOCUMENTED_EXITS.has(r.code))
      findings.push({
        kind: 'exit',
        id,
        detail: `${what}: restore exited ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').at(-1)}`,
      });
    if (what !== 'sound' && r.code === 0)
      findings.push({ kind: 'outside', id, detail: `${what}: restore accepted a hostile archive` });
    if (JSON.stringify(snapshot(outside)) !== JSON.stringify(before.outside))
      findings.push({ kind: 'outside', id, detail: `${what}: ${outside} changed: ${snapshot(outside).join(', ')}` });
    if (JSON.stringify(readdirSync(root).sort()) !== JSON.stringify(before.root))
      findings.push({
        kind: 'outside',
        id,
        detail: `${what}: new entries beside the target: ${readdirSync(root).join(', ')}`,
      });
    const stray = readdirSync(target).filter(
      (n) => !/^(app\.db(-wal|-shm|-journal)?|app\.db\.molt-before-restore-\d{14}|uploads)$/.test(n),
    );
    if (stray.length > 0)
      findings.push({ kind: 'outside', id, detail: `${what}: left ${stray.join(', ')} in the target directory` });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return findings;
}
