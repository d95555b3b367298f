// The peers side by side with molt: each applies the same workloads as molt's rows in bench/run.ts, on fresh databases,
// timed as a whole process and checked afterwards against the tables and columns the database's own client builds from the same files.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CORPORA } from '../../test/helpers/cli.js';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  createSqliteDatabase,
  queryDb,
  type TestDatabase,
} from '../../test/helpers/databases.js';
import { corpusFiles, psqlScript, runMariadb, runPsql } from '../../test/helpers/floors.js';
import { dbmate } from './dbmate.js';
import { graphileMigrate } from './graphile-migrate.js';
import { knex } from './knex.js';
import { nodePgMigrate } from './node-pg-migrate.js';
import { postgrator } from './postgrator.js';
import {
  MARIADB_SQL_MODE,
  PEER_TABLES,
  ensurePeersInstalled,
  generated,
  peerVersion,
  timed,
  workDir,
  type Dialect,
  type Peer,
} from './shared.js';
import { umzug } from './umzug.js';
import { cell, stat, type Stat } from '../stats.js';

/** One peer on one workload: its times, or why it has none. */
export interface PeerRow {
  peer: string;
  version: string;
  dialect: Dialect;
  workload: string;
  files: number;
  /** Apply everything to a fresh database; null when the peer cannot run this workload. */
  time: Stat | null;
  /** Run again with everything applied; null when not measured. */
  noop: Stat | null;
  /** Rounds behind each figure. */
  rounds: number;
  /** One line: why there is no figure. */
  reason?: string;
}

/** Every peer, in the order BENCHMARKS.md lists them. */
export const PEERS: Peer[] = [nodePgMigrate, postgrator, knex, umzug, dbmate, graphileMigrate];

/** Display names of the dialects, as BENCHMARKS.md's headings say them. */
export const DIALECT_NAMES: Record<Dialect, string> = { postgres: 'PostgreSQL', mysql: 'MariaDB', sqlite: 'SQLite' };

/** A fresh database of each dialect. */
export const CREATE: Record<Dialect, () => Promise<TestDatabase>> = {
  postgres: createPostgresDatabase,
  mysql: createMysqlDatabase,
  sqlite: createSqliteDatabase,
};

// Every column of every table and view, as `table.column`: a file skipped or recorded without running shows as a missing name.
const COLUMNS: Record<Dialect, string> = {
  postgres: `SELECT table_name || '.' || column_name AS name FROM information_schema.columns WHERE table_schema = 'public'`,
  mysql: `SELECT CONCAT(table_name, '.', column_name) AS name FROM information_schema.columns WHERE table_schema = DATABASE()`,
  sqlite: `SELECT m.name || '.' || p.name AS name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite!_%' ESCAPE '!'`,
};

/** The sorted `table.column` names of a database, the tools' own tables (the peers', `_molt_*`) left out. */
export async function userColumns(db: TestDatabase): Promise<string[]> {
  const rows = await queryDb<{ name: unknown }>(db, COLUMNS[db.kind]);
  return rows
    .map((r) => String(r.name))
    .filter((n) => !PEER_TABLES.has(n.slice(0, n.indexOf('.'))) && !n.startsWith('_molt_'))
    .sort();
}

// The database's own client applying the files one transaction per file, to learn the tables and columns a correct run leaves.
const REFERENCE: Record<Dialect, (db: TestDatabase, files: string[]) => Promise<void>> = {
  postgres: async (db, files) =>
    runPsql(
      db.url,
      psqlScript(files, (f) => readFileSync(f, 'utf8')),
    ),
  mysql: async (db, files) => {
    const r = runMariadb(db.url, files, `SET SESSION sql_mode='${MARIADB_SQL_MODE}'`);
    if (r.status !== 0) throw new Error(`mariadb client failed: ${r.stderr.slice(-500)}`);
  },
  sqlite: async (db, files) => {
    const { default: Database } = await import('better-sqlite3');
    const conn = new Database(db.url.slice('sqlite:'.length));
    try {
      for (const f of files) conn.transaction(() => conn.exec(readFileSync(f, 'utf8')))();
    } finally {
      conn.close();
    }
  },
};

/** The sorted `table.column` names the database's own client leaves after applying `files` one transaction per file. */
export async function referenceColumns(dialect: Dialect, files: string[]): Promise<string[]> {
  const db = await CREATE[dialect]();
  try {
    await REFERENCE[dialect](db, files);
    return await userColumns(db);
  } finally {
    await db.drop();
  }
}

