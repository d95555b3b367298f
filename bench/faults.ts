// `npm run faults`: kills `molt migrate` at random moments on each database and checks that the next run leaves
// history, schema and data as a clean run does; then the bounded fuzz (bench/fuzz.ts) of migration files, URLs and
// archives. FAULT_TRIALS (default 100 per database), FAULT_DBS (default sqlite,postgres,mysql), FAULT_SEED (default 7),
// FAULT_KEEP=1 keeps the databases of bad trials; FUZZ_FILES (100 per database), FUZZ_URLS (40 per server) and
// FUZZ_ARCHIVES (100) size the fuzz, 0 leaves a family out.
// Progress goes to stderr; the JSON to bench/results/faults.json; the markdown table to stdout. A run over all three
// databases also rewrites the fault suite's section of BENCHMARKS.md, which `npm run bench` keeps as it finds it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../test/helpers/cli.js';
import { mysqlAdmin, pgAdmin } from '../test/helpers/databases.js';
import { runDatabase, type Summary } from './faults-suite.js';
import { FAULT_TARGETS } from './faults-targets.js';
import type { TrialResult } from './faults-trial.js';
import { runFuzz, type FuzzSummary } from './fuzz.js';

const TRIALS = Number(process.env.FAULT_TRIALS ?? 100);
const SEED = Number(process.env.FAULT_SEED ?? 7);
const wanted = (process.env.FAULT_DBS ?? 'sqlite,postgres,mysql').split(',').map((s) => s.trim());
const targets = FAULT_TARGETS.filter((t) => wanted.includes(t.kind));
if (targets.length === 0 || !Number.isInteger(TRIALS) || TRIALS < 1) {
  process.stderr.write(
    'faults: FAULT_DBS takes sqlite, postgres, mysql (comma-separated); FAULT_TRIALS a positive integer\n',
  );
  process.exit(2);
}

const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

/** The table BENCHMARKS.md carries. */
function table(rows: Summary[]): string {
  const head =
    '| database | trials | SIGKILL | server-side kill | landed mid-migration | failures | inconsistencies | median recovery time | run finished first | in doubt (repair asked) |';
  const lines = rows.map((s) => {
    const rec = s.recoveryMs
      ? `${fmt(s.recoveryMs.median)} [${fmt(s.recoveryMs.min)}–${fmt(s.recoveryMs.max)}]`
      : 'n/a';
    return `| ${s.database} | ${s.trials} | ${s.sigkill} | ${s.server || 'n/a (no server)'} | ${s.landedMidMigration} | **${s.failures}** | **${s.inconsistencies}** | ${rec} | ${s.noKill} | ${s.inDoubt} |`;
  });
  return [head, '|---|---|---|---|---|---|---|---|---|---|', ...lines].join('\n');
}

/** The fuzz table BENCHMARKS.md carries. */
function fuzzTable(f: FuzzSummary): string {
  const count = (kind: string): number => f.findings.filter((x) => x.kind === kind).length;
  const rows = f.cases.map((c) => `| ${c.family} | ${c.database} | ${c.count} |`);
  return [
    '| family | database | cases |',
    '|---|---|---|',
    ...rows,
    '',
    `Findings: **${count('exit')}** exits outside the documented table, **${count('history')}** histories that disagree with the schema, **${count('secret')}** secrets in an output or file, **${count('outside')}** writes outside the restore targets (or hostile archives accepted); wall time ${fmt(f.wallMs)}.`,
  ].join('\n');
}

