import { MoltError } from '../errors.js';
import type { Capabilities, DialectSql } from '../drivers/types.js';
import { splitScript, transactionRole, type Statement } from '../sql/index.js';
import { statementHashOf } from './checksum.js';
import type { Migration } from './migration.js';

/**
 * How a migration runs:
 * - `transaction`: all statements and the history row in one transaction;
 * - `statements`: one by one outside a transaction, progress recorded after each;
 * - `as-written`: the file manages its own transactions; run one by one, progress recorded outside them.
 */
export type ExecutionMode = 'transaction' | 'statements' | 'as-written';

/**
 * How one statement runs and is recorded, when a migration runs statement by statement:
 * - `together`: it can share a transaction with the row that records it, so both commit or neither does;
 * - `alone`: it commits by itself (DDL where DDL is not transactional, `CREATE INDEX CONCURRENTLY`), its row after it;
 * - `opens`: it opens the file's own transaction or lock region (`lockRegion`), where molt writes nothing;
 * - `inside`: it runs inside that transaction or region;
 * - `closes`: it ends the transaction or region, and its row goes with it.
 */
export interface Step {
  kind: 'together' | 'alone' | 'opens' | 'inside' | 'closes';
  /** The region is a lock region (LOCK TABLES), whose statements commit one by one; its start is marked in flight. */
  lockRegion?: true;
}

/** A migration split into statements, with the mode it runs in. */
export interface ExecutionPlan {
  mode: ExecutionMode;
  statements: Statement[];
  /** How each statement runs and is recorded, in `statements` order. */
  steps: readonly Step[];
  /** The SQL to send at once in `transaction` mode: the file as written, or its kept statements. */
  text: string;
  /** Why this mode, for `--dry-run` and reports. */
  reason: string;
  /** The hash of every statement, in order: recorded when it runs, compared before a resume. */
  hashes: readonly string[];
}

/** Decides how a migration runs; a file mixing statements that cannot share a transaction is an error naming the statement. */
export function planExecution(m: Migration, sql: DialectSql, caps: Capabilities): ExecutionPlan {
  const { statements, unclosed } = splitScript(m.sql, sql);
  // Whatever molt sends after such a file (its history row) would be swallowed by it: the migration and its
  // record must never come apart, so the file is refused before anything runs.
  if (unclosed) {
    throw new MoltError(
      'MIGRATION_FILE_INVALID',
      `${m.source}:${unclosed.line}: ${unclosed.what} opens here and is never closed`,
      {
        hint: `Close the ${unclosed.what} (or remove it); ${sql.name} would read the rest of the file as part of it`,
        details: { file: m.source, line: unclosed.line },
      },
    );
  }
  const plan = executionMode(m, sql, caps, statements);
  return {
    ...plan,
    steps: stepsOf(plan.statements, plan.mode, sql),
    hashes: plan.statements.map((s) => statementHashOf(s.text)),
  };
}

/** Each statement's step: what it does to the file's own transaction, and whether it can commit with its row. */
function stepsOf(statements: readonly Statement[], mode: ExecutionMode, sql: DialectSql): Step[] {
  let inside = false;
  return statements.map((s) => {
    const written = transactionRole(s, sql);
    // Only a file that runs as written manages its own transactions; elsewhere BEGIN/COMMIT were folded or refused.
    const role = mode === 'as-written' ? written : 'plain';
    if (role === 'end') {
      inside = false;
      return { kind: 'closes' };
    }
    if (role === 'begin') {
      inside = true;
      return sql.lockRegion.begin.some((re) => re.test(s.head))
        ? { kind: 'opens', lockRegion: true }
        : { kind: 'opens' };
    }
    if (inside) return { kind: 'inside' };
    const together = written === 'plain' && sql.sharesTransaction.some((re) => re.test(s.head));
    return { kind: together ? 'together' : 'alone' };
  });
}

/** How a migration runs, without hashing its statements: enough for a reader of files such as lint. */
export function executionMode(
  m: Migration,
  sql: DialectSql,
  caps: Capabilities,
  all: Statement[],
): Omit<ExecutionPlan, 'hashes' | 'steps'> {
  const roles = all.map((s) => transactionRole(s, sql));
  const ownsTransaction = roles.some((r) => r === 'begin' || r === 'end');
  if (m.transaction === 'off')
    return { mode: 'statements', statements: all, text: m.sql, reason: 'the file says molt:transaction off' };
  if (ownsTransaction) {
    if (caps.writeLockTransaction) {
      // The whole run is one write transaction here, which already holds the file's statements together.
      const kept = all.filter((_, i) => roles[i] === 'plain');
      return {
        mode: 'transaction',
        statements: kept,
        text: kept.map((s) => s.text).join('\n;\n'),
        reason: "the file's own BEGIN/COMMIT fold into the run's transaction",
      };
    }
    assertClosed(m, all, roles, sql);
    return { mode: 'as-written', statements: all, text: m.sql, reason: 'the file manages its own transaction' };
  }
  const outside = all.filter((_, i) => roles[i] === 'non-transactional');
  if (outside.length > 0 && outside.length === all.length) {
    return {
      mode: 'statements',
      statements: all,
      text: m.sql,
      reason: `${outside[0].head.split(' ').slice(0, 4).join(' ')} cannot run inside a transaction`,
    };
  }
  if (outside.length > 0) {
    const s = outside[0];
    throw new MoltError(
      'MIGRATION_MIXED_TRANSACTION',
      `${m.source}:${s.line}: "${s.text.split('\n')[0].slice(0, 80)}" cannot run inside a transaction, but the file also holds statements that should`,
      {
        hint: 'Move it into a migration of its own, or add `-- molt:transaction off` at the top so that every statement runs on its own',
        details: { file: m.source, line: s.line },
      },
    );
  }
  if (!caps.transactionalDdl)
    return {
      mode: 'statements',
      statements: all,
      text: m.sql,
      reason: `${sql.name} commits DDL statement by statement`,
    };
  return { mode: 'transaction', statements: all, text: m.sql, reason: 'one transaction' };
}

/** A file that runs as written must close what it opens: a transaction or lock region left open would hold the history row. */
function assertClosed(m: Migration, all: Statement[], roles: string[], sql: DialectSql): void {
  let open: Statement | null = null;
  roles.forEach((role, i) => {
    if (role === 'begin') open = all[i];
    else if (role === 'end') open = null;
  });
  if (!open) return;
  const s: Statement = open;
  const region = sql.lockRegion.begin.some((re) => re.test(s.head));
  throw new MoltError(
    'MIGRATION_FILE_INVALID',
    `${m.source}:${s.line}: "${s.text.split('\n')[0].slice(0, 80)}" opens ${region ? 'a lock region' : 'a transaction'} that the file never closes`,
    {
      hint: region
        ? 'End the file with UNLOCK TABLES'
        : 'End the file with COMMIT (or remove its BEGIN: molt wraps a file in a transaction by itself)',
      details: { file: m.source, line: s.line },
    },
  );
}

/** Plans each migration once per run; the drift check and the runner share the plans. */
export function planner(sql: DialectSql, caps: Capabilities): (m: Migration) => ExecutionPlan {
  const plans = new Map<string, ExecutionPlan>();
  return (m) => {
    let plan = plans.get(m.id);
    if (!plan) plans.set(m.id, (plan = planExecution(m, sql, caps)));
    return plan;
  };
}
