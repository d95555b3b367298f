import type { Migration, Phase } from './migration.js';
import { byVersion, idOf, isApplied, splitUnknown } from './vocabulary.js';
import type { HistoryRow } from './history.js';

/** The problem codes of the drift check; stable, documented, and in `status --json`. */
export type ProblemCode =
  | 'checksum_mismatch'
  | 'out_of_order'
  | 'unknown_applied'
  | 'failed'
  | 'applied_statement_changed'
  | 'not_baselined';

/** One reason to refuse: what is wrong and what to do. */
export interface Problem {
  code: ProblemCode;
  version: string;
  name: string;
  message: string;
  hint: string;
}

/** A migration as `status` lists it. */
export interface MigrationRef {
  version: string;
  name: string;
  phase: Phase | string;
}

/** A migration a previous attempt applied in part: the statements before the failed one stayed. */
export interface PartialMigration extends MigrationRef {
  source: string | null;
  /** `failed`: a statement failed; `interrupted`: the process died between or during statements. */
  state: 'failed' | 'interrupted';
  statementsApplied: number;
  statementsTotal: number | null;
  /** 1-based; the statement that failed, or the one that would have run next. */
  failedStatement: number;
  line: number | null;
  error: string | null;
  /** The applied statements are unchanged in the file, so the next `migrate` resumes at `failedStatement`. */
  resumable: boolean;
}

/** What the drift check concluded about a migration set against a history. */
export interface Verdict {
  applied: MigrationRef[];
  pending: Migration[];
  unknown: (MigrationRef & { appVersion: string | null; appliedAt: string | null })[];
  problems: Problem[];
  /** Not problems, but worth a line: compatibility mode, cosmetic edits. */
  warnings: string[];
  /** Applied migrations whose bytes changed only cosmetically (line endings, trailing white space). */
  cosmetic: string[];
  /** Migrations applied in part by an earlier attempt; the resumable ones are also in `pending`. */
  partial: PartialMigration[];
}

/** A migration's statements as planned now, and the hash of each. */
export interface PlannedStatements {
  hashes: readonly string[];
  statements: readonly { line: number }[];
}

/** Options of the drift check. */
export interface JudgeOptions {
  allowOutOfOrder?: boolean;
  /** A migration's statements and their hashes, to check a partial migration before resuming it. */
  planOf?: (m: Migration) => PlannedStatements;
}

const ref = (m: { version: string; name: string; phase: string }): MigrationRef => ({
  version: m.version,
  name: m.name,
  phase: m.phase,
});
const tagOf = (checksum: string): string => checksum.slice(0, checksum.indexOf(':'));

function failedProblem(row: HistoryRow): Problem {
  const id = idOf(row);
  const progress =
    row.statementsTotal != null
      ? `${row.statementsApplied ?? 0} of ${row.statementsTotal} statements applied`
      : 'an unknown part applied';
  const message =
    row.status === 'running'
      ? `Migration ${id} was interrupted: ${progress}`
      : `Migration ${id} failed${row.errorStatement != null ? ` at statement ${row.errorStatement}` : ''}${row.errorLine != null ? ` (line ${row.errorLine})` : ''}: ${row.error ?? 'unknown error'}; ${progress}`;
  return {
    code: 'failed',
    version: row.version,
    name: row.name,
    message,
    hint: 'Inspect the schema and finish or undo the applied statements by hand, then run `molt repair --resolve applied` (finished) or `molt repair --resolve rolled-back` (undone), and migrate again',
  };
}

/** A row still running with a statement named died inside a LOCK TABLES region, whose statements commit one by one. */
function regionProblem(row: HistoryRow): Problem {
  const id = idOf(row);
  const at = row.errorStatement;
  return {
    code: 'failed',
    version: row.version,
    name: row.name,
    message:
      `Migration ${id} stopped inside the LOCK TABLES region that begins at statement ${at}: statement ${at} or one after it ` +
      `was running when an earlier attempt died, and statements there commit one by one, so some may have taken effect already` +
      (row.error ? ` (it stopped on: ${row.error})` : ''),
    hint: `Check which statements of the region from statement ${at} on took effect and finish or undo them by hand, then run \`molt repair --resolve applied\` (finished) or \`molt repair --resolve rolled-back\` (undone), and migrate again`,
  };
}

function partialOf(row: HistoryRow, m: Migration | undefined, resumable: boolean): PartialMigration {
  const applied = row.statementsApplied ?? 0;
  return {
    ...ref(row),
    source: m?.source ?? null,
    state: row.status === 'failed' ? 'failed' : 'interrupted',
    statementsApplied: applied,
    statementsTotal: row.statementsTotal,
    failedStatement: row.errorStatement ?? applied + 1,
    line: row.errorLine,
    error: row.error,
    resumable,
  };
}

/** The first applied statement whose text differs now, or null when all are as they ran. */
function changedStatement(row: HistoryRow, now: PlannedStatements): { index: number; line: number | null } | null {
  const applied = row.statementsApplied ?? 0;
  for (let i = 0; i < applied; i++) {
    if (now.hashes[i] !== row.statementHashes![i]) return { index: i, line: now.statements[i]?.line ?? null };
  }
  return null;
}

