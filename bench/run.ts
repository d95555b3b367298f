// `npm run bench`: molt against floors on PostgreSQL, medians of interleaved rounds; rewrites BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { BIN, CORPORA, ROOT } from '../test/helpers/cli.js';
import { createPostgresDatabase, pgAdmin } from '../test/helpers/databases.js';
import { corpusFiles, psqlScript } from '../test/helpers/floors.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const FLOOR_NOOP = join(ROOT, 'dist', 'bench', 'floor-noop.js');

function timed(command: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
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

/** 1,000 small migrations: tables, columns, indexes and rows, like a long-lived service's history. */
function generated(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'molt-gen-'));
  for (let i = 1; i <= count; i++) {
    const v = String(i).padStart(5, '0');
    const t = `t${Math.ceil(i / 4)}`;
    const sql = [
      `CREATE TABLE ${t} (id integer PRIMARY KEY, v text);\nINSERT INTO ${t} (id, v) VALUES (1, 'x');\n`,
      `ALTER TABLE ${t} ADD COLUMN c${i} text;\n`,
      `CREATE INDEX ${t}_v_${i} ON ${t} (v);\n`,
      `UPDATE ${t} SET v = 'y' WHERE id = 1;\n`,
    ][(i - 1) % 4];
    writeFileSync(join(dir, `${v}_step_${i}.sql`), sql);
  }
  return dir;
}

interface Row { workload: string; files: number; molt: Stat; floor: Stat; ratio: number; noop: Stat; noopFloor: Stat; noopRatio: number }

async function measure(workload: string, dir: string): Promise<Row> {
  const files = corpusFiles(dir);
  const script = psqlScript(files, (f) => readFileSync(f, 'utf8'));
  const moltTimes: number[] = [];
  const psqlTimes: number[] = [];
  let applied = '';
  for (let round = 0; round < ROUNDS; round++) {
    // Interleaved: the machine's noise falls on both sides alike.
    const a = await createPostgresDatabase();
    const b = await createPostgresDatabase();
    moltTimes.push(timed(process.execPath, [BIN, 'migrate', '--db', a.url, '--dir', dir]));
    psqlTimes.push(timed('psql', ['-X', '-q', '-d', b.url, '-f', script]));
    await b.drop();
    if (round < ROUNDS - 1) await a.drop();
    else applied = a.url;
  }
  const noop: number[] = [];
  const noopFloor: number[] = [];
  for (let round = 0; round < ROUNDS + 2; round++) {
    noop.push(timed(process.execPath, [BIN, 'status', '--db', applied, '--dir', dir]));
    noopFloor.push(timed(process.execPath, [FLOOR_NOOP, applied, dir]));
  }
  await pgAdmin(`DROP DATABASE IF EXISTS ${new URL(applied).pathname.slice(1)} WITH (FORCE)`);
  const row = { workload, files: files.length, molt: stat(moltTimes), floor: stat(psqlTimes), noop: stat(noop), noopFloor: stat(noopFloor) };
  return { ...row, ratio: row.molt.median / row.floor.median, noopRatio: row.noop.median / row.noopFloor.median };
}

const workloads: [string, string][] = [['generated, 1,000 migrations', generated(1000)], ['trigger-dev (real, Prisma layout)', join(CORPORA, 'trigger-dev', 'migrations')]];
const rows: Row[] = [];
for (const [name, dir] of workloads) {
  process.stderr.write(`bench: ${name}...\n`);
  rows.push(await measure(name, dir));
}

const pgVersion = (await pgAdmin<{ v: string }>('SHOW server_version'))[0]?.v ?? '?';
const psqlVersion = spawnSync('psql', ['--version'], { encoding: 'utf8' }).stdout.trim();
const md = `# Benchmarks

Latest run of \`npm run bench\` (${new Date().toISOString().slice(0, 10)}). Every figure is the median of
${ROUNDS} interleaved rounds (${ROUNDS + 2} for the no-op), with [min–max], wall-clock time of whole processes,
Node start-up included. Ratios divide molt's median by the floor's median measured in the same run.

Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version},
PostgreSQL ${pgVersion} on 127.0.0.1, ${psqlVersion}. It is a VM with CPU steal, so differences under about 10 % are noise.

## PostgreSQL: apply everything from empty

Floor: psql applying the same files in **one session**, one transaction per file (\`BEGIN; \\i file; COMMIT;\`,
bare \`\\i\` for files with \`CONCURRENTLY\`), \`ON_ERROR_STOP\`. molt: \`molt migrate\` on a fresh database,
with its drift check, lock, history rows and per-statement execution. Target: within 1.3x.

| workload | files | molt migrate | psql floor | ratio |
|---|---|---|---|---|
${rows.map((r) => `| ${r.workload} | ${r.files} | ${cell(r.molt)} | ${cell(r.floor)} | **${r.ratio.toFixed(2)}x** |`).join('\n')}

## PostgreSQL: no-op start with everything applied

The cost every boot pays. Floor: a minimal Node script (\`bench/floor-noop.ts\`) that reads and hashes every
file and selects the history table with \`pg\`. molt: \`molt status\` (reads and checksums every file, reads
the history, runs the drift check, checks the lock). Target: within 1.5x.

| workload | files | molt status | minimal script | ratio |
|---|---|---|---|---|
${rows.map((r) => `| ${r.workload} | ${r.files} | ${cell(r.noop)} | ${cell(r.noopFloor)} | **${r.noopRatio.toFixed(2)}x** |`).join('\n')}

Reproduce: \`npm run bench\` (\`BENCH_ROUNDS=N\` changes the number of rounds). Peer tools, MariaDB and the
fault suite come with later issues.
`;
writeFileSync(join(ROOT, 'BENCHMARKS.md'), md);
process.stdout.write(md);
