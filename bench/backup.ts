// Backup and restore of 1 GiB databases: `molt backup` and `molt restore` against each database's own tools, in the same rounds.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../test/helpers/cli.js';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  mysqlAdmin,
  pgAdmin,
  type TestDatabase,
} from '../test/helpers/databases.js';
import { mariadbArgs } from '../test/helpers/floors.js';
import { stat, timed, type Stat } from './stats.js';

/** One measured database: backup and restore, molt's and the floor's. */
export interface BackupRow {
  name: string;
  size: number;
  molt: Stat;
  floor: Stat;
  floorName: string;
  archive: number;
  floorOutput: number;
  restore: Stat;
  restoreFloor: Stat;
  restoreFloorName: string;
}

// BENCH_BACKUP_GIB shrinks the databases for a quick try of the harness; BENCHMARKS.md's figures use 1.
const SIZE = Number(process.env.BENCH_BACKUP_GIB ?? 1) * 1024 ** 3;
// Rows of about 700 bytes, as a service's events with a JSON payload: 1.5 million make a little over 1 GiB on every database.
const ROWS = Math.ceil(1_500_000 * (SIZE / 1024 ** 3));

/** An SQLite file of at least SIZE: rows of mixed text and numbers, with an index, like a service's largest table. */
async function bigSqlite(dir: string): Promise<TestDatabase> {
  const { default: Database } = await import('better-sqlite3');
  const path = join(dir, 'big.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(
    'CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL, amount REAL, at TEXT NOT NULL)',
  );
  const insert = db.prepare('INSERT INTO events (kind, payload, amount, at) VALUES (?, ?, ?, ?)');
  const batch = db.transaction((from: number, count: number) => {
    for (let i = from; i < from + count; i++) {
      insert.run(
        `kind-${i % 17}`,
        `${i.toString(36)}:${'payload-'.repeat(78)}${(i * 7919).toString(16)}`,
        i / 3,
        new Date(1_700_000_000_000 + i * 1000).toISOString(),
      );
    }
  });
  // The WAL holds pages twice over until a checkpoint folds it in: the file's own size counts after each one.
  const size = (): number => (db.pragma('wal_checkpoint(TRUNCATE)'), statSync(path).size);
  let n = 0;
  while (size() < SIZE) {
    batch(n, 200_000);
    n += 200_000;
  }
  db.exec('CREATE INDEX events_kind_at ON events (kind, at)');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { url: `sqlite:${path}`, kind: 'sqlite', drop: async () => rmSync(path, { force: true }) };
}

/** A PostgreSQL database of at least SIZE, built server-side with generate_series. */
async function bigPostgres(): Promise<TestDatabase> {
  const db = await createPostgresDatabase();
  await pgAdmin(
    `CREATE TABLE events AS SELECT g AS id, 'kind-' || (g % 17) AS kind, repeat(md5(g::text), 20) AS payload, g / 3.0 AS amount, now() + g * interval '1 second' AS at
     FROM generate_series(1, ${ROWS}) g`,
    [],
    db.url,
  );
  await pgAdmin(
    'ALTER TABLE events ADD PRIMARY KEY (id); CREATE INDEX events_kind_at ON events (kind, at)',
    [],
    db.url,
  );
  return db;
}

/** A MariaDB database of at least SIZE, built server-side from the sequence engine. */
async function bigMariadb(): Promise<TestDatabase> {
  const db = await createMysqlDatabase();
  await mysqlAdmin(
    `CREATE TABLE events (id BIGINT PRIMARY KEY, kind VARCHAR(16) NOT NULL, payload TEXT NOT NULL, amount DECIMAL(20,4), at DATETIME NOT NULL, KEY events_kind_at (kind, at)) ENGINE=InnoDB;
     INSERT INTO events SELECT seq, CONCAT('kind-', seq % 17), REPEAT(MD5(seq), 20), seq / 3, NOW() + INTERVAL seq SECOND FROM seq_1_to_${ROWS};
     ANALYZE TABLE events`,
    [],
    db.url,
  );
  return db;
}

const databaseName = (url: string): string => new URL(url).pathname.slice(1);
const withDatabase = (url: string, name: string): string =>
  Object.assign(new URL(url), { pathname: `/${name}` }).toString();
const uniqueName = (tag: string): string => `molt_bench_${tag}_${process.pid}_${Date.now().toString(36)}`;

/** One database as the backup bench sees it: its size, the floor's backup and restore, and where each restore goes. */
interface BackupCase {
  name: string;
  db: TestDatabase;
  size(): Promise<number>;
  floorName: string;
  floor(out: string): number;
  restoreFloorName: string;
  /** Times the floor restoring its own backup `input` into a new target `name`. */
  restoreFloor(input: string, name: string): Promise<number>;
  /** The URL of a target `name` that does not exist yet: molt restore creates it. */
  target(name: string): string;
  dropTarget(name: string): Promise<void>;
}

function sqliteCase(db: TestDatabase, work: string): BackupCase {
  const path = db.url.slice('sqlite:'.length);
  return {
    name: 'SQLite',
    db,
    size: async () => statSync(path).size,
    floorName: 'sqlite3 .backup',
    floor: (out) => timed('sqlite3', [path, `.backup '${out}'`]),
    restoreFloorName: 'sqlite3 .restore',
    restoreFloor: async (input, name) => timed('sqlite3', [join(work, `${name}.db`), `.restore '${input}'`]),
    target: (name) => `sqlite:${join(work, `${name}.db`)}`,
    dropTarget: async (name) => rmSync(join(work, `${name}.db`), { force: true }),
  };
}

