import { isAbsolute, normalize } from 'node:path';
import { MoltError } from '../errors.js';
import type { DatabaseKind, Manifest, ManifestEntry } from './types.js';

/** The archive path of the manifest, always the last entry. */
export const MANIFEST_PATH = 'manifest.json';

/** A data directory's name as it appears in `data/<name>/`. */
export const DATA_DIR_NAME = /^[A-Za-z0-9._-]+$/;

const KINDS: readonly DatabaseKind[] = ['sqlite', 'postgres', 'mysql'];
const SHA256 = /^[0-9a-f]{64}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/**
 * Says why a path cannot be an archive entry (absolute, `..`, empty or `.` components, backslashes,
 * control characters), or returns null for a safe relative `/`-separated path.
 */
export function entryPathProblem(path: string): string | null {
  if (path.length === 0) return 'it is empty';
  if (path.startsWith('/')) return 'it is an absolute path';
  if (/^[A-Za-z]:/.test(path)) return 'it starts with a drive letter';
  // A backslash is a separator on Windows, so `a\..\x` would escape there even though it is one name here.
  if (path.includes('\\')) return 'it contains a backslash';
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'it contains a control character';
  if (Buffer.byteLength(path) > 4096) return 'it is longer than 4096 bytes';
  for (const part of path.split('/')) {
    if (part === '..') return "it has a '..' component";
    if (part === '.' || part === '') return "it has an empty or '.' component";
  }
  return null;
}

/** Parses and strictly validates `manifest.json`; throws BACKUP_INVALID naming the first bad field. */
export function parseManifest(text: string, file: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw invalid(file, `manifest.json is not valid JSON (${(error as Error).message})`, error);
  }
  const v = new Reader(file);
  const root = v.object(raw, 'manifest');
  if (root.format !== 'molt-backup') v.fail('format', `is ${JSON.stringify(root.format)}, not "molt-backup"`);
  if (typeof root.formatVersion === 'number' && Number.isInteger(root.formatVersion) && root.formatVersion > 1) {
    throw invalid(
      file,
      `manifest.json has formatVersion ${root.formatVersion}, newer than this molt reads (1)`,
      undefined,
      'restore it with the molt version that wrote it (see moltVersion), or upgrade molt',
    );
  }
  if (root.formatVersion !== 1) v.fail('formatVersion', `is ${JSON.stringify(root.formatVersion)}, not 1`);

  const db = v.object(root.database, 'database');
  const kind = v.string(db.kind, 'database.kind') as DatabaseKind;
  if (!KINDS.includes(kind)) v.fail('database.kind', `is "${kind}", not one of ${KINDS.join(', ')}`);

  const schema = v.object(root.schema, 'schema');
  const history = v.array(schema.history, 'schema.history').map((item, i) => {
    const h = v.object(item, `schema.history[${i}]`);
    return {
      version: v.string(h.version, `schema.history[${i}].version`),
      name: v.string(h.name, `schema.history[${i}].name`),
      phase: v.string(h.phase, `schema.history[${i}].phase`),
      checksum: v.string(h.checksum, `schema.history[${i}].checksum`),
      appliedAt: v.nullableString(h.appliedAt, `schema.history[${i}].appliedAt`),
    };
  });

  const dataDirs = v.array(root.dataDirs, 'dataDirs').map((item, i) => {
    const d = v.object(item, `dataDirs[${i}]`);
    const name = v.string(d.name, `dataDirs[${i}].name`);
    if (!DATA_DIR_NAME.test(name) || name === '.' || name === '..')
      v.fail(`dataDirs[${i}].name`, `"${name}" is not a valid data directory name`);
    const source = v.string(d.source, `dataDirs[${i}].source`);
    // molt records where a directory was taken from as an absolute, normalised path; anything else was not written by it.
    if (!isAbsolute(source) || normalize(source) !== source || source.includes('\0'))
      v.fail(`dataDirs[${i}].source`, `"${source}" is not an absolute, normalised path`);
    return { name, source };
  });
  const dirNames = new Set<string>();
  for (const d of dataDirs) {
    if (dirNames.has(d.name)) v.fail('dataDirs', `names "${d.name}" twice`);
    dirNames.add(d.name);
  }

  const seen = new Set<string>();
  const entries: ManifestEntry[] = v.array(root.entries, 'entries').map((item, i) => {
    const e = v.object(item, `entries[${i}]`);
    const path = v.string(e.path, `entries[${i}].path`);
    const problem = entryPathProblem(path) ?? placementProblem(path, dirNames);
    if (problem) v.fail(`entries[${i}].path`, `"${path}" is unsafe or misplaced: ${problem}`);
    if (seen.has(path)) v.fail(`entries[${i}].path`, `"${path}" is listed twice`);
    seen.add(path);
    const size = e.size;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
      v.fail(`entries[${i}].size`, `${JSON.stringify(size)} is not a non-negative integer`);
    const sha256 = v.string(e.sha256, `entries[${i}].sha256`);
    if (!SHA256.test(sha256)) v.fail(`entries[${i}].sha256`, `"${sha256}" is not 64 lowercase hex digits`);
    return { path, size: size as number, sha256 };
  });

  const dumpPath = v.string(db.dumpPath, 'database.dumpPath');
  if (!seen.has(dumpPath) || !dumpPath.startsWith('database/'))
    v.fail('database.dumpPath', `"${dumpPath}" is not a database/ entry listed in entries`);
  const createdAt = v.string(root.createdAt, 'createdAt');
  if (!ISO_UTC.test(createdAt) || Number.isNaN(Date.parse(createdAt)))
    v.fail('createdAt', `"${createdAt}" is not an ISO 8601 UTC time`);

  // Unknown fields are ignored on purpose: rolling back means restoring with an older molt, which must
  // still read a format-1 manifest that a newer molt wrote with an extra field.
  return {
    format: 'molt-backup',
    formatVersion: 1,
    moltVersion: v.string(root.moltVersion, 'moltVersion', true),
    appVersion: v.nullableString(root.appVersion, 'appVersion'),
    createdAt,
    host: v.string(root.host, 'host'),
    database: {
      kind,
      serverVersion: v.string(db.serverVersion, 'database.serverVersion'),
      url: v.string(db.url, 'database.url'),
      dumpFormat: v.string(db.dumpFormat, 'database.dumpFormat', true),
      dumpPath,
      tool: v.string(db.tool, 'database.tool'),
    },
    schema: { version: v.nullableString(schema.version, 'schema.version'), history },
    dataDirs,
    entries,
  };
}

