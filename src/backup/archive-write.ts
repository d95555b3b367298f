import { createHash } from 'node:crypto';
import { link, lstat, open, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { hashInWorker } from './file-hash.js';
import { storedGzip } from './stored-gzip.js';
import { writeAll } from './write-all.js';
import { Header, Pax } from 'tar';
import { MoltError, messageOf } from '../errors.js';
import { MANIFEST_PATH, entryPathProblem, manifestText, parseManifest } from './manifest.js';
import type { Manifest, ManifestEntry, Progress } from './types.js';

/** One file to store: its path inside the archive and where it is on disk. */
export interface ArchiveSource {
  path: string;
  file: string;
  /**
   * Store exactly this many bytes from the start of the file, which its owner holds steady (a
   * live SQLite file under a read lock; it may be longer than the snapshot); by default, the whole file.
   */
  size?: number;
  /** Nothing changes the file while it is archived (a staged dump, a held snapshot), so a second reader may hash it in parallel. */
  steady?: boolean;
}

/** How writeArchive compresses and reports. */
export interface WriteArchiveOptions {
  progress?: Progress;
  /** gzip level 0-9; default 1. Level 0 stores without compressing and is several times faster. */
  level?: number;
}

/** Big reads keep the per-chunk cost (hash update, zlib hand-off) negligible next to the bytes. */
const CHUNK = 1 << 20;
const PLACEHOLDER_SHA = '0'.repeat(64);
/** From this size up, a steady file is hashed on a worker thread; below it, starting the thread costs more than it saves. */
const PARALLEL_HASH_BYTES = 64 << 20;

/**
 * Streams `sources` in order into a new `.tar.gz` at `out`, hashing each file as it is read, then
 * appends manifest.json; writes `out.partial`, fsyncs and publishes it under `out` only when complete.
 */
export async function writeArchive(
  out: string,
  sources: ArchiveSource[],
  manifest: Omit<Manifest, 'entries'>,
  options: WriteArchiveOptions = {},
): Promise<Manifest> {
  const level = options.level ?? 1;
  if (!Number.isInteger(level) || level < 0 || level > 9)
    throw failed(out, `gzip level ${level} is not an integer from 0 to 9`);
  checkSources(out, sources, manifest);
  if (await exists(out)) {
    throw failed(
      out,
      'already exists; molt never overwrites a backup',
      undefined,
      'choose another file name, or remove the old backup first',
    );
  }
  let total = 0;
  for (const s of sources) total += s.size ?? (await statSource(out, s)).size;

  const partial = `${out}.${process.pid}.partial`;
  let handle: FileHandle | undefined;
  try {
    // The archive holds the whole database: readable by its owner only, from the first byte.
    handle = await open(partial, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw failed(
        out,
        `${partial} exists: another backup is writing it, or a crashed one left it`,
        error,
        `if no backup is running, remove ${partial}`,
      );
    }
    throw failed(out, `cannot create ${partial}: ${messageOf(error)}`, error);
  }
  const entries: ManifestEntry[] = [];
  try {
    const gzip = level === 0 ? storedGzip() : createGzip({ level, chunkSize: CHUNK });
    await pipeline(tarBytes(out, sources, manifest, entries, total, options.progress), gzip, toHandle(handle));
    await handle.sync();
    await handle.close();
    handle = undefined;
    await publish(partial, out);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(partial, { force: true }).catch(() => undefined);
    if (error instanceof MoltError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw failed(
      out,
      `cannot write the archive: ${messageOf(error)}`,
      error,
      code === 'ENOSPC' ? 'free disk space in the backups directory, or remove old backups' : undefined,
    );
  }
  return { ...manifest, entries };
}

/** The tar stream: each source's header, bytes (hashed on the way) and padding, then the manifest and the end marker. */
async function* tarBytes(
  out: string,
  sources: ArchiveSource[],
  manifest: Omit<Manifest, 'entries'>,
  entries: ManifestEntry[],
  total: number,
  progress: Progress | undefined,
): AsyncGenerator<Buffer> {
  let done = 0;
  for (const source of sources) {
    const fh = await open(source.file, 'r');
    let parallel: ReturnType<typeof hashInWorker> | undefined;
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw failed(out, `${source.file} is not a regular file`);
      const size = source.size ?? st.size;
      if (size > st.size) throw changed(out, source, size, st.size);
      yield headerBytes(source.path, size, st.mode & 0o777, st.mtime);
      parallel = source.steady && size >= PARALLEL_HASH_BYTES ? hashInWorker(source.file, size) : undefined;
      const hash = parallel ? undefined : createHash('sha256');
      let pos = 0;
      while (pos < size) {
        // A fresh buffer per chunk: gzip still holds the previous one while we read the next.
        const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - pos));
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) throw changed(out, source, size, pos);
        const chunk = bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
        hash?.update(chunk);
        pos += bytesRead;
        done += bytesRead;
        progress?.({ phase: 'archive', bytes: done, total });
        yield chunk;
      }
      if (source.size === undefined && (await fh.read(Buffer.alloc(1), 0, 1, pos)).bytesRead > 0)
        throw changed(out, source, size, pos + 1);
      const pad = padding(size);
      if (pad) yield pad;
      entries.push({ path: source.path, size, sha256: parallel ? await parallel.digest : hash!.digest('hex') });
    } finally {
      parallel?.stop();
      await fh.close();
    }
  }
  const text = Buffer.from(manifestText({ ...manifest, entries }));
  yield headerBytes(MANIFEST_PATH, text.length, 0o644, new Date());
  yield text;
  const pad = padding(text.length);
  if (pad) yield pad;
  yield Buffer.alloc(1024);
}

