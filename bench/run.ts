// `npm run bench`: molt against floors on PostgreSQL and MariaDB, medians of interleaved rounds; rewrites BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { BIN, CORPORA, ROOT } from '../test/helpers/cli.js';
import { createMysqlDatabase, createPostgresDatabase, mysqlAdmin, pgAdmin, type TestDatabase } from '../test/helpers/databases.js';
import { corpusFiles, mariadbArgs, psqlScript } from '../test/helpers/floors.js';
import { measureBackup } from './backup.js';
import { measureLint } from './lint.js';
import { generated } from './peers/shared.js';
import { measurePeers, renderPeers, type MoltFigures } from './peers/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const FLOOR_NOOP = join(ROOT, 'dist', 'bench', 'floor-noop.js');

function timed(command: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${command} ${args.slice(0, 3).join(' ')} failed: ${r.stderr.slice(-1500)}`);
  return ms;
}

interface Stat { median: number; min: number; max: number }
const stat = (xs: number[]): Stat => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s.at(-1)! };
};
const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const cell = (s: Stat): string => `${fmt(s.median)} [${fmt(s.min)}–${fmt(s.max)}]`;

interface Row { workload: string; files: number; molt: Stat; floor: Stat; ratio: number; noop: Stat; noopFloor: Stat; noopRatio: number }

/** One server: how to make a database, and how its own client applies a set of files. */
interface Server {
  create(): Promise<TestDatabase>;
  /** molt flags the workload needs on this server (session settings). */
  moltArgs: string[];
  /** Times the server's own command-line client applying `files` in one session. */
  floor(db: TestDatabase, files: string[]): number;
}

const postgres: Server = {
  create: createPostgresDatabase,
  moltArgs: [],
  floor: (db, files) => timed('psql', ['-X', '-q', '-d', db.url, '-f', psqlScript(files, (f) => readFileSync(f, 'utf8'))]),
};

// The kratos MySQL history was written for MySQL 8's defaults; MariaDB needs this sql_mode for it.
const MARIADB_MODE = 'sql_mode=NO_ENGINE_SUBSTITUTION';
const mariadb: Server = {
  create: createMysqlDatabase,
  moltArgs: ['--set', MARIADB_MODE],
  floor: (db, files) => {
    const { args, env } = mariadbArgs(db.url);
    const input = files.map((f) => `source ${f}`).join('\n');
    return timed('mariadb', [`--init-command=SET SESSION ${MARIADB_MODE}`, '--batch', '--abort-source-on-error', ...args], { input, env });
  },
};

async function measure(workload: string, dir: string, server: Server): Promise<Row> {
  const files = corpusFiles(dir);
  const moltTimes: number[] = [];
  const floorTimes: number[] = [];
  let applied: TestDatabase | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    // Interleaved: the machine's noise falls on both sides alike.
    const a = await server.create();
    const b = await server.create();
    moltTimes.push(timed(process.execPath, [BIN, 'migrate', '--db', a.url, '--dir', dir, ...server.moltArgs]));
    floorTimes.push(server.floor(b, files));
    await b.drop();
    await applied?.drop();
    applied = a;
  }
  const noop: number[] = [];
  const noopFloor: number[] = [];
  for (let round = 0; round < ROUNDS + 2; round++) {
    noop.push(timed(process.execPath, [BIN, 'status', '--db', applied!.url, '--dir', dir]));
    noopFloor.push(timed(process.execPath, [FLOOR_NOOP, applied!.url, dir]));
  }
  await applied!.drop();
  const row = { workload, files: files.length, molt: stat(moltTimes), floor: stat(floorTimes), noop: stat(noop), noopFloor: stat(noopFloor) };
  return { ...row, ratio: row.molt.median / row.floor.median, noopRatio: row.noop.median / row.noopFloor.median };
}

/** The kratos MySQL history up to the last file MariaDB 10.11 accepts (file 345 needs MySQL 8), linked, not copied. */
function kratosForMariadb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'molt-kratos-mysql-'));
  for (const f of corpusFiles(join(CORPORA, 'ory-kratos', 'mysql-up')).slice(0, 344)) symlinkSync(f, join(dir, basename(f)));
  return dir;
}

const gen = generated(1000);
const suites: { server: string; rows: Row[]; workloads: [string, string, Server][] }[] = [
  { server: 'PostgreSQL', rows: [], workloads: [['generated, 1,000 migrations', gen, postgres], ['trigger-dev (real, Prisma layout)', join(CORPORA, 'trigger-dev', 'migrations'), postgres]] },
  { server: 'MariaDB', rows: [], workloads: [['generated, 1,000 migrations', gen, mariadb], ['ory-kratos mysql-up, files 1–344 (real)', kratosForMariadb(), mariadb]] },
];
for (const suite of suites) {
  for (const [name, dir, server] of suite.workloads) {
    process.stderr.write(`bench: ${suite.server}, ${name}...\n`);
    suite.rows.push(await measure(name, dir, server));
  }
}
const [pgRows, myRows] = suites.map((s) => s.rows);
// Peers run at most 3 rounds: six tools on six workloads would otherwise take ten minutes.
process.stderr.write('bench: peers...\n');
const peerRows = await measurePeers(Math.min(ROUNDS, 3), stat, { generatedDir: gen });
const moltOf = (dialect: string, workload: string): MoltFigures | undefined => {
  const r = ({ postgres: pgRows, mysql: myRows } as Record<string, Row[]>)[dialect]?.find((x) => x.workload === workload);
  return r && { apply: r.molt, noop: r.noop };
};
const linted = measureLint(ROUNDS, stat);
const lintTable = `| history | files | molt lint | squawk | molt / squawk |
|---|---|---|---|---|
${linted.rows.map((r) => `| ${r.name} | ${r.files} | ${cell(r.molt)} | ${r.squawk ? cell(r.squawk) : 'n/a (PostgreSQL only)'} | ${r.ratio === null ? '' : `**${r.ratio.toFixed(2)}x**`} |`).join('\n')}`;
const applyTable = (rows: Row[], floor: string): string => `| workload | files | molt migrate | ${floor} | ratio |
|---|---|---|---|---|
${rows.map((r) => `| ${r.workload} | ${r.files} | ${cell(r.molt)} | ${cell(r.floor)} | **${r.ratio.toFixed(2)}x** |`).join('\n')}`;
const noopTable = (rows: Row[]): string => `| workload | files | molt status | minimal script | ratio |
|---|---|---|---|---|
${rows.map((r) => `| ${r.workload} | ${r.files} | ${cell(r.noop)} | ${cell(r.noopFloor)} | **${r.noopRatio.toFixed(2)}x** |`).join('\n')}`;

const backups = await measureBackup(ROUNDS, stat);
const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
const backupTable = `| database | size | molt backup | floor | floor time | molt / floor | archive | floor output |
|---|---|---|---|---|---|---|---|
${backups.map((r) => `| ${r.name} | ${gib(r.size)} | ${cell(r.molt)} | ${r.floorName} | ${cell(r.floor)} | **${r.ratio.toFixed(2)}x** | ${gib(r.archive)} | ${gib(r.floorOutput)} |`).join('\n')}`;

const pgVersion = (await pgAdmin<{ server_version: string }>('SHOW server_version'))[0]?.server_version ?? '?';
const mariadbVersion = (await mysqlAdmin<{ v: string }>('SELECT VERSION() AS v'))[0]?.v ?? '?';
const clientVersion = (command: string): string => spawnSync(command, ['--version'], { encoding: 'utf8' }).stdout.trim();
const md = `# Benchmarks

Latest run of \`npm run bench\` (${new Date().toISOString().slice(0, 10)}). Every figure is the median of
${ROUNDS} interleaved rounds (${ROUNDS + 2} for the no-op), with [min–max], wall-clock time of whole processes,
Node start-up included. Ratios divide molt's median by the floor's median measured in the same run.

Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version},
PostgreSQL ${pgVersion} and MariaDB ${mariadbVersion} on 127.0.0.1; ${clientVersion('psql')}; ${clientVersion('mariadb')}.
It is a VM with CPU steal, so differences under about 10 % are noise.

## PostgreSQL: apply everything from empty

Floor: psql applying the same files in **one session**, one transaction per file (\`BEGIN; \\i file; COMMIT;\`,
bare \`\\i\` for files with \`CONCURRENTLY\`), \`ON_ERROR_STOP\`. molt: \`molt migrate\` on a fresh database,
with its drift check, lock, history rows and per-statement execution. Target: within 1.3x.

${applyTable(pgRows, 'psql floor')}

## PostgreSQL: no-op start with everything applied

The cost every boot pays. Floor: a minimal Node script (\`bench/floor-noop.ts\`) that reads and hashes every
file and selects the history table with \`pg\`. molt: \`molt status\` (reads and checksums every file, reads
the history, runs the drift check, checks the lock). Target: within 1.5x.

${noopTable(pgRows)}

## MariaDB: apply everything from empty

Floor: the \`mariadb\` client applying the same files in **one session** (\`source file\` for each, which honours
\`DELIMITER\`; \`--abort-source-on-error\`), with the same \`sql_mode\`. MySQL commits every DDL statement on its
own, so neither side can wrap a file in a transaction. molt: \`molt migrate --set ${MARIADB_MODE}\`, with its lock,
drift check, a \`running\` row per file and a progress row after every statement (sent in the same round trip
as the statement). The kratos history stops at file 344: file 345 needs MySQL 8 (see the corpus test). Target: within 1.5x.

${applyTable(myRows, 'mariadb client floor')}

## MariaDB: no-op start with everything applied

Same floor script as for PostgreSQL, selecting the history with \`mysql2\`; molt: \`molt status\`.

${noopTable(myRows)}

## Lint: whole histories

\`molt lint --dialect D --dir DIR --json\` as a whole process (Node start-up, loading the parser, reading,
splitting, classifying every statement, the file verdicts and the sum check). PostgreSQL uses libpg-query (the
real parser, WASM), MySQL node-sql-parser, SQLite the real SQLite applying every statement to a scratch
in-memory database. Peer: ${linted.squawk} on the same PostgreSQL files in the same rounds
(\`squawk --reporter gcc FILE...\`, its default rules). Target: the largest PostgreSQL history in under 3 s.

${lintTable}

## Peers: the same files in the same run

Each peer applies the same SQL files, laid out as it needs them in a temporary directory, as a whole process
on a fresh database; afterwards its history must hold one row per file and every table and column must match
what the database's own client makes of the same files, so a peer that skips a file cannot look fast. molt's
figures are the ones in the tables above (the no-op is \`molt status\`; a peer's no-op is its migrate run
again). Peers run ${Math.min(ROUNDS, 3)} rounds.

${renderPeers(peerRows, cell, moltOf)}

## Backup: 1 GiB databases

\`molt backup FILE --db URL --json\` as a whole process: the consistent dump, \`about.json\`, a sha256 of every
entry, the tar.gz, fsync and the atomic publish. Floors, in the same rounds: \`sqlite3 DB ".backup FILE"\` (a
plain copy of the pages, no archive, no hash) and \`pg_dump -Fc -f FILE\`. The SQLite database is a WAL-mode file
of one table with an index, built with better-sqlite3; the PostgreSQL one 4.2 million rows from generate_series.
molt reads the SQLite file in place under a read snapshot, stores it in the gzip without compressing (SQLite
pages compress poorly and deflate would cost ten times the copy), and hashes it on a second thread while it writes;
pg_dump's custom format is compressed already, so molt stores it too. Target: within 1.3x.

${backupTable}

Reproduce: \`npm run bench\` (\`BENCH_ROUNDS=N\` changes the number of rounds; peers are installed into
\`bench/node_modules\` on the first run, never into molt's own install).
`;
// The fault suite's table comes from `npm run faults`, which takes minutes of its own: kept as the last run left it.
const previous = readFileSync(join(ROOT, 'BENCHMARKS.md'), 'utf8');
const faults = previous.includes('\n## Fault suite') ? previous.slice(previous.indexOf('\n## Fault suite')) : '';
writeFileSync(join(ROOT, 'BENCHMARKS.md'), md + faults);
process.stdout.write(md);
