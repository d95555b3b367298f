import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MoltError, messageOf } from '../errors.js';
import { parseDuration } from './duration.js';

/** Settings every command and the library share, after flags, environment, file and defaults are merged. */
export interface MoltConfig {
  /** Database URL. */
  db: string;
  /** Migrations directory. */
  dir: string;
  /** History table name. */
  table: string;
  /** How long to wait for the migration lock, in ms. */
  lockTimeoutMs: number;
  /** Per-statement wait for table locks, in ms (PostgreSQL `lock_timeout`); 0 means no limit. */
  statementLockTimeoutMs: number;
  /** Per-statement run time limit, in ms (PostgreSQL `statement_timeout`); 0 means no limit. */
  statementTimeoutMs: number;
  /** Apply pending migrations older than the newest applied one. */
  allowOutOfOrder: boolean;
  /** Session settings applied on every connection before anything runs (`sql_mode`, `search_path`, pragmas). */
  session: Record<string, string>;
  /** Where `molt backup` writes archives and `backup list` looks (absolute). */
  backupDir: string;
  /** How many archives retention keeps in backupDir (newest first); 0 keeps all. */
  backupKeep: number;
  /** Data directories that go into every backup, by name (absolute paths). */
  dataDirs: Record<string, string>;
  /** Backup before `migrate` applies anything: `auto` (SQLite only), `always` or `never`. */
  backupBeforeMigrate: 'auto' | 'always' | 'never';
  /** How long to keep trying a database server that does not answer yet (a Compose boot), in ms; 0: fail at once. */
  waitForDatabaseMs: number;
  /** How often a registered instance heartbeats, in ms. */
  heartbeatMs: number;
  /** How old an instance's heartbeat may grow before it counts as stale (gone), in ms; at least twice `heartbeatMs`. */
  instanceTtlMs: number;
}

/** Settings as a person writes them: durations may be strings such as `30s`. */
export interface ConfigInput {
  db?: string;
  dir?: string;
  table?: string;
  lockTimeout?: string | number;
  statementLockTimeout?: string | number;
  statementTimeout?: string | number;
  allowOutOfOrder?: boolean;
  /** Session settings by name; merged across sources, a higher source wins per name. */
  session?: Record<string, string>;
  backupDir?: string;
  backupKeep?: number | string;
  /** Data directories by name; merged across sources like `session`. */
  dataDirs?: Record<string, string>;
  backupBeforeMigrate?: 'auto' | 'always' | 'never';
  waitForDatabase?: string | number;
  heartbeat?: string | number;
  instanceTtl?: string | number;
}

/** The defaults: an SQLite file under ./data, migrations in ./migrations. */
export const DEFAULTS: Required<ConfigInput> = {
  db: 'sqlite:./data/app.db',
  dir: './migrations',
  table: '_molt_migrations',
  lockTimeout: '10m',
  statementLockTimeout: '0',
  statementTimeout: '0',
  allowOutOfOrder: false,
  session: {},
  backupDir: './backups',
  backupKeep: 10,
  dataDirs: {},
  backupBeforeMigrate: 'auto',
  waitForDatabase: '0',
  heartbeat: '5s',
  instanceTtl: '30s',
};

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/** Reads `name=value` pairs (from `--set` or MOLT_SESSION, `;`-separated) into settings. */
export function parseSettings(pairs: readonly string[], source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    if (!pair.trim()) continue;
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    if (eq === -1 || !SETTING_NAME.test(name)) {
      throw new MoltError('CONFIG_INVALID', `${source}: "${pair}" is not NAME=VALUE`, {
        hint: 'Write it like sql_mode=NO_ENGINE_SUBSTITUTION or search_path=app,public',
      });
    }
    out[name] = pair.slice(eq + 1).trim();
  }
  return out;
}

const DATA_DIR_NAME = /^[A-Za-z0-9._-]+$/;

