// Apply everything from empty and the no-op start, molt against each database's own command-line client, in interleaved rounds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT } from '../test/helpers/cli.js';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  createSqliteDatabase,
  type TestDatabase,
} from '../test/helpers/databases.js';
import { corpusFiles, mariadbArgs, psqlScript } from '../test/helpers/floors.js';
import { MARIADB_SQL_MODE, type Dialect } from './peers/shared.js';
import { stat, timed, type Stat } from './stats.js';

const FLOOR_NOOP = join(ROOT, 'dist', 'bench', 'floor-noop.js');

/** One server: how to make a database, the flags molt needs on it, and how its own client applies a set of files. */
export interface Server {
  dialect: Dialect;
  /** The heading BENCHMARKS.md gives the server. */
  name: string;
  create(): Promise<TestDatabase>;
  /** molt flags the workloads need on this server (session settings). */
  moltArgs: string[];
  /** The same settings for molt used as a library, through the environment. */
  moltEnv: Record<string, string>;
  /** Times the server's own command-line client applying `files` in one session, one transaction per file where it can. */
  floor(db: TestDatabase, files: string[]): number;
}

/** PostgreSQL, against psql. */
export const POSTGRES: Server = {
  dialect: 'postgres',
  name: 'PostgreSQL',
  create: createPostgresDatabase,
  moltArgs: [],
  moltEnv: {},
  floor: (db, files) =>
    timed('psql', ['-X', '-q', '-d', db.url, '-f', psqlScript(files, (f) => readFileSync(f, 'utf8'))]),
};

// The kratos MySQL history was written for MySQL 8's defaults; MariaDB needs this sql_mode for it.
const MARIADB_MODE = `sql_mode=${MARIADB_SQL_MODE}`;

/** MariaDB, against the mariadb client. */
export const MARIADB: Server = {
  dialect: 'mysql',
  name: 'MariaDB',
  create: createMysqlDatabase,
  moltArgs: ['--set', MARIADB_MODE],
  moltEnv: { MOLT_SESSION: MARIADB_MODE },
  floor: (db, files) => {
    const { args, env } = mariadbArgs(db.url);
    const input = files.map((f) => `source ${f}`).join('\n');
    return timed(
      'mariadb',
      [`--init-command=SET SESSION ${MARIADB_MODE}`, '--batch', '--abort-source-on-error', ...args],
      { input, env },
    );
  },
};

// molt applies a run's migrations as savepoints inside one transaction and syncs once; a shell that synced every
// COMMIT would be a floor molt beats by fsync count alone. WAL with synchronous=NORMAL syncs at checkpoints only.
const SQLITE_FLOOR_SETTINGS = 'PRAGMA journal_mode = WAL;\nPRAGMA synchronous = NORMAL;';

/** SQLite, against the sqlite3 shell: `BEGIN; .read file; COMMIT;` per file, `-bail`, WAL and synchronous=NORMAL. */
export const SQLITE: Server = {
  dialect: 'sqlite',
  name: 'SQLite',
  create: createSqliteDatabase,
  moltArgs: [],
  moltEnv: {},
  floor: (db, files) =>
    timed('sqlite3', ['-bail', db.url.slice('sqlite:'.length)], {
      input: [SQLITE_FLOOR_SETTINGS, ...files.map((f) => `BEGIN;\n.read '${f}'\nCOMMIT;`)].join('\n'),
    }),
};

/** A workload of one server: a name for the table and the migrations directory. */
export interface Workload {
  server: Server;
  name: string;
  dir: string;
  rounds: number;
}

/** The figures of one workload. */
export interface ApplyRow {
  server: Server;
  workload: string;
  files: number;
  rounds: number;
  molt: Stat;
  floor: Stat;
  noop: Stat;
  noopFloor: Stat;
}

/** Measures `molt migrate` against the client floor on fresh databases, then `molt migrate` again against the no-op floor on the last. */
export async function measureApply(w: Workload): Promise<ApplyRow> {
  const files = corpusFiles(w.dir);
  const moltTimes: number[] = [];
  const floorTimes: number[] = [];
  let applied: TestDatabase | undefined;
  for (let round = 0; round < w.rounds; round++) {
    // Interleaved: the machine's noise falls on both sides alike.
    const a = await w.server.create();
    const b = await w.server.create();
    moltTimes.push(timed(process.execPath, [BIN, 'migrate', '--db', a.url, '--dir', w.dir, ...w.server.moltArgs]));
    floorTimes.push(w.server.floor(b, files));
    await b.drop();
    await applied?.drop();
    applied = a;
  }
  const noop: number[] = [];
  const noopFloor: number[] = [];
  for (let round = 0; round < w.rounds + 1; round++) {
    // What every boot pays: the same command a service runs on start, with nothing left to apply.
    noop.push(timed(process.execPath, [BIN, 'migrate', '--db', applied!.url, '--dir', w.dir, ...w.server.moltArgs]));
    noopFloor.push(timed(process.execPath, [FLOOR_NOOP, applied!.url, w.dir]));
  }
  await applied!.drop();
  return {
    server: w.server,
    workload: w.name,
    files: files.length,
    rounds: w.rounds,
    molt: stat(moltTimes),
    floor: stat(floorTimes),
    noop: stat(noop),
    noopFloor: stat(noopFloor),
  };
}
