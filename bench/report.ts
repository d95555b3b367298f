// BENCHMARKS.md as `npm run bench` writes it: the method, the machine, and every table, from the figures of one run.
import { spawnSync } from 'node:child_process';
import { fleetSection, type FleetRow } from './fleet.js';
import { consoleCostSection, type ConsoleCostRow } from './console-cost.js';
import { cpus, totalmem } from 'node:os';
import { mysqlAdmin, pgAdmin } from '../test/helpers/databases.js';
import type { ApplyRow } from './apply.js';
import type { BackupRow } from './backup.js';
import type { InstanceRow } from './instances.js';
import type { UpgradeRow } from './upgrade.js';
import type { LintRow } from './lint.js';
import { DIALECT_NAMES, renderPeers, type PeerRow } from './peers/index.js';
import type { Dialect } from './peers/shared.js';
import { REPLICAS, type ReplicaRow } from './replicas.js';
import { STAMPEDE, type StampedeRow } from './peers/stampede.js';
import { cell, fmt, ratioCell } from './stats.js';

/** Everything one run measured. */
export interface Figures {
  /** Rounds of the apply and no-op figures (two more for the no-op and lint). */
  rounds: number;
  /** Rounds of each peer on each workload. */
  peerRounds: number;
  /** Rounds of the replicas and of backup and restore. */
  longRounds: number;
  /** Rounds of the 10,000-file sets. */
  hugeRounds: number;
  applied: ApplyRow[];
  replicas: ReplicaRow[];
  peers: PeerRow[];
  stampede: StampedeRow[];
  lint: { rows: LintRow[]; squawk: string };
  backups: BackupRow[];
  /** Live instances: statements per heartbeat and the no-op boot with the registration; absent in runs before it. */
  instances?: InstanceRow[];
  /** Upgrades under load: molt upgrade against the anchors' procedures; absent in runs before it. */
  upgrades?: UpgradeRow[];
  /** The fleet at 10,000 agents. */
  fleet?: FleetRow[];
  /** The sample's boot with and without the console mounted. */
  consoleCost?: ConsoleCostRow[];
  wallMs: number;
}

const FLOORS: Record<Dialect, string> = {
  sqlite:
    'the `sqlite3` shell applying the same files in one session, `BEGIN; .read file; COMMIT;` per file, `-bail`, in WAL mode with `synchronous = NORMAL` so that it syncs at checkpoints only, as molt syncs once per run',
  postgres:
    'psql applying the same files in one session, one transaction per file (`BEGIN; \\i file; COMMIT;`, bare `\\i` for files with `CONCURRENTLY`), `ON_ERROR_STOP`',
  mysql:
    'the `mariadb` client applying the same files in one session (`source file` for each, which honours `DELIMITER`; `--abort-source-on-error`), with the same `sql_mode`. MySQL commits every DDL statement on its own, so neither side can wrap a file in a transaction',
};

function applyTables(rows: ApplyRow[]): string {
  const out: string[] = [];
  for (const dialect of ['sqlite', 'postgres', 'mysql'] as Dialect[]) {
    const mine = rows.filter((r) => r.server.dialect === dialect);
    if (mine.length === 0) continue;
    const name = mine[0].server.name;
    out.push(`### ${name}

Apply everything from empty. Floor: ${FLOORS[dialect]}.

| workload | files | rounds | molt migrate | floor | molt / floor |
|---|---|---|---|---|---|
${mine.map((r) => `| ${r.workload} | ${r.files} | ${r.rounds} | ${cell(r.molt)} | ${cell(r.floor)} | ${ratioCell(r.molt, r.floor)} |`).join('\n')}

No-op start with everything applied: \`molt migrate\` again, what every boot pays, against the minimal script.

| workload | files | molt migrate, nothing to do | minimal script | molt / floor |
|---|---|---|---|---|
${mine.map((r) => `| ${r.workload} | ${r.files} | ${cell(r.noop)} | ${cell(r.noopFloor)} | ${ratioCell(r.noop, r.noopFloor)} |`).join('\n')}`);
  }
  return out.join('\n\n');
}

function replicaTable(rows: ReplicaRow[]): string {
  return `| database | workload | files | ${REPLICAS} replicas on empty, all ready | one alone on empty | ${REPLICAS} / one | ${REPLICAS} on the migrated database | migrations applied per round | history rows per round |
|---|---|---|---|---|---|---|---|---|
${rows.map((r) => `| ${r.server} | ${r.workload} | ${r.files} | ${cell(r.all)} | ${cell(r.alone)} | ${ratioCell(r.all, r.alone)} | ${cell(r.started)} | ${r.applied.join(', ')} | ${r.history.join(', ')} |`).join('\n')}`;
}

