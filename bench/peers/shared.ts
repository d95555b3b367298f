// What every peer adapter shares: where the peers are installed, layouts, timing a whole process, and a connection for the
// peers driven through their API. Kept free of static database-driver imports: peer processes load this module too.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../../test/helpers/cli.js';
import type { TestDatabase } from '../../test/helpers/databases.js';

/** The databases a peer may run on, named as the test helpers name them. */
export type Dialect = TestDatabase['kind'];

/** Where the peers are installed (`bench/`, whose package.json keeps them out of molt's own install). */
export const PEERS_DIR = process.env.MOLT_BENCH_PEERS_DIR ?? join(ROOT, 'bench');

/** `require` resolving from the peers' install, so each peer loads its own copy and version. */
export const peerRequire = createRequire(join(PEERS_DIR, 'package.json'));

/**
 * Installs `bench/`'s dependencies (the peers, with the versions its lock pins) when any of them is missing, as
 * bench/lint.ts does for squawk; returns why the install failed, or undefined when everything is there.
 */
export function ensurePeersInstalled(): string | undefined {
  const deps = Object.keys(
    (JSON.parse(readFileSync(join(PEERS_DIR, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> })
      .dependencies ?? {},
  );
  if (deps.every((pkg) => existsSync(join(PEERS_DIR, 'node_modules', pkg, 'package.json')))) return undefined;
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', PEERS_DIR], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `npm install --prefix bench failed: ${r.stderr.trim().split('\n').at(-1)}`;
}

/** The installed version of a peer package, read from its package.json. */
export function peerVersion(pkg: string): string {
  return (JSON.parse(readFileSync(peerPackageJson(pkg), 'utf8')) as { version: string }).version;
}

/** The path of a package's package.json in the peers' install (packages without an exports map for it are found by their main file). */
export function peerPackageJson(pkg: string): string {
  try {
    return peerRequire.resolve(`${pkg}/package.json`);
  } catch {
    let dir = dirname(peerRequire.resolve(pkg));
    while (!dir.endsWith(join('node_modules', pkg))) dir = dirname(dir);
    return join(dir, 'package.json');
  }
}

/** The file a package's `bin` entry names, to run with `node` directly instead of through npm's shim. */
export function peerBin(pkg: string, bin = pkg): string {
  const manifest = peerPackageJson(pkg);
  const bins = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin: string | Record<string, string> }).bin;
  return join(dirname(manifest), typeof bins === 'string' ? bins : bins[bin]);
}

/** How to start a peer as a whole process. */
export interface Invocation {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** A peer's layout of one workload, ready to apply to any fresh database of its dialect. */
export interface Prepared {
  /** The process that applies every pending migration to `url` (a molt-style URL from the test helpers). */
  apply(url: string): Invocation;
}

/** One migration tool run side by side with molt. */
export interface Peer {
  /** Display name, also the npm package whose version is reported. */
  name: string;
  /** Why the peer cannot run on a dialect; dialects absent here are supported. */
  unsupported: Partial<Record<Dialect, string>>;
  /** One line for BENCHMARKS.md: how it is run and what it wraps in a transaction. */
  method: string;
  /** Lays `files` out in the peer's own layout under `workDir` (a fresh temporary directory). */
  prepare(files: string[], workDir: string, dialect: Dialect): Prepared;
  /** SQL counting the peer's history rows for applied migrations (compared with the number of files). */
  historyCount: Record<Dialect, string>;
}

/** Tables the peers keep for themselves, left out when comparing the schema a peer built with the reference. */
export const PEER_TABLES = new Set([
  'pgmigrations',
  'schemaversion',
  'knex_migrations',
  'knex_migrations_lock',
  'umzug_migrations',
  'schema_migrations',
]);

/** The session sql_mode every tool gets on MariaDB, as molt's `--set` and the client floor get it in bench/run.ts. */
export const MARIADB_SQL_MODE = 'NO_ENGINE_SUBSTITUTION';

/** The file path in a test-helper `sqlite:` URL. */
export function sqlitePath(url: string): string {
  return url.slice('sqlite:'.length);
}

/** Runs an invocation to completion and returns its wall-clock time in ms; throws with the tail of its output when it fails. */
export function timed(inv: Invocation): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(inv.command, inv.args, {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    env: inv.env ?? process.env,
    cwd: inv.cwd,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error) throw r.error;
  // stderr last: tools log progress (the file they were on) to stdout and say why they stopped on stderr.
  if (r.status !== 0) throw new Error(`exit ${r.status ?? r.signal}: ${lastLines(`${r.stdout}\n${r.stderr}`)}`);
  return ms;
}

/** The last meaningful lines of a failed process's output (no stack frames), joined into a one-line reason. */
export function lastLines(out: string, lines = 3, chars = 600): string {
  const meaningful = out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('at '));
  return meaningful.slice(-lines).join('; ').slice(-chars);
}