/** Reads `name=path` pairs (from `--data-dir` or MOLT_DATA_DIRS, `;`-separated) into data directories. */
export function parseDataDirs(pairs: readonly string[], source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    if (!pair.trim()) continue;
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    if (eq === -1 || !DATA_DIR_NAME.test(name) || !pair.slice(eq + 1).trim()) {
      throw new MoltError('CONFIG_INVALID', `${source}: "${pair}" is not NAME=PATH`, {
        hint: 'Write it like uploads=./data/uploads (the name: letters, digits, . _ -)',
      });
    }
    out[name] = pair.slice(eq + 1).trim();
  }
  return out;
}

function checkDataDirs(dirs: unknown, source: string): Record<string, string> {
  if (
    typeof dirs !== 'object' ||
    dirs === null ||
    Array.isArray(dirs) ||
    Object.entries(dirs).some(([k, v]) => !DATA_DIR_NAME.test(k) || typeof v !== 'string' || !v)
  ) {
    throw new MoltError(
      'CONFIG_INVALID',
      `${source}: "dataDirs" must map names (letters, digits, . _ -) to directory paths`,
      { hint: 'For example "dataDirs": { "uploads": "./data/uploads" }' },
    );
  }
  return dirs as Record<string, string>;
}

function checkSettings(settings: unknown, source: string): Record<string, string> {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new MoltError('CONFIG_INVALID', `${source}: "session" must be an object of setting names to values`, {
      hint: 'For example "session": { "sql_mode": "NO_ENGINE_SUBSTITUTION" }',
    });
  }
  for (const [name, value] of Object.entries(settings)) {
    if (!SETTING_NAME.test(name) || (typeof value !== 'string' && typeof value !== 'number')) {
      throw new MoltError(
        'CONFIG_INVALID',
        `${source}: session setting "${name}" needs a plain name and a string value`,
      );
    }
  }
  return Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)]));
}

const FILE_NAME = 'molt.config.json';
const KEYS = new Set(Object.keys(DEFAULTS));

function readFile(cwd: string): ConfigInput {
  const path = join(cwd, FILE_NAME);
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new MoltError('CONFIG_INVALID', `${path} is not valid JSON: ${messageOf(cause)}`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MoltError('CONFIG_INVALID', `${path} must hold a JSON object`);
  }
  for (const key of Object.keys(parsed)) {
    if (!KEYS.has(key)) {
      throw new MoltError('CONFIG_INVALID', `${path}: unknown setting "${key}"`, {
        hint: `Known settings: ${[...KEYS].join(', ')}`,
      });
    }
  }
  const input = parsed as ConfigInput;
  if (input.session !== undefined) input.session = checkSettings(input.session, path);
  if (input.dataDirs !== undefined) input.dataDirs = checkDataDirs(input.dataDirs, path);
  return input;
}

function fromEnv(env: NodeJS.ProcessEnv): ConfigInput {
  const out: ConfigInput = {};
  const db = env.MOLT_DATABASE_URL || env.DATABASE_URL;
  if (db) out.db = db;
  if (env.MOLT_MIGRATIONS_DIR) out.dir = env.MOLT_MIGRATIONS_DIR;
  if (env.MOLT_TABLE) out.table = env.MOLT_TABLE;
  if (env.MOLT_LOCK_TIMEOUT) out.lockTimeout = env.MOLT_LOCK_TIMEOUT;
  if (env.MOLT_STATEMENT_TIMEOUT) out.statementTimeout = env.MOLT_STATEMENT_TIMEOUT;
  if (env.MOLT_STATEMENT_LOCK_TIMEOUT) out.statementLockTimeout = env.MOLT_STATEMENT_LOCK_TIMEOUT;
  if (env.MOLT_SESSION) out.session = parseSettings(env.MOLT_SESSION.split(';'), 'MOLT_SESSION');
  if (env.MOLT_BACKUP_DIR) out.backupDir = env.MOLT_BACKUP_DIR;
  if (env.MOLT_BACKUP_KEEP) out.backupKeep = env.MOLT_BACKUP_KEEP;
  if (env.MOLT_DATA_DIRS) out.dataDirs = parseDataDirs(env.MOLT_DATA_DIRS.split(';'), 'MOLT_DATA_DIRS');
  if (env.MOLT_WAIT_FOR_DATABASE) out.waitForDatabase = env.MOLT_WAIT_FOR_DATABASE;
  if (env.MOLT_HEARTBEAT) out.heartbeat = env.MOLT_HEARTBEAT;
  if (env.MOLT_INSTANCE_TTL) out.instanceTtl = env.MOLT_INSTANCE_TTL;
  if (env.MOLT_BACKUP_BEFORE_MIGRATE)
    out.backupBeforeMigrate = env.MOLT_BACKUP_BEFORE_MIGRATE as ConfigInput['backupBeforeMigrate'];
  return out;
}

