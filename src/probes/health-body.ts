import type { DatabaseState } from './database-monitor.js';
import { type Compatibility } from '../migrate/internal.js';
import type { LifecyclePhase, Timings } from './options.js';

/** A health status as the health+json draft (draft-inadarei-api-health-check-06) spells it. */
export type HealthStatus = 'pass' | 'warn' | 'fail';

/** One reading inside `checks`. */
export interface HealthCheck {
  componentType?: 'component' | 'datastore' | 'system';
  status: HealthStatus;
  observedValue?: unknown;
  observedUnit?: string;
  time?: string;
  output?: string;
}

/** A health+json body. */
export interface HealthBody {
  status: HealthStatus;
  version?: string;
  releaseId?: string;
  notes?: string[];
  output?: string;
  checks?: Record<string, HealthCheck[]>;
}

/** What readiness is judged from. */
export interface ReadinessInput {
  phase: LifecyclePhase;
  /** Null when probes watch no database. */
  database: Readonly<DatabaseState> | null;
  /** False when the schema is not judged. */
  schema: boolean;
  timings: Timings;
  appVersion: string | null;
  major: number | null;
}

const RANK: Record<HealthStatus, number> = { pass: 0, warn: 1, fail: 2 };
const worst = (statuses: HealthStatus[]): HealthStatus =>
  statuses.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'pass');

function phaseCheck(phase: LifecyclePhase): HealthCheck {
  const why: Record<LifecyclePhase, string | null> = {
    starting: 'Startup has not finished',
    ready: null,
    draining: 'The instance is draining before it stops',
    stopped: 'The instance has stopped',
  };
  const output = why[phase];
  return {
    componentType: 'component',
    status: output ? 'fail' : 'pass',
    observedValue: phase,
    ...(output ? { output } : {}),
  };
}

function databaseCheck(db: Readonly<DatabaseState>, t: Timings): HealthCheck {
  const base = {
    componentType: 'datastore' as const,
    observedValue: db.latencyMs,
    observedUnit: 'ms',
    ...(db.checkedAt ? { time: db.checkedAt } : {}),
  };
  if (db.checkedAt === null) return { ...base, status: 'fail', output: 'The first database check has not finished' };
  if (!db.up) {
    const output = db.error
      ? `The database check failed ${db.consecutiveFailures} time(s) in a row: ${db.error}`
      : `The database answered ${db.consecutiveSuccesses} time(s) in a row; ready after ${t.successesToReady}`;
    return { ...base, status: 'fail', output };
  }
  if (db.error) {
    return {
      ...base,
      status: 'warn',
      output: `The database check failed ${db.consecutiveFailures} time(s) in a row (unready after ${t.failuresToUnready}): ${db.error}`,
    };
  }
  return { ...base, status: 'pass' };
}

function schemaCheck(c: Compatibility | null, at: string | null): HealthCheck {
  if (!c) return { componentType: 'datastore', status: 'fail', output: 'The schema has not been read yet' };
  const { compatible, reason, ...observedValue } = c;
  const status: HealthStatus = !compatible ? 'fail' : c.unknownExpand.length > 0 ? 'warn' : 'pass';
  return {
    componentType: 'datastore',
    status,
    observedValue,
    ...(at ? { time: at } : {}),
    ...(reason ? { output: reason } : {}),
  };
}

/** The `/readyz` body: lifecycle phase, database connection and schema compatibility, the worst of them on top. */
export function readinessBody(input: ReadinessInput): HealthBody {
  const checks: Record<string, HealthCheck[]> = {};
  if (input.database) {
    checks['database:connection'] = [databaseCheck(input.database, input.timings)];
    if (input.schema)
      checks['migrations:compatibility'] = [schemaCheck(input.database.compatibility, input.database.compatibilityAt)];
  }
  checks['lifecycle:phase'] = [phaseCheck(input.phase)];
  const all = Object.values(checks).flat();
  const status = worst(all.map((c) => c.status));
  const notes = all.filter((c) => c.status === 'warn' && c.output).map((c) => c.output!);
  const failed = all.find((c) => c.status === 'fail');
  return {
    status,
    ...(input.major !== null ? { version: String(input.major) } : {}),
    ...(input.appVersion ? { releaseId: input.appVersion } : {}),
    ...(notes.length > 0 ? { notes } : {}),
    ...(failed?.output ? { output: failed.output } : {}),
    checks,
  };
}

/** The `/healthz` body: pass, or fail with the reason the process is wedged. */
export function livenessBody(failure: string | null): HealthBody {
  return failure ? { status: 'fail', output: failure } : { status: 'pass' };
}