/** Writes into an open handle and leaves it open, so that it can be fsynced before it is published. */
function toHandle(handle: FileHandle): Writable {
  return new Writable({
    highWaterMark: CHUNK,
    write(chunk: Buffer, _encoding, callback) {
      writeAll(handle, chunk).then(() => callback(), callback);
    },
  });
}

/** A ustar header, preceded by a pax header when the path does not fit ustar's fields. */
function headerBytes(path: string, size: number, mode: number, mtime: Date): Buffer {
  const header = new Header({ path, size, mode, mtime, type: 'File' });
  const needPax = header.encode();
  if (!header.block) throw new Error(`cannot encode a tar header for ${path}`);
  return needPax ? Buffer.concat([new Pax({ path, size, mtime }).encode(), header.block]) : header.block;
}

function padding(size: number): Buffer | null {
  const rest = size % 512;
  return rest === 0 ? null : Buffer.alloc(512 - rest);
}

/** Rejects what would make an archive the reader refuses, before any byte is written. */
function checkSources(out: string, sources: ArchiveSource[], manifest: Omit<Manifest, 'entries'>): void {
  const seen = new Set<string>();
  for (const s of sources) {
    const problem = s.path === MANIFEST_PATH ? 'it is reserved for the manifest' : entryPathProblem(s.path);
    if (problem) throw failed(out, `cannot store ${s.file} as "${s.path}": ${problem}`);
    if (seen.has(s.path)) throw failed(out, `two sources share the archive path "${s.path}"`);
    seen.add(s.path);
  }
  const probe = { ...manifest, entries: sources.map((s) => ({ path: s.path, size: 0, sha256: PLACEHOLDER_SHA })) };
  try {
    parseManifest(manifestText(probe), out);
  } catch (error) {
    throw failed(out, `the manifest would not verify: ${messageOf(error)}`, error);
  }
}

async function statSource(out: string, source: ArchiveSource): Promise<{ size: number }> {
  try {
    const st = await stat(source.file);
    if (!st.isFile()) throw failed(out, `${source.file} (for "${source.path}") is not a regular file`);
    return st;
  } catch (error) {
    if (error instanceof MoltError) throw error;
    throw failed(out, `cannot read ${source.file}: ${messageOf(error)}`, error);
  }
}

/** Publishes the finished partial file; link() fails if `out` appeared meanwhile, where rename() would clobber it. */
async function publish(partial: string, out: string): Promise<void> {
  try {
    await link(partial, out);
    await unlink(partial);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw failed(out, 'appeared while the backup was being written; molt never overwrites a backup', error);
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EXDEV'].includes(code ?? '')) throw error;
    // Filesystems without hard links: check, then rename (a narrow race, but never a half archive).
    if (await exists(out))
      throw failed(out, 'appeared while the backup was being written; molt never overwrites a backup', error);
    await rename(partial, out);
  }
  // The rename is durable only once the directory is synced; some platforms refuse to open a directory.
  const dir = await open(dirname(out), 'r').catch(() => undefined);
  await dir?.sync().catch(() => undefined);
  await dir?.close().catch(() => undefined);
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function changed(out: string, source: ArchiveSource, size: number, at: number): MoltError {
  return failed(
    out,
    `${source.file} changed while it was being archived (it was ${size} bytes, now ${at > size ? 'longer' : `${at}`})`,
    undefined,
    'retry the backup; if a process keeps writing to this file, stop it or leave the file out of the data directories',
  );
}

function failed(out: string, message: string, cause?: unknown, hint?: string): MoltError {
  return new MoltError('BACKUP_FAILED', `Backup ${out}: ${message}`, { cause, hint, details: { file: out } });
}