/** Text for a table cell: a `|` inside it would end the cell. */
const esc = (text: string): string => text.replace(/\|/g, '\\|');

function stampedeTable(rows: StampedeRow[]): string {
  const out = rows.map((r) => {
    const tool = r.tool === 'molt' ? '**molt**' : `${r.tool} ${r.version}`;
    if (r.reason)
      return `| ${DIALECT_NAMES[r.dialect]} | ${r.workload} | ${tool} | not run: ${esc(r.reason)} | | | | |`;
    const failed = r.failed === 0 ? '0' : `**${r.failed}**: ${esc(r.firstError ?? '')}`;
    const history = r.history === r.files ? `${r.history} / ${r.files}` : `**${r.history}** / ${r.files}`;
    const schema = r.schemaDiff === 0 ? 'same' : `**${r.schemaDiff} tables.columns differ**`;
    return `| ${DIALECT_NAMES[r.dialect]} | ${r.workload} | ${tool} | ${cell({ median: r.ms, min: r.ms, max: r.ms }).split(' [')[0]} | ${failed} | ${history} | ${schema} | ${esc(r.after)} |`;
  });
  return `| database | workload | tool | until the last exits | copies that exited with an error | history rows / files | tables and columns | one more run alone |
|---|---|---|---|---|---|---|---|
${out.join('\n')}`;
}

function lintTable(rows: LintRow[]): string {
  return `| history | files | molt lint | squawk | molt / squawk |
|---|---|---|---|---|
${rows.map((r) => `| ${r.name} | ${r.files} | ${cell(r.molt)} | ${r.squawk ? cell(r.squawk) : 'n/a (PostgreSQL only)'} | ${r.squawk ? ratioCell(r.molt, r.squawk) : ''} |`).join('\n')}`;
}

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

function instancesTable(rows: InstanceRow[]): string {
  const head =
    '| database | statements per beat | per minute at the 5 s default | while a contract waits: per beat, per minute | `molt migrate` no-op | boot without registering | boot with registering | with / without |\n|---|---|---|---|---|---|---|---|';
  return `${head}\n${rows
    .map(
      (r) =>
        `| ${r.server} | ${r.perBeat.plain.toFixed(2)} | ${r.perMinute.plain.toFixed(1)} | ${r.perBeat.waiting.toFixed(2)}, ${r.perMinute.waiting.toFixed(1)} | ${cell(r.noop.cli)} | ${cell(r.noop.bootWithout)} | ${cell(r.noop.bootWith)} | ${ratioCell(r.noop.bootWith, r.noop.bootWithout)} |`,
    )
    .join('\n')}`;
}

function upgradeTable(rows: UpgradeRow[]): string {
  const head =
    '| procedure | database | instances | time to 2.0.0 everywhere | failed requests per round | longest time without an answer | requests sent |\n|---|---|---|---|---|---|---|';
  return `${head}\n${rows
    .map((r) =>
      r.skipped
        ? `| ${r.procedure} | ${r.database} | ${r.instances} | not measured: ${esc(r.skipped)} | | | |`
        : `| ${r.procedure} | ${r.database} | ${r.instances} | ${cell(r.time)} | ${r.failed.join(', ')} | ${cell(r.downtime)} | ${r.sent} |`,
    )
    .join('\n')}`;
}

function backupTable(rows: BackupRow[]): string {
  return `| database | size | molt backup | floor | floor time | molt / floor | archive | floor output |
|---|---|---|---|---|---|---|---|
${rows.map((r) => `| ${r.name} | ${gib(r.size)} | ${cell(r.molt)} | ${esc(r.floorName)} | ${cell(r.floor)} | ${ratioCell(r.molt, r.floor)} | ${gib(r.archive)} | ${gib(r.floorOutput)} |`).join('\n')}

| database | size | molt restore | floor | floor time | molt / floor |
|---|---|---|---|---|---|
${rows.map((r) => `| ${r.name} | ${gib(r.size)} | ${cell(r.restore)} | ${esc(r.restoreFloorName)} | ${cell(r.restoreFloor)} | ${ratioCell(r.restore, r.restoreFloor)} |`).join('\n')}`;
}