function postgresCase(db: TestDatabase): BackupCase {
  return {
    name: 'PostgreSQL',
    db,
    size: async () =>
      Number(
        (await pgAdmin<{ size: string }>('SELECT pg_database_size(current_database()) AS size', [], db.url))[0].size,
      ),
    floorName: 'pg_dump -Fc',
    floor: (out) => timed('pg_dump', ['-Fc', '-f', out, '-d', db.url]),
    restoreFloorName: 'createdb + pg_restore --single-transaction',
    restoreFloor: async (input, name) => {
      const url = withDatabase(db.url, name);
      const u = new URL(url);
      const created = timed('createdb', [
        '-h',
        u.hostname,
        '-p',
        u.port || '5432',
        '-U',
        decodeURIComponent(u.username),
        name,
      ]);
      return created + timed('pg_restore', ['--single-transaction', '--exit-on-error', '-d', url, input]);
    },
    target: (name) => withDatabase(db.url, name),
    dropTarget: async (name) => void (await pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

function mariadbCase(db: TestDatabase): BackupCase {
  const { args, env } = mariadbArgs(db.url);
  const connection = args.slice(0, -1).join(' ');
  return {
    name: 'MariaDB',
    db,
    size: async () =>
      Number(
        (
          await mysqlAdmin<{ size: string }>(
            'SELECT SUM(data_length + index_length) AS size FROM information_schema.tables WHERE table_schema = DATABASE()',
            [],
            db.url,
          )
        )[0].size,
      ),
    floorName: 'mariadb-dump | gzip -1',
    // The same options molt passes that matter for speed and consistency; gzip -1 as molt compresses the dump.
    floor: (out) =>
      timed(
        'bash',
        [
          '-c',
          `set -o pipefail; mariadb-dump --single-transaction --quick --routines --triggers ${connection} ${databaseName(db.url)} | gzip -1 > '${out}'`,
        ],
        { env },
      ),
    restoreFloorName: 'CREATE DATABASE + gunzip | mariadb',
    restoreFloor: async (input, name) =>
      timed(
        'bash',
        [
          '-c',
          `set -o pipefail; mariadb ${connection} -e 'CREATE DATABASE ${name}' && gunzip -c '${input}' | mariadb ${connection} ${name}`,
        ],
        { env },
      ),
    target: (name) => withDatabase(db.url, name),
    dropTarget: async (name) => void (await mysqlAdmin(`DROP DATABASE IF EXISTS ${name}`)),
  };
}

/** Times backup and then restore of one case, molt and floor interleaved in each round. */
async function measureCase(c: BackupCase, work: string, rounds: number): Promise<BackupRow> {
  const molt: number[] = [];
  const floor: number[] = [];
  const archive = join(work, 'molt.tar.gz');
  const floorOut = join(work, 'floor.out');
  process.stderr.write(`bench: backup ${c.name}...\n`);
  for (let i = 0; i < rounds; i++) {
    rmSync(archive, { force: true });
    rmSync(floorOut, { force: true });
    molt.push(timed(process.execPath, [BIN, 'backup', archive, '--db', c.db.url, '--backup-dir', work, '--json']));
    floor.push(c.floor(floorOut));
  }
  process.stderr.write(`bench: restore ${c.name}...\n`);
  const restore: number[] = [];
  const restoreFloor: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const mine = uniqueName(`m${i}`);
    const theirs = uniqueName(`f${i}`);
    try {
      restore.push(timed(process.execPath, [BIN, 'restore', archive, '--db', c.target(mine), '--yes', '--json']));
      restoreFloor.push(await c.restoreFloor(floorOut, theirs));
    } finally {
      await c.dropTarget(mine);
      await c.dropTarget(theirs);
    }
  }
  const row = {
    name: c.name,
    size: await c.size(),
    archive: statSync(archive).size,
    floorOutput: statSync(floorOut).size,
  };
  return {
    ...row,
    molt: stat(molt),
    floor: stat(floor),
    floorName: c.floorName,
    restore: stat(restore),
    restoreFloor: stat(restoreFloor),
    restoreFloorName: c.restoreFloorName,
  };
}

/** Backup and restore of SIZE of SQLite, PostgreSQL and MariaDB, each database built, measured and dropped in turn. */
export async function measureBackup(rounds: number): Promise<BackupRow[]> {
  const work = mkdtempSync(join(tmpdir(), 'molt-bench-backup-'));
  const builds: [string, () => Promise<TestDatabase>, (db: TestDatabase) => BackupCase][] = [
    ['SQLite', () => bigSqlite(work), (db) => sqliteCase(db, work)],
    ['PostgreSQL', bigPostgres, postgresCase],
    ['MariaDB', bigMariadb, mariadbCase],
  ];
  const rows: BackupRow[] = [];
  try {
    for (const [name, build, makeCase] of builds) {
      process.stderr.write(`bench: generating ${(SIZE / 1024 ** 3).toFixed(2)} GiB ${name} database...\n`);
      const db = await build();
      try {
        const c = makeCase(db);
        const size = await c.size();
        if (size < SIZE)
          throw new Error(
            `the ${name} bench database is only ${size} bytes, less than the ${SIZE} asked for: raise ROWS in bench/backup.ts`,
          );
        rows.push(await measureCase(c, work, rounds));
      } finally {
        await db.drop();
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}
