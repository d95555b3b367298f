// `npm run faults`: kills `molt migrate` at random moments on each database and checks that the next run leaves
// history, schema and data as a clean run does. FAULT_TRIALS (default 100 per database), FAULT_DBS
// (default sqlite,postgres,mysql), FAULT_SEED (default 7), FAULT_KEEP=1 keeps the databases of bad trials.
// Progress goes to stderr; the JSON to bench/results/faults.json; the markdown table to stdout.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../test/helpers/cli.js';
import { mysqlAdmin, pgAdmin } from '../test/helpers/databases.js';
import { runDatabase, type Summary } from './faults-suite.js';
import { FAULT_TARGETS } from './faults-targets.js';
import type { TrialResult } from './faults-trial.js';

const TRIALS = Number(process.env.FAULT_TRIALS ?? 100);
const SEED = Number(process.env.FAULT_SEED ?? 7);
const wanted = (process.env.FAULT_DBS ?? 'sqlite,postgres,mysql').split(',').map((s) => s.trim());
const targets = FAULT_TARGETS.filter((t) => wanted.includes(t.kind));
if (targets.length === 0 || !Number.isInteger(TRIALS) || TRIALS < 1) {
  process.stderr.write('faults: FAULT_DBS takes sqlite, postgres, mysql (comma-separated); FAULT_TRIALS a positive integer\n');
  process.exit(2);
}

const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

/** The table BENCHMARKS.md carries. */
function table(rows: Summary[]): string {
  const head = '| database | trials | SIGKILL | server-side kill | landed mid-migration | failures | inconsistencies | median recovery time | run finished first | in doubt (repair asked) |';
  const lines = rows.map((s) => {
    const rec = s.recoveryMs ? `${fmt(s.recoveryMs.median)} [${fmt(s.recoveryMs.min)}–${fmt(s.recoveryMs.max)}]` : 'n/a';
    return `| ${s.database} | ${s.trials} | ${s.sigkill} | ${s.server || 'n/a (no server)'} | ${s.landedMidMigration} | **${s.failures}** | **${s.inconsistencies}** | ${rec} | ${s.noKill} | ${s.inDoubt} |`;
  });
  return [head, '|---|---|---|---|---|---|---|---|---|---|', ...lines].join('\n');
}

const started = performance.now();
const summaries: Summary[] = [];
const trials: TrialResult[] = [];
const references: Record<string, unknown> = {};
for (const target of targets) {
  const run = await runDatabase(target, {
    trials: TRIALS, seed: SEED, referenceRuns: 3, keepBad: process.env.FAULT_KEEP === '1',
    log: (line) => process.stderr.write(`faults: ${line}\n`),
  });
  summaries.push(run.summary);
  trials.push(...run.trials);
  references[target.label] = { files: run.reference.files.length, runMs: run.reference.runMs, expectedMs: run.reference.expectedMs };
  process.stderr.write(`faults: ${target.label} done in ${fmt(run.summary.wallMs)}\n`);
}
const wallMs = Math.round(performance.now() - started);

const pgVersion = (await pgAdmin<{ server_version: string }>('SHOW server_version').catch(() => []))[0]?.server_version ?? '?';
const mariadbVersion = (await mysqlAdmin<{ v: string }>('SELECT VERSION() AS v').catch(() => []))[0]?.v ?? '?';
const results = {
  generated: new Date().toISOString(),
  machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, postgres: pgVersion, mariadb: mariadbVersion },
  trialsPerDatabase: TRIALS,
  seed: SEED,
  wallMs,
  summaries,
  references,
  trials,
};
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'faults.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`${table(summaries)}\n\n${TRIALS} trials per database, seed ${SEED}, wall time ${fmt(wallMs)}; details in bench/results/faults.json\n`);
const bad = summaries.reduce((n, s) => n + s.failures + s.inconsistencies, 0);
process.exitCode = bad > 0 ? 1 : 0;