/** A fresh temporary directory for one peer's layout, outside the repository. */
export function workDir(peer: string): string {
  return mkdtempSync(join(tmpdir(), `molt-peer-${peer.replace(/\W+/g, '-')}-`));
}

/** Writes `text` to `path`, creating its folder. */
export function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/**
 * A file name part made from a migration's path: Prisma-style `<dir>/migration.sql` is named after its
 * folder; characters some peers treat as separators (`.`, `-`) become `_`.
 */
export function migrationName(path: string): string {
  const parts = path.split('/');
  const base = parts.at(-1) === 'migration.sql' ? parts.at(-2)! : parts.at(-1)!.replace(/\.sql$/, '');
  return base.replace(/[^A-Za-z0-9_]/g, '_');
}

/** The zero-padded position of a file in the workload, the version prefix every layout uses. */
export function seq(index: number, width = 6): string {
  return String(index + 1).padStart(width, '0');
}

/** True when a PostgreSQL file must run outside a transaction (`CREATE INDEX CONCURRENTLY` and the like), comments ignored. */
export function needsNoTransaction(sql: string): boolean {
  return /\bCONCURRENTLY\b/i.test(stripComments(sql));
}

/** True when a file opens or commits transactions itself (Prisma's enum changes wrap themselves in `BEGIN; ... COMMIT;`), comments ignored. */
export function ownsTransaction(sql: string): boolean {
  return /^\s*(BEGIN|COMMIT|START\s+TRANSACTION)\s*;/im.test(stripComments(sql));
}

/** The SQL without line and block comments (approximate: a `--` inside a string literal cuts its line, which these checks can bear). */
function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

/** 1,000 small migrations: tables, columns, indexes and rows, like a long-lived service's history; valid on all three databases (the generator of bench/run.ts). */
export function generated(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'molt-gen-'));
  for (let i = 1; i <= count; i++) {
    const v = String(i).padStart(5, '0');
    const t = `t${Math.ceil(i / 4)}`;
    const sql = [
      `CREATE TABLE ${t} (id integer PRIMARY KEY, v varchar(64));\nINSERT INTO ${t} (id, v) VALUES (1, 'x');\n`,
      `ALTER TABLE ${t} ADD COLUMN c${i} text;\n`,
      `CREATE INDEX ${t}_v_${i} ON ${t} (v);\n`,
      `UPDATE ${t} SET v = 'y' WHERE id = 1;\n`,
    ][(i - 1) % 4];
    writeFileSync(join(dir, `${v}_step_${i}.sql`), sql);
  }
  return dir;
}

/** One connection for the peers driven through their API (postgrator, umzug), with the driver molt's own install carries. */
export interface Connection {
  /** Runs one statement and returns its rows. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Runs a script of any number of statements. */
  script(sql: string): Promise<void>;
  close(): Promise<void>;
}

type Rows = Record<string, unknown>[];

// Drivers are imported when a connection is opened, so a peer process loads only its own dialect's.
const CONNECT: Record<Dialect, (url: string) => Promise<Connection>> = {
  postgres: async (url) => {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return {
      query: async (sql) => (await client.query(sql)).rows as Rows,
      script: async (sql) => void (await client.query(sql)),
      close: () => client.end(),
    };
  },
  mysql: async (url) => {
    const { default: mysql } = await import('mysql2/promise');
    const u = new URL(url);
    const conn = await mysql.createConnection({
      host: u.hostname,
      port: Number(u.port || 3306),
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password) || undefined,
      database: u.pathname.slice(1),
      multipleStatements: true,
    });
    await conn.query(`SET SESSION sql_mode = '${MARIADB_SQL_MODE}'`);
    const query = async (sql: string): Promise<Rows> => {
      const [rows] = await conn.query(sql);
      return Array.isArray(rows) ? (rows as Rows) : [];
    };
    return { query, script: async (sql) => void (await query(sql)), close: () => conn.end() };
  },
  sqlite: async (url) => {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(sqlitePath(url));
    const query = async (sql: string): Promise<Rows> => {
      const stmt = db.prepare(sql);
      return stmt.reader ? (stmt.all() as Rows) : (stmt.run(), []);
    };
    return { query, script: async (sql) => void db.exec(sql), close: async () => void db.close() };
  },
};

/** Opens a connection to a database given by a test-helper URL. */
export function connect(dialect: Dialect, url: string): Promise<Connection> {
  return CONNECT[dialect](url);
}

/** Ends a peer process on an error with its message alone on stderr, for the one-line reason in BENCHMARKS.md. */
export function exitWithError(e: unknown): never {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