const defined = (input: ConfigInput): ConfigInput =>
  Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as ConfigInput;

/** Merges settings, highest first: explicit input (flags, options), environment, molt.config.json, defaults. */
export function resolveConfig(
  input: ConfigInput = {},
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): MoltConfig {
  const cwd = options.cwd ?? process.cwd();
  const file = readFile(cwd);
  const env = fromEnv(options.env ?? process.env);
  const merged = { ...DEFAULTS, ...file, ...env, ...defined(input) };
  // Merged per name, not replaced whole; the file and the environment were checked as they were read.
  const session = {
    ...file.session,
    ...env.session,
    ...(input.session ? checkSettings(input.session, 'session option') : {}),
  };
  const dataDirs = {
    ...file.dataDirs,
    ...env.dataDirs,
    ...(input.dataDirs ? checkDataDirs(input.dataDirs, 'dataDirs option') : {}),
  };
  const keep = Number(merged.backupKeep);
  if (!Number.isInteger(keep) || keep < 0) {
    throw new MoltError(
      'CONFIG_INVALID',
      `backup keep must be a whole number of archives (0 keeps all), not "${merged.backupKeep}"`,
    );
  }
  if (!['auto', 'always', 'never'].includes(merged.backupBeforeMigrate)) {
    throw new MoltError(
      'CONFIG_INVALID',
      `backup before migrate takes auto, always or never, not "${merged.backupBeforeMigrate}"`,
    );
  }
  const heartbeatMs = parseDuration(merged.heartbeat, 'heartbeat');
  const instanceTtlMs = parseDuration(merged.instanceTtl, 'instance TTL');
  if (heartbeatMs <= 0 || instanceTtlMs < 2 * heartbeatMs) {
    throw new MoltError(
      'CONFIG_INVALID',
      `instance TTL ${merged.instanceTtl} must be at least twice the heartbeat ${merged.heartbeat}, and the heartbeat more than 0`,
      {
        hint: 'A live instance must be able to miss a heartbeat without being counted gone; the defaults are 5s and 30s',
      },
    );
  }
  return {
    db: merged.db,
    dir: resolve(cwd, merged.dir),
    table: merged.table,
    lockTimeoutMs: parseDuration(merged.lockTimeout, 'lock timeout'),
    statementLockTimeoutMs: parseDuration(merged.statementLockTimeout, 'statement lock timeout'),
    statementTimeoutMs: parseDuration(merged.statementTimeout, 'statement timeout'),
    allowOutOfOrder: merged.allowOutOfOrder,
    session,
    backupDir: resolve(cwd, merged.backupDir),
    backupKeep: keep,
    dataDirs: Object.fromEntries(Object.entries(dataDirs).map(([name, dir]) => [name, resolve(cwd, dir)])),
    backupBeforeMigrate: merged.backupBeforeMigrate,
    waitForDatabaseMs: parseDuration(merged.waitForDatabase, 'wait for database'),
    heartbeatMs,
    instanceTtlMs,
  };
}
