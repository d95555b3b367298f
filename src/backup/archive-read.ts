import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rm, stat, statfs, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { MoltError, messageOf } from '../errors.js';
import { checkEntry, compare, invalid, unsafe } from './archive-checks.js';
import { MANIFEST_PATH, manifestText, parseManifest } from './manifest.js';
import { writeAll } from './write-all.js';
import type { Manifest, ManifestEntry, Progress } from './types.js';

const CHUNK = 1 << 20;
/** Far above any real manifest (the history of thousands of migrations), far below memory trouble. */
const MAX_MANIFEST_BYTES = 64 << 20;

/** Where a scan writes the files it reads; absent when it only verifies. */
interface Extraction {
  dir: string;
  /** The manifest of the verification pass: every written file must be listed in it with the same size. */
  expect: Map<string, ManifestEntry>;
  created: Set<string>;
}

/**
 * Reads the archive once, hashing every entry, and checks it against its manifest; throws
 * BACKUP_INVALID naming the entry for corruption, truncation, lies, and unsafe or unexpected entries.
 * `bytes` is the archive's size on disk.
 */
export async function verifyArchive(
  file: string,
  progress?: Progress,
): Promise<{ manifest: Manifest; bytes: number; first: string | undefined }> {
  return scan(file, 'verify', progress);
}

/**
 * Verifies the whole archive, then extracts it into `dir` (which must be missing or empty), hashing
 * again as it writes; never writes outside `dir`, and removes what it wrote when anything fails.
 * Pass `verified`, the manifest verifyArchive just returned for this file, to skip the first pass:
 * the extraction pass still refuses any unsafe entry before writing it, and any difference at all.
 */
export async function extractArchive(
  file: string,
  dir: string,
  progress?: Progress,
  verified?: Manifest,
): Promise<Manifest> {
  const root = resolve(dir);
  const made = await prepareDir(root);
  const created = new Set<string>();
  try {
    const manifest = verified ?? (await scan(file, 'verify', progress)).manifest;
    const expect = new Map(manifest.entries.map((e) => [e.path, e]));
    await assertRoom(file, root, manifest);
    const again = await scan(file, 'extract', progress, { dir: root, expect, created });
    if (manifestText(again.manifest) !== manifestText(manifest)) {
      throw invalid(
        file,
        'the file changed between verification and extraction',
        'make sure nothing writes to the backup file during a restore',
      );
    }
    return manifest;
  } catch (error) {
    if (made) await rm(root, { recursive: true, force: true });
    else for (const name of created) await rm(join(root, name), { recursive: true, force: true });
    throw error;
  }
}