async function machine(): Promise<string> {
  const pg = (await pgAdmin<{ server_version: string }>('SHOW server_version'))[0]?.server_version ?? '?';
  const mariadb = (await mysqlAdmin<{ v: string }>('SELECT VERSION() AS v'))[0]?.v ?? '?';
  const version = (command: string, arg = '--version'): string =>
    spawnSync(command, [arg], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  return `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version},
PostgreSQL ${pg} and MariaDB ${mariadb} on 127.0.0.1, SQLite ${version('sqlite3', '-version').split(' ')[0]} (shell); ${version('psql')}; ${version('mariadb')}`;
}

/** The whole of BENCHMARKS.md but the fault suite's section, which `npm run faults` writes. */
export async function renderReport(f: Figures): Promise<string> {
  const molt = (dialect: Dialect, workload: string) => {
    const r = f.applied.find((x) => x.server.dialect === dialect && x.workload === workload);
    return r && { apply: r.molt, noop: r.noop };
  };
  return `# Benchmarks

Latest run of \`npm run bench\` (${new Date().toISOString().slice(0, 10)}, ${fmt(f.wallMs)} end to end). Every figure is the median of
interleaved rounds (the count is given; ${f.rounds + 1} for the no-op), with [min–max], wall-clock time of whole processes,
Node start-up included. Ratios divide molt's median by the floor's or the peer's median measured in the same run.

Machine: ${await machine()}.
It is a VM with CPU steal, so differences under about 10 % are noise.

Reproduce: \`npm run bench\`. Rounds: \`BENCH_ROUNDS\` (${f.rounds}: apply and lint; one more for the no-op), \`BENCH_PEER_ROUNDS\` (${f.peerRounds}), \`BENCH_LONG_ROUNDS\`
(${f.longRounds}: replicas, backup and restore of 1 GiB) and \`BENCH_10K_ROUNDS\` (${f.hugeRounds}: the 10,000-file sets), sized so that the
whole run stays under 20 minutes on this machine. The peers are installed into \`bench/node_modules\` on the first run, never into
molt's own install.

## Apply everything from empty, and the no-op start

molt: \`molt migrate\` on a fresh database as a whole process, with its drift check, lock, history rows and per-statement
execution (on MariaDB a \`running\` row per file and a progress row after every statement, sent in the same round trip).
The no-op floor is a minimal Node script (\`bench/floor-noop.ts\`) that reads and hashes every file and selects the history
table; molt on a no-op start also checksums every file twice (canonical text and raw bytes), reads its own tables' version,
runs the drift check and, finding nothing to do, takes no lock. On SQLite molt holds the write lock for the whole run and applies
each migration as a savepoint inside one transaction, so it syncs to disk once.
The generated sets are small migrations (tables, columns, indexes, rows) valid on all three databases. The kratos MySQL history
stops at file 344 on MariaDB: file 345 needs MySQL 8 (see the corpus test); it needs \`sql_mode=NO_ENGINE_SUBSTITUTION\`, which
molt gets with \`--set\` and the client with \`--init-command\`.

${applyTables(f.applied)}

## ${REPLICAS} replicas starting at once

${REPLICAS} processes (\`bench/replica.ts\`) start together on one empty database. Each migrates on boot through the library, as a
service built with molt does, then listens with the probes; the time runs from the start until every one answers \`/readyz\` with
200. Floors, in the same rounds: one replica alone on an empty database, and the same ${REPLICAS} started again on the migrated
database, which is what ${REPLICAS} Node processes cost to start and check on ${cpus().length} cores with nothing to apply. The sums of what the replicas' own reports say they
applied, and the history rows, must each equal the number of files in every round, or the run fails.

${replicaTable(f.replicas)}

## Peers: the same files in the same run

Each peer applies the same SQL files, laid out as it needs them in a temporary directory, as a whole process on a fresh
database; afterwards its history must hold one row per file and every table and column must match what the database's own
client makes of the same files, so a peer that skips a file cannot look fast. molt's figures are the ones in the tables
above; each tool's no-op is its own migrate run again. Peers run ${f.peerRounds} rounds.

${renderPeers(f.peers, molt)}

### ${STAMPEDE} copies of each tool at once

What a fleet does when ${STAMPEDE} replicas that migrate on boot start together: ${STAMPEDE} copies of each tool's migrate command on one
empty database, the same layout as above, once per tool. A copy that exits with an error is a replica that crash-loops; the
history must hold one row per file and the tables and columns must be the database client's; then one more run alone shows
whether a restart repairs what the stampede left. Every tool applies each of these histories alone (the tables above), so what
goes wrong here is the concurrency alone. One run each: where tools race, the outcome varies from run to run.

${stampedeTable(f.stampede)}

## Lint: whole histories

\`molt lint --dialect D --dir DIR --json\` as a whole process (Node start-up, loading the parser, reading, splitting, classifying
every statement, the file verdicts and the sum check). PostgreSQL uses libpg-query (the real parser, WASM), MySQL
node-sql-parser, SQLite the real SQLite applying every statement to a scratch in-memory database. Peer: ${f.lint.squawk} on the
same PostgreSQL files in the same rounds (\`squawk --reporter gcc FILE...\`, its default rules). Target: the largest PostgreSQL
history in under 3 s.

${lintTable(f.lint.rows)}

## Backup and restore: 1 GiB databases

\`molt backup FILE --db URL --json\` as a whole process: the consistent dump, \`about.json\`, a sha256 of every entry, the
tar.gz, fsync and the atomic publish. \`molt restore FILE --db URL --yes --json\` into a database that does not exist yet: the
archive is verified whole first, then restored and swapped in. Floors, in the same rounds: \`sqlite3 DB ".backup FILE"\` and
\`.restore\` (a plain copy of the pages, no archive, no hash), \`pg_dump -Fc\` and \`createdb\` + \`pg_restore --single-transaction\`,
\`mariadb-dump --single-transaction --quick | gzip -1\` and \`CREATE DATABASE\` + \`gunzip | mariadb\`. Each database is one table
with an index: SQLite in WAL mode built with better-sqlite3, PostgreSQL from generate_series, MariaDB from the sequence engine.
molt reads the SQLite file in place under a read snapshot and stores it in the gzip without compressing, hashing on a
second thread; pg_dump's custom format is compressed already, so molt stores it too; the MariaDB dump is gzipped at level 1.
The rows (about 700 bytes, a text payload of repeated hashes) compress about 20-fold, so the server dumps are small.
molt's restore reads the archive twice (verification before anything is touched, then extraction with every hash checked
again) and runs SQLite's quick_check on the result before the atomic rename; the floors check nothing. ${f.longRounds} rounds each.

${backupTable(f.backups)}
${
  f.instances?.length
    ? `
## Live instances: the heartbeat's cost and the registration at boot

Each instance that boots through the boot \`migrate\` registers a row in molt's instances table and heartbeats on its own
connection. Statements are counted at the driver's session class (every \`query\` and \`exec\`) over ${4} s of 200 ms heartbeats
after the registration, so the count is exact, not sampled: a plain beat is an UPDATE of the row and a SELECT that checks it is
still there; an instance whose contract migration waits for an older release also reads the instances once per beat. Per
minute is per beat times 12, at the default 5 s heartbeat. The boot columns time whole processes (\`bench/boot-once.ts\`: the
library's boot \`migrate\` on a database where all 200 files of a generated set are applied, then exit) with and without the
registration (\`instance: false\`), and \`molt migrate\`'s no-op on the same database, in ${f.rounds + 2} interleaved rounds.

${instancesTable(f.instances)}
`
    : ''
}${upgradeSection(f)}${fleetSection(f.fleet)}${consoleCostSection(f.consoleCost, 9)}`;
}

/** The section on upgrades under load, or nothing when the run did not measure them. */
export function upgradeSection(f: Figures): string {
  return f.upgrades?.length
    ? `
## Upgrades under load: molt upgrade against the anchors' procedures

The sample service from 1.1.0 to 2.0.0 (one expand migration, one contract migration) while a second process sends 200
requests a second, one write for four reads, and counts every request that was refused, reset or answered 5xx. Each
round starts from a fresh database with 1.1.0 serving. \`molt upgrade\` runs every step (plan, backup, expand, the roll
with the 0.5 s soak the test releases declare, per instance, validate, contract) and its time is the command's. Stop + swap + start is the procedure of
the anchors' upgrade guides (dockmesh, Kestrel) on one process: SIGTERM, start the new release, which migrates on boot,
timed until it answers (nothing polls its \`/readyz\`, so its drain does not wait). \`docker compose up -d\` with the new image is what Compose does by itself: it
recreates every replica at once (three behind HAProxy, as \`examples/compose\`). The longest time without an answer is
the longest gap the client saw between two successful answers (its requests go out every 5 ms). ${f.rounds} rounds each.

${upgradeTable(f.upgrades)}
`
    : '';
}