function changedProblem(row: HistoryRow, m: Migration, changed: { index: number; line: number | null }): Problem {
  const applied = row.statementsApplied ?? 0;
  const where =
    changed.line != null ? `${m.source}:${changed.line}` : `${m.source} (the file now has fewer statements)`;
  return {
    code: 'applied_statement_changed',
    version: m.version,
    name: m.name,
    message: `Migration ${m.id} is partially applied (${applied} of ${row.statementsTotal ?? '?'} statements), but statement ${changed.index + 1} at ${where} differs from the one that ran, so molt cannot resume it`,
    hint: `Put statements 1 to ${applied} back as they ran (for example with git checkout) and change only statement ${applied + 1} onward; if you fixed the schema by hand instead, record it with \`molt repair --resolve applied\` or \`--resolve rolled-back\``,
  };
}

/**
 * Compares the migration set with the history; pure, so every rule is testable without a database.
 * @example
 * const verdict = judge(loadMigrations({ dir: './migrations' }), rows);
 * for (const p of verdict.problems) console.log(p.code, p.message, p.hint);
 */
export function judge(
  migrations: readonly Migration[],
  rows: readonly HistoryRow[],
  options: JudgeOptions = {},
): Verdict {
  const verdict: Verdict = {
    applied: [],
    pending: [],
    unknown: [],
    problems: [],
    warnings: [],
    cosmetic: [],
    partial: [],
  };
  const resumable = new Set<string>();
  const known = new Map(migrations.map((m) => [m.id, m]));
  const rowById = new Map(rows.map((r) => [idOf(r), r]));
  let newestApplied: { version: string; name: string } | null = null;

  for (const row of [...rows].sort(byVersion)) {
    const id = idOf(row);
    const m = known.get(id);
    if (row.status === 'failed' || row.status === 'running') {
      // Resumable only when every applied statement is known by hash and is still the same in the file.
      // Unless it stopped inside a region marked in flight: running it again could apply statements twice.
      const inRegion = row.status === 'running' && row.errorStatement != null;
      const canCheck = m && row.statementHashes && options.planOf;
      const changed = canCheck ? changedStatement(row, options.planOf!(m)) : null;
      const resume = !inRegion && Boolean(canCheck) && !changed;
      verdict.partial.push(partialOf(row, m, resume));
      if (resume) resumable.add(id);
      else
        verdict.problems.push(
          inRegion ? regionProblem(row) : changed ? changedProblem(row, m!, changed) : failedProblem(row),
        );
      continue;
    }
    if (!isApplied(row)) continue;
    if (!newestApplied || byVersion(row, newestApplied) > 0) newestApplied = row;
    if (!m) {
      verdict.unknown.push({ ...ref(row), appVersion: row.appVersion, appliedAt: row.finishedAt });
      continue;
    }
    verdict.applied.push(ref(m));
    if (!row.checksum) continue;
    const sameAlgorithm = tagOf(row.checksum) === tagOf(m.checksum);
    const matches = sameAlgorithm ? row.checksum === m.checksum : row.rawHash === m.rawHash;
    if (!matches) {
      verdict.problems.push({
        code: 'checksum_mismatch',
        version: m.version,
        name: m.name,
        message: `Migration ${m.id} was edited after it was applied (${m.source}; applied ${row.finishedAt ?? 'earlier'}${row.appVersion ? ` by app ${row.appVersion}` : ''})`,
        hint: 'Put the file back as it was applied (for example with git checkout) and make the change in a new migration; if the database already matches the edited file, run `molt repair` to record it',
      });
    } else if (row.rawHash && row.rawHash !== m.rawHash) {
      verdict.cosmetic.push(m.id);
    }
  }

  for (const m of migrations) {
    const row = rowById.get(m.id);
    if (row && row.status !== 'rolled_back' && !resumable.has(m.id)) continue;
    verdict.pending.push(m);
    if (newestApplied && byVersion(m, newestApplied) < 0 && !options.allowOutOfOrder) {
      verdict.problems.push({
        code: 'out_of_order',
        version: m.version,
        name: m.name,
        message: `Migration ${m.id} is pending but older than the newest applied migration ${idOf(newestApplied)}`,
        hint: 'Rename it to a version after the newest applied one, or pass --allow-out-of-order if it does not depend on the later migrations',
      });
    }
  }

  const { contract } = splitUnknown(verdict.unknown);
  for (const u of contract) {
    verdict.problems.push({
      code: 'unknown_applied',
      version: u.version,
      name: u.name,
      message: `The database has contract migration ${idOf(u)}${u.appVersion ? `, applied by app ${u.appVersion}` : ''}${u.appliedAt ? ` on ${u.appliedAt}` : ''}, which this binary does not know`,
      hint: `This binary is older than the database schema. Run app version ${u.appVersion ?? 'that applied it'} or later, or restore the backup taken before that upgrade`,
    });
  }
  if (verdict.unknown.length > 0 && contract.length === 0) {
    verdict.warnings.push(
      `Compatibility mode: the database has ${verdict.unknown.length} expand migration(s) this binary does not know (newest ${verdict.unknown.at(-1)?.version}); they keep older binaries working`,
    );
  }
  if (verdict.cosmetic.length > 0) {
    verdict.warnings.push(
      `Cosmetic changes only (line endings or trailing white space) in ${verdict.cosmetic.join(', ')}; run \`molt repair\` to record the new bytes`,
    );
  }
  return verdict;
}