/** One streaming pass over the archive: gunzip, tar headers checked before their bytes are used, hashes, manifest. */
async function scan(
  file: string,
  phase: string,
  progress?: Progress,
  extraction?: Extraction,
): Promise<{ manifest: Manifest; bytes: number; first: string | undefined }> {
  const bytes = await checkGzipMagic(file);
  const seen = new Map<string, { size: number; sha256: string }>();
  const dirs = new Set<string>();
  const writers: Promise<void>[] = [];
  const writerStreams: Writable[] = [];
  const abort = new AbortController();
  let current: string | undefined;
  let last: string | undefined;
  let manifestBytes: Buffer | undefined;
  let firstError: unknown;
  let first: string | undefined;
  const parser = new Parser({ strict: true, brotli: false, zstd: false });
  const fail = (error: unknown): void => {
    firstError ??= error;
    abort.abort();
    // Stops the parser inside the chunk it is working on, so no later entry reaches the handler.
    parser.abort(new Error('verification stopped'));
  };

  parser.on('error', fail);
  parser.on('ignoredEntry', (entry: ReadEntry) =>
    fail(unsafe(file, entry.path, `it has the unsupported tar type ${entry.type}`)),
  );
  parser.on('entry', (entry: ReadEntry) => {
    if (abort.signal.aborted) return void entry.resume();
    try {
      const path = entry.path;
      if (manifestBytes !== undefined || seen.has(MANIFEST_PATH))
        throw invalid(file, `entry "${path}" follows manifest.json, which must be the last entry`);
      first ??= path;
      checkEntry(file, entry, seen, dirs);
      current = path;
      const hash = createHash('sha256');
      let size = 0;
      const chunks: Buffer[] = [];
      if (path === MANIFEST_PATH) {
        if (entry.size > MAX_MANIFEST_BYTES)
          throw invalid(file, `manifest.json is ${entry.size} bytes, more than any molt writes`);
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      } else if (extraction) {
        const writer = fileWriter(file, extraction, entry);
        writerStreams.push(writer);
        writers.push(finished(writer).catch((error) => fail(error)));
        entry.pipe(writer);
      }
      entry.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
      });
      entry.on('end', () => {
        seen.set(path, { size, sha256: hash.digest('hex') });
        if (path === MANIFEST_PATH) manifestBytes = Buffer.concat(chunks);
        last = path;
        current = undefined;
      });
    } catch (error) {
      fail(error);
    }
  });

  const source = createReadStream(file, { highWaterMark: CHUNK });
  let read = 0;
  source.on('data', (chunk) => {
    read += chunk.length;
    progress?.({ phase, bytes: read, total: bytes });
  });
  const gunzip = createGunzip({ chunkSize: CHUNK });
  // Fed straight from 'data' rather than piped, so every byte gunzip produced reaches the parser before
  // a gzip error destroys the stream: the error then names the entry where the good data ended.
  gunzip.on('data', (chunk: Buffer) => {
    if (!parser.write(chunk)) {
      gunzip.pause();
      parser.once('drain', () => gunzip.resume());
    }
  });
  await new Promise<void>((done) => {
    parser.once('end', () => done());
    abort.signal.addEventListener('abort', () => done(), { once: true });
    gunzip.once('end', () => parser.end());
    // pipeline() settles on gunzip's 'finish', before its flush can fail on a truncated stream.
    gunzip.on('error', fail);
    pipeline(source, holdBackTrailer(), gunzip, { signal: abort.signal }).catch(fail);
  });
  if (abort.signal.aborted) for (const writer of writerStreams) writer.destroy();
  await Promise.all(writers);
  const where = current ? `inside entry "${current}"` : last ? `after entry "${last}"` : 'before the first entry';

  let manifest: Manifest | undefined;
  let lies: string[] = [];
  if (manifestBytes !== undefined && !(firstError instanceof MoltError)) {
    // A damaged byte can surface as a gzip checksum error at the very end; naming the entry whose hash
    // differs is more useful than naming the trailer, so compare first when the manifest was read.
    try {
      manifest = parseManifest(manifestBytes.toString('utf8'), file);
      lies = compare(manifest, seen);
    } catch (error) {
      if (firstError === undefined) throw error;
    }
  }
  if (lies.length > 0)
    throw invalid(file, lies.slice(0, 5).join('; ') + (lies.length > 5 ? `; and ${lies.length - 5} more` : ''));
  if (firstError !== undefined) throw translate(file, firstError, where);
  if (manifest === undefined)
    throw invalid(
      file,
      `no manifest.json: the archive ends ${where}`,
      'the file is truncated, or it is not a molt backup',
    );
  return { manifest, bytes, first };
}

/**
 * Passes the gzip stream on but sends its last 8 bytes (CRC32 and size) as a chunk of their own: zlib
 * drops the output of the call that fails, so a checksum error must come from a call with no output.
 */
function holdBackTrailer(): Transform {
  const keep = 8;
  let tail = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (chunk.length >= keep) {
        if (tail.length > 0) this.push(tail);
        this.push(chunk.subarray(0, chunk.length - keep));
        tail = Buffer.from(chunk.subarray(chunk.length - keep));
      } else {
        tail = Buffer.concat([tail, chunk]);
        if (tail.length > keep) {
          this.push(tail.subarray(0, tail.length - keep));
          tail = tail.subarray(tail.length - keep);
        }
      }
      callback();
    },
    flush(callback) {
      callback(null, tail.length > 0 ? tail : undefined);
    },
  });
}

/** A writable that creates the entry's file inside the extraction directory and syncs it on finish. */
function fileWriter(file: string, extraction: Extraction, entry: ReadEntry): Writable {
  const path = entry.path;
  const listed = extraction.expect.get(path);
  if (!listed || listed.size !== entry.size)
    throw invalid(
      file,
      `entry "${path}" differs from what verification saw a moment ago`,
      'make sure nothing writes to the backup file during a restore',
    );
  const target = join(extraction.dir, ...path.split('/'));
  // entryPathProblem already refused '..' and absolute paths; this guards the join itself.
  if (!target.startsWith(extraction.dir + sep)) throw unsafe(file, path, 'it resolves outside the target directory');
  extraction.created.add(path.split('/')[0]!);
  const mode = (entry.mode ?? 0o644) & 0o777;
  const mtime = entry.mtime ?? new Date();
  let handle: FileHandle | undefined;
  const failure = (error: unknown): MoltError =>
    new MoltError('RESTORE_FAILED', `Cannot extract "${path}" from ${file} to ${target}: ${messageOf(error)}`, {
      cause: error,
      details: { file, entry: path },
    });
  return new Writable({
    highWaterMark: CHUNK,
    construct(callback) {
      mkdir(dirname(target), { recursive: true })
        // 'wx': the directory was empty, so an existing file means something else is writing here.
        .then(() => open(target, 'wx', mode))
        .then(
          (h) => {
            handle = h;
            callback();
          },
          (error) => callback(failure(error)),
        );
    },
    write(chunk: Buffer, _encoding, callback) {
      writeAll(handle!, chunk).then(
        () => callback(),
        (error) => callback(failure(error)),
      );
    },
    final(callback) {
      const h = handle!;
      handle = undefined;
      h.sync()
        .then(() => h.utimes(mtime, mtime))
        .then(() => h.close())
        .then(
          () => callback(),
          (error) =>
            h
              .close()
              .catch(() => undefined)
              .then(() => callback(failure(error))),
        );
    },
    destroy(error, callback) {
      const h = handle;
      handle = undefined;
      if (!h) callback(error);
      else
        h.close()
          .catch(() => undefined)
          .then(() => callback(error));
    },
  });
}