/** Checks a peer's run really applied every file: history rows equal to the files, and the reference's tables and columns. */
/** The peer's history rows for applied migrations. */
export async function historyCount(peer: Peer, db: TestDatabase): Promise<number> {
  const [row] = await queryDb<Record<string, unknown>>(db, peer.historyCount[db.kind]);
  return Number(Object.values(row ?? {})[0]);
}

/** The `table.column` names the reference has and the database lacks, and those it has beyond the reference. */
export async function schemaDifference(
  db: TestDatabase,
  reference: string[],
): Promise<{ missing: string[]; extra: string[] }> {
  const columns = new Set(await userColumns(db));
  const expected = new Set(reference);
  return { missing: reference.filter((c) => !columns.has(c)), extra: [...columns].filter((c) => !expected.has(c)) };
}

/** Checks a peer's run really applied every file: history rows equal to the files, and the reference's tables and columns. */
async function verify(peer: Peer, db: TestDatabase, files: number, reference: string[]): Promise<void> {
  const recorded = await historyCount(peer, db);
  if (recorded !== files) throw new Error(`recorded ${recorded} of ${files} files in its history`);
  const { missing, extra } = await schemaDifference(db, reference);
  if (missing.length + extra.length > 0) {
    throw new Error(
      `left a different schema than the database's client: missing ${missing.slice(0, 3).join(', ') || 'none'}, extra ${extra.slice(0, 3).join(', ') || 'none'}`,
    );
  }
}

/** A workload of bench/run.ts as the peers get it: a dialect and the files in apply order. */
interface Workload {
  dialect: Dialect;
  name: string;
  files: string[];
}

/** Workloads of molt's rows in bench/run.ts, with the generated 1,000 set in `generatedDir`. */
export function peerWorkloads(generatedDir: string): Workload[] {
  const gen = corpusFiles(generatedDir);
  const kratos = (dialect: string): string[] => corpusFiles(join(CORPORA, 'ory-kratos', `${dialect}-up`));
  // The real histories; on MariaDB the generated set too, since most peers stop at kratos's comment-only file 16.
  return [
    {
      dialect: 'postgres',
      name: 'trigger-dev (real, Prisma layout)',
      files: corpusFiles(join(CORPORA, 'trigger-dev', 'migrations')),
    },
    { dialect: 'mysql', name: 'generated, 1,000 migrations', files: gen },
    // File 345 needs MySQL 8, as in bench/run.ts.
    { dialect: 'mysql', name: 'ory-kratos mysql-up, files 1–344 (real)', files: kratos('mysql').slice(0, 344) },
    { dialect: 'sqlite', name: 'ory-kratos sqlite3-up (real)', files: kratos('sqlite3') },
  ];
}