/** BENCHMARKS.md's fault suite section: the method, the table of this run, and what the suite has found so far. */
function section(rows: Summary[], wallMs: number, fuzz: FuzzSummary): string {
  return `## Fault suite

\`npm run faults\` (\`FAULT_TRIALS\`, default 100 per database; \`FAULT_SEED\`, default 7). Each trial is a fresh database and a 20-file set
that mixes DDL and data with slow statements of 100–200 ms, transaction-off and file-managed transactions, \`DELIMITER\` and
\`LOCK TABLES\` files on MariaDB, and a table rebuild on SQLite. \`molt migrate\` is killed at a random moment between 3 % and 90 % of
a clean run's median time. Odd trials use SIGKILL on the process. Even trials on the servers end its connection from the server side
(\`pg_terminate_backend\`, \`KILL CONNECTION\`). The recovery is the next \`molt migrate\`. After it, \`status\` must show everything
applied, nothing partial and the lock free. The schema dump and per-table counts and sums must equal a clean run's, and the history
must hold one success row per file. "In doubt" means molt asked for \`molt repair\`, because a statement that commits by itself
(\`CREATE INDEX CONCURRENTLY\`, MariaDB DDL, a statement inside a \`LOCK TABLES\` region) may or may not have taken effect when its connection died: history and schema still agree
(the file is recorded as unfinished), which is its documented answer, not a failure. "Run finished first" counts the kills that came
after \`molt migrate\` had already exited.

${table(rows)}

${TRIALS} trials per database, seed ${SEED}, wall time ${fmt(wallMs)} (run of ${new Date().toISOString().slice(0, 10)}; every trial in
\`bench/results/faults.json\`). The runs of this suite have found six bugs, all fixed since:
- 6 inconsistencies on PostgreSQL: a statement outside a transaction that the server finished after its client died ran again on resume.
- 1 inconsistency and 2 failures on MariaDB: a data statement ran again after \`KILL CONNECTION\`, and a kill inside molt's own table
  setup blocked every later run.
- A misleading error when the server ended the connection.
- 1 inconsistency on MariaDB in a later run: \`KILL CONNECTION\` landed inside a \`LOCK TABLES\` region after its INSERT had
  committed, and the recovery ran the region again from its start, inserting the rows twice.
- 1 failure on MariaDB (trial 80 of the run before this one): a server-side kill came as the first migration's \`CREATE TABLE\`
  committed on its own, and the new check for a database with tables but no history took the in-flight table for a foreign schema
  (exit 9 on every recovery). An interrupted attempt now counts as history: the recovery asks for \`molt repair\`, as for any
  statement in doubt, and \`test/faults.test.ts\` pins it.

The fixes: a statement and its progress row now commit together wherever they can share a transaction; molt's own migrations are
idempotent where DDL commits by itself; the unlock of a dead connection no longer hides the real error; a \`LOCK TABLES\` region is
marked in flight in the history before it starts, so an attempt that stops inside it is in doubt (\`molt repair\`), never run
again. \`test/faults.test.ts\` runs a short seeded form in CI and pins the first two regressions; \`test/mysql-lock-regions.test.ts\`
pins the last.

### Fuzz

The same run then fuzzes what molt reads from outside (\`bench/fuzz.ts\`, seed ${SEED}). **Migration files**: one to three files per
case, each a marker \`CREATE TABLE\` between a header of comment and directive lines (every spelling, CR, CRLF and LF endings, a BOM)
and a trailer of random bytes, NULs, comment, quote and dollar-quote openers, \`BEGIN\`, \`LOCK TABLES\`, \`DELIMITER\`; migrated twice.
The history must agree with the schema: a marker table exists exactly when its file is recorded as applied (or as having applied its
first statement). **URLs**: a password around a random token, with \`@ # : / ? & % = + ! $ ' " ; \\\\ [ ]\` and spaces, raw or
percent-encoded, in the user info or as \`password=\`; \`status\`, \`verify\`, \`migrate --dry-run\` (text and JSON) and every fourth
time a backup, whose archive is searched too. **Archives**: a real backup repacked with one defect (\`..\` and absolute paths, links out
of the target, hard links, devices, FIFOs, a manifest sending a data directory elsewhere, wrong hashes, unlisted, missing and
duplicate entries, a header larger than its body, truncation, a flipped byte), restored with \`--yes\` into a sandbox whose
surroundings are hashed before and after. Every exit must be in the README's table.

${fuzzTable(fuzz)}

The fuzz found two holes, fixed before this run: a password starting with \`?\` turned into an "unknown parameter" named in the
error (an unencoded \`/\`, \`?\` or \`#\` in a password is now refused without echoing it), and a repacked archive whose first
entry was not \`about.json\` was restored although \`backup list\` cannot read it (now refused by \`verify\` and \`restore\`).
`;
}

const started = performance.now();
const summaries: Summary[] = [];
const trials: TrialResult[] = [];
const references: Record<string, unknown> = {};
for (const target of targets) {
  const run = await runDatabase(target, {
    trials: TRIALS,
    seed: SEED,
    referenceRuns: 3,
    keepBad: process.env.FAULT_KEEP === '1',
    log: (line) => process.stderr.write(`faults: ${line}\n`),
  });
  summaries.push(run.summary);
  trials.push(...run.trials);
  references[target.label] = {
    files: run.reference.files.length,
    runMs: run.reference.runMs,
    expectedMs: run.reference.expectedMs,
  };
  process.stderr.write(`faults: ${target.label} done in ${fmt(run.summary.wallMs)}\n`);
}
const n = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const fuzz = await runFuzz({
  seed: SEED,
  files: n('FUZZ_FILES', 100),
  urls: n('FUZZ_URLS', 40),
  archives: n('FUZZ_ARCHIVES', 100),
  kinds: targets.map((t) => t.kind),
  log: (line) => process.stderr.write(`faults: ${line}\n`),
});
for (const f of fuzz.findings)
  process.stderr.write(`faults: fuzz ${f.kind} ${f.id}: ${f.detail}${f.dir ? ` (${f.dir})` : ''}\n`);
const wallMs = Math.round(performance.now() - started);

const pgVersion =
  (await pgAdmin<{ server_version: string }>('SHOW server_version').catch(() => []))[0]?.server_version ?? '?';
const mariadbVersion = (await mysqlAdmin<{ v: string }>('SELECT VERSION() AS v').catch(() => []))[0]?.v ?? '?';
const results = {
  generated: new Date().toISOString(),
  machine: {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres: pgVersion,
    mariadb: mariadbVersion,
  },
  trialsPerDatabase: TRIALS,
  seed: SEED,
  wallMs,
  summaries,
  references,
  trials,
  fuzz,
};
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'faults.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(
  `${table(summaries)}\n\n${fuzzTable(fuzz)}\n\n${TRIALS} trials per database, seed ${SEED}, wall time ${fmt(wallMs)}; details in bench/results/faults.json\n`,
);
if (targets.length === FAULT_TARGETS.length) {
  const path = join(ROOT, 'BENCHMARKS.md');
  const previous = readFileSync(path, 'utf8');
  const head = previous.includes('\n## Fault suite')
    ? previous.slice(0, previous.indexOf('\n## Fault suite'))
    : previous.trimEnd();
  writeFileSync(path, `${head}\n${section(summaries, wallMs, fuzz)}`);
}
const bad = summaries.reduce((count, s) => count + s.failures + s.inconsistencies, 0) + fuzz.findings.length;
process.exitCode = bad > 0 ? 1 : 0;