// Room kept free beyond what the archive declares: a disk filled to the last byte breaks the service too.
const SPARE_BYTES = 64 * 1024 * 1024;

/**
 * Refuses, before a byte is written, an archive whose entries add up to more than the free space where it is
 * extracted: every entry's size is fixed by the manifest (the tar header must agree), so this is what it will take.
 */
async function assertRoom(file: string, dir: string, manifest: Manifest): Promise<void> {
  const needed = manifest.entries.reduce((sum, e) => sum + e.size, 0);
  const fs = await statfs(dir);
  const free = Number(fs.bavail) * Number(fs.bsize);
  if (needed + SPARE_BYTES > free) {
    const gib = (n: number): string => `${(n / 1024 ** 3).toFixed(2)} GiB`;
    throw new MoltError(
      'RESTORE_REFUSED',
      `${file} expands to ${gib(needed)}, but ${dir} has ${gib(free)} free (molt keeps ${SPARE_BYTES / 1024 ** 2} MiB spare); nothing was written`,
      {
        hint: 'Free space on that disk, or check that the archive is the one you meant: its manifest declares these sizes',
        details: { file, needed, free },
      },
    );
  }
}

/** Creates the extraction directory, or accepts an existing empty one; returns whether it created it. */
async function prepareDir(dir: string): Promise<boolean> {
  try {
    const names = await readdir(dir);
    if (names.length > 0) {
      throw new MoltError(
        'RESTORE_FAILED',
        `Cannot extract into ${dir}: it is not empty (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''})`,
        {
          hint: 'extract into a new, empty directory',
          details: { dir },
        },
      );
    }
    return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (error instanceof MoltError) throw error;
      throw new MoltError('RESTORE_FAILED', `Cannot extract into ${dir}: ${messageOf(error)}`, {
        cause: error,
        details: { dir },
      });
    }
  }
  await mkdir(dir, { recursive: true });
  return true;
}

/** Reads the first bytes: a file that is not gzip at all gets a plain answer, not a zlib message. */
async function checkGzipMagic(file: string): Promise<number> {
  let handle: FileHandle | undefined;
  try {
    const size = (await stat(file)).size;
    handle = await open(file, 'r');
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    if (bytesRead < 2 || head[0] !== 0x1f || head[1] !== 0x8b)
      throw invalid(file, 'not a gzip file (a molt backup is a .tar.gz)');
    return size;
  } catch (error) {
    if (error instanceof MoltError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw invalid(
      file,
      code === 'ENOENT' ? 'no such file' : `cannot read it: ${messageOf(error)}`,
      code === 'ENOENT' ? 'check the path; `molt backup list` shows the backups' : undefined,
    );
  } finally {
    await handle?.close();
  }
}

/** Turns a zlib, tar or file system error into a message that says where the archive broke. */
function translate(file: string, error: unknown, where: string): MoltError {
  if (error instanceof MoltError) return error;
  const e = error as NodeJS.ErrnoException & { tarCode?: string };
  const message = messageOf(error);
  if (e.code === 'Z_BUF_ERROR' || /unexpected end of file|Truncated input/i.test(message)) {
    return invalid(
      file,
      `truncated: the archive ends ${where}`,
      'the copy or download was cut short; use a complete copy of the backup',
      error,
    );
  }
  if (e.code?.startsWith('Z_')) return invalid(file, `corrupt gzip data (${message}) ${where}`, undefined, error);
  if (e.tarCode === 'TAR_BAD_ARCHIVE')
    return invalid(file, `not a tar archive inside the gzip layer (${message})`, undefined, error);
  if (e.tarCode) return invalid(file, `corrupt tar data ${where} (${message})`, undefined, error);
  return invalid(file, `cannot read it ${where}: ${message}`, undefined, error);
}