/** An error's message on one line, cut to 400 characters. */
export const firstLine = (e: unknown): string =>
  (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').slice(0, 400);

/** A row without figures for a peer on a workload, before its reason is set. */
function unmeasured(peer: Peer, w: Workload): PeerRow {
  const version = installedVersion(peer.name);
  return {
    peer: peer.name,
    version,
    dialect: w.dialect,
    workload: w.name,
    files: w.files.length,
    time: null,
    noop: null,
    rounds: 0,
  };
}

// The version for a row even when the install failed.
export const installedVersion = (pkg: string): string => {
  try {
    return peerVersion(pkg);
  } catch {
    return 'not installed';
  }
};

/** Measures one peer on one workload: `rounds` fresh databases, then `rounds` no-op runs on the last one. */
async function measureOne(peer: Peer, w: Workload, rounds: number, reference: string[] | Error): Promise<PeerRow> {
  const row: PeerRow = { ...unmeasured(peer, w), rounds };
  const unsupported = peer.unsupported[w.dialect];
  if (unsupported) return { ...row, rounds: 0, reason: unsupported };
  if (reference instanceof Error) return { ...row, rounds: 0, reason: `no reference schema: ${firstLine(reference)}` };
  const dir = workDir(peer.name);
  const times: number[] = [];
  let applied: TestDatabase | undefined;
  try {
    const prepared = peer.prepare(w.files, dir, w.dialect);
    for (let round = 0; round < rounds; round++) {
      const db = await CREATE[w.dialect]();
      try {
        times.push(timed(prepared.apply(db.url)));
        await verify(peer, db, w.files.length, reference);
      } catch (e) {
        await db.drop();
        throw e;
      }
      await applied?.drop();
      applied = db;
    }
    row.time = stat(times);
    const noop: number[] = [];
    for (let round = 0; round < rounds; round++) {
      noop.push(timed(prepared.apply(applied!.url)));
      await verify(peer, applied!, w.files.length, reference);
    }
    row.noop = stat(noop);
    return row;
  } catch (e) {
    return { ...row, time: null, noop: null, reason: firstLine(e) };
  } finally {
    await applied?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a caller may narrow: the generated set to share with molt's rows, and for smoke runs fewer files, dialects or peers. */
export interface PeerOptions {
  generatedDir?: string;
  limit?: number;
  dialects?: Dialect[];
  peers?: string[];
}

/**
 * Runs every peer on every workload of its dialects (`rounds` fresh databases each, then `rounds` no-op runs)
 * and returns one row per peer and workload, with a reason where a peer has no figure.
 */
export async function measurePeers(rounds: number, options: PeerOptions = {}): Promise<PeerRow[]> {
  const rows: PeerRow[] = [];
  const notInstalled = ensurePeersInstalled();
  const generatedDir = options.generatedDir ?? generated(1000);
  for (const whole of peerWorkloads(generatedDir)) {
    const w = { ...whole, files: whole.files.slice(0, options.limit) };
    if (options.dialects && !options.dialects.includes(w.dialect)) continue;
    process.stderr.write(`bench: peers, ${DIALECT_NAMES[w.dialect]}, ${w.name}: reference schema...\n`);
    const reference = await referenceColumns(w.dialect, w.files).catch((e: unknown) =>
      e instanceof Error ? e : new Error(String(e)),
    );
    for (const peer of PEERS.filter((p) => !options.peers || options.peers.includes(p.name))) {
      if (!peer.unsupported[w.dialect])
        process.stderr.write(`bench: peers, ${DIALECT_NAMES[w.dialect]}, ${w.name}: ${peer.name}...\n`);
      rows.push(
        notInstalled ? { ...unmeasured(peer, w), reason: notInstalled } : await measureOne(peer, w, rounds, reference),
      );
    }
  }
  if (!options.generatedDir) rmSync(generatedDir, { recursive: true, force: true });
  return rows;
}

/** molt's own figures for a workload, measured by bench/run.ts in the same run, that the peers are divided by. */
export interface MoltFigures {
  apply: Stat;
  noop: Stat;
}

/**
 * BENCHMARKS.md's peer section: per dialect, each workload's molt row then its peers with their ratio to molt
 * (`peer / molt`, so above 1 means slower than molt), the peers that do not run on the dialect, and how each peer is run.
 */
export function renderPeers(
  rows: PeerRow[],
  molt: (dialect: Dialect, workload: string) => MoltFigures | undefined,
): string {
  const ratio = (peer: Stat | null, base: Stat | undefined): string =>
    peer && base ? `${(peer.median / base.median).toFixed(2)}x` : '';
  const out: string[] = [];
  for (const dialect of Object.keys(DIALECT_NAMES) as Dialect[]) {
    const mine = rows.filter((r) => r.dialect === dialect);
    if (mine.length === 0) continue;
    const lines = [
      '| workload | files | tool | apply from empty | peer / molt | no-op start | peer / molt |',
      '|---|---|---|---|---|---|---|',
    ];
    for (const workload of [...new Set(mine.map((r) => r.workload))]) {
      const ran = mine.filter((r) => r.workload === workload && r.rounds > 0);
      const m = molt(dialect, workload);
      if (m) lines.push(`| ${workload} | ${ran[0]?.files ?? ''} | **molt** | ${cell(m.apply)} | | ${cell(m.noop)} | |`);
      for (const r of ran) {
        const tool = `${r.peer} ${r.version}`;
        if (!r.time)
          lines.push(
            `| ${workload} | ${r.files} | ${tool} | fails: ${(r.reason ?? 'unknown').replace(/\|/g, '\\|')} | | | |`,
          );
        else
          lines.push(
            `| ${workload} | ${r.files} | ${tool} | ${cell(r.time)} | ${ratio(r.time, m?.apply)} | ${r.noop ? cell(r.noop) : ''} | ${ratio(r.noop, m?.noop)} |`,
          );
      }
    }
    const absent = [...new Map(mine.filter((r) => r.rounds === 0).map((r) => [r.peer, r.reason])).entries()];
    out.push(
      `### ${DIALECT_NAMES[dialect]}\n\n${lines.join('\n')}${absent.length ? `\n\nNot run on ${DIALECT_NAMES[dialect]}: ${absent.map(([p, why]) => `${p} (${why})`).join('; ')}.` : ''}`,
    );
  }
  const methods = PEERS.map(
    (p) => `- **${p.name}** ${rows.find((r) => r.peer === p.name)?.version ?? ''}: ${p.method}.`,
  );
  return `${out.join('\n\n')}\n\nHow each peer runs (installed from npm into \`bench/\`, laid out in a temporary directory, started as a whole process):\n\n${methods.join('\n')}`;
}
