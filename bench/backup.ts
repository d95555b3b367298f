// Backup of 1 GB databases: `molt backup` against the database's own tool alone, in the same rounds.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../test/helpers/cli.js';
import { createPostgresDatabase, pgAdmin } from '../test/helpers/databases.js';

interface Stat { median: number; min: number; max: number }

/** A measured workload. */
export interface BackupRow { name: string; size: number; molt: Stat; floor: Stat; floorName: string; ratio: number; archive: number; floorOutput: number }

function timed(command: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${command} ${args.slice(0, 3).join(' ')} exited ${r.status}: ${r.stderr.slice(-1500)}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const GB = 1024 ** 3;

/** An SQLite file of at least 1 GiB: rows of mixed text and numbers, with an index, like a service's largest table. */
async function bigSqlite(dir: string): Promise<string> {
  const { default: Database } = await import('better-sqlite3');
  const path = join(dir, 'big.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL, amount REAL, at TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO events (kind, payload, amount, at) VALUES (?, ?, ?, ?)');
  const batch = db.transaction((from: number, count: number) => {
    for (let i = from; i < from + count; i++) {
      insert.run(`kind-${i % 17}`, `${i.toString(36)}:${'payload-'.repeat(20)}${(i * 7919).toString(16)}`, i / 3, new Date(1_700_000_000_000 + i * 1000).toISOString());
    }
  });
  let n = 0;
  while (statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0) < GB) {
    batch(n, 200_000);
    n += 200_000;
  }
  db.exec('CREATE INDEX events_kind_at ON events (kind, at)');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return path;
}

/** A PostgreSQL database of at least 1 GiB, built server-side with generate_series. */
async function bigPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const db = await createPostgresDatabase();
  await pgAdmin(
    `CREATE TABLE events AS SELECT g AS id, 'kind-' || (g % 17) AS kind, repeat(md5(g::text), 5) AS payload, g / 3.0 AS amount, now() + g * interval '1 second' AS at
     FROM generate_series(1, 4200000) g`,
    [],
    db.url,
  );
  await pgAdmin('ALTER TABLE events ADD PRIMARY KEY (id); CREATE INDEX events_kind_at ON events (kind, at)', [], db.url);
  const [{ size }] = await pgAdmin<{ size: string }>('SELECT pg_database_size(current_database()) AS size', [], db.url);
  if (Number(size) < GB) throw new Error(`the PostgreSQL bench database is only ${size} bytes`);
  return db;
}

/** Times `molt backup` and the floor tool in interleaved rounds on 1 GiB of SQLite and of PostgreSQL. */
export async function measureBackup(rounds: number, stat: (xs: number[]) => Stat): Promise<BackupRow[]> {
  const work = mkdtempSync(join(tmpdir(), 'molt-bench-backup-'));
  const rows: BackupRow[] = [];
  try {
    process.stderr.write('bench: generating 1 GiB SQLite database...\n');
    const sqlite = await bigSqlite(work);
    process.stderr.write('bench: generating 1 GiB PostgreSQL database...\n');
    const pg = await bigPostgres();
    try {
      const cases = [
        { name: 'SQLite, 1 GiB', size: statSync(sqlite).size, db: `sqlite:${sqlite}`, floorName: 'sqlite3 .backup', floor: (out: string) => timed('sqlite3', [sqlite, `.backup '${out}'`]) },
        {
          name: 'PostgreSQL, 1 GiB',
          size: Number((await pgAdmin<{ size: string }>('SELECT pg_database_size(current_database()) AS size', [], pg.url))[0].size),
          db: pg.url,
          floorName: 'pg_dump -Fc',
          floor: (out: string) => timed('pg_dump', ['-Fc', '-f', out, '-d', pg.url]),
        },
      ];
      for (const c of cases) {
        process.stderr.write(`bench: backup ${c.name}...\n`);
        const moltTimes: number[] = [];
        const floorTimes: number[] = [];
        let archive = 0;
        let floorOutput = 0;
        for (let i = 0; i < rounds; i++) {
          const out = join(work, `molt-${i}.tar.gz`);
          moltTimes.push(timed(process.execPath, [BIN, 'backup', out, '--db', c.db, '--backup-dir', work, '--json']));
          archive = statSync(out).size;
          rmSync(out);
          const floorOut = join(work, `floor-${i}`);
          floorTimes.push(c.floor(floorOut));
          floorOutput = statSync(floorOut).size;
          rmSync(floorOut);
        }
        const molt = stat(moltTimes);
        const floor = stat(floorTimes);
        rows.push({ name: c.name, size: c.size, molt, floor, floorName: c.floorName, ratio: molt.median / floor.median, archive, floorOutput });
      }
    } finally {
      await pg.drop();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}