/** The text of `manifest.json`, as writeArchive stores it. */
export function manifestText(m: Manifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** Entries live at the top level (such as about.json), under `database/`, or under `data/<name>/` of a listed data directory. */
function placementProblem(path: string, dirNames: Set<string>): string | null {
  const parts = path.split('/');
  if (parts.length === 1) return path === MANIFEST_PATH ? 'the manifest does not list itself' : null;
  if (parts[0] === 'database') return null;
  if (parts[0] === 'data' && parts.length >= 3) {
    return dirNames.has(parts[1]!) ? null : `data directory "${parts[1]}" is not listed in dataDirs`;
  }
  return 'entries live at the top level, under database/, or under data/<name>/';
}

function invalid(file: string, message: string, cause?: unknown, hint?: string): MoltError {
  return new MoltError('BACKUP_INVALID', `Backup ${file}: ${message}`, {
    cause,
    hint: hint ?? 'the archive is damaged or was not written by molt; use another backup',
    details: { file },
  });
}

/** Field readers that throw BACKUP_INVALID naming the field. */
class Reader {
  constructor(private readonly file: string) {}

  fail(field: string, what: string): never {
    throw invalid(this.file, `manifest.json field ${field} ${what}`);
  }

  object(value: unknown, field: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.fail(field, 'is missing or not an object');
    return value as Record<string, unknown>;
  }

  array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) this.fail(field, 'is missing or not an array');
    return value;
  }

  string(value: unknown, field: string, nonEmpty = false): string {
    if (typeof value !== 'string') this.fail(field, 'is missing or not a string');
    if (nonEmpty && value.length === 0) this.fail(field, 'is empty');
    return value;
  }

  nullableString(value: unknown, field: string): string | null {
    if (value === null) return null;
    if (typeof value !== 'string') this.fail(field, 'is missing or not a string or null');
    return value;
  }
}
