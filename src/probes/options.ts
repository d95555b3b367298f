import { parseDuration } from '../config/duration.js';
import { type CommonOptions } from '../migrate/internal.js';
import { MoltError } from '../errors.js';

/** The phases readiness follows; a `molt/lifecycle` Lifecycle fits, and so does any object with a `phase`. */
export type LifecyclePhase = 'starting' | 'ready' | 'draining' | 'stopped';

/** Anything that knows the service's phase; probes read it on every request and never import the lifecycle. */
export interface LifecycleLike {
  readonly phase: LifecyclePhase;
  /** Told which paths are probes, so the drain delay counts only real traffic. */
  probePaths?(paths: Iterable<string>): unknown;
  /** Told each readiness answer, so the drain delay knows something routes by readiness. */
  readinessServed?(ready: boolean): void;
}

/** A database check the service supplies instead of a URL: it resolves when the database answers. */
export interface DatabaseCheck {
  check(): Promise<void>;
}

/** The database probes connect to themselves; without `url` it comes from the usual settings (`DATABASE_URL`, molt.config.json). */
export interface DatabaseTarget {
  url?: string;
}

/** Durations as a number of ms or a string such as `5s`; defaults from operations.md §4A. */
export interface ProbeTimings {
  /** How often the database and schema check runs in the background. */
  checkInterval?: number | string;
  /** How long one check (connect and query) may take before it counts as failed. */
  queryTimeout?: number | string;
  /** Consecutive failed checks that make the instance unready. */
  failuresToUnready?: number;
  /** Consecutive passing checks that make it ready again. */
  successesToReady?: number;
  /** How often the event loop is sampled for lag. */
  lagInterval?: number | string;
  /** Lag at or above which a sample counts as bad. */
  lagThreshold?: number | string;
  /** Consecutive bad samples that fail liveness. */
  lagSamples?: number;
}

/** Where the version endpoint reads the service's version and commit. */
export interface VersionSettings {
  /** The service's package.json; default `package.json` in `cwd`. */
  packageJson?: string;
  /** A file holding the commit; default `COMMIT_SHA` in `cwd`. */
  commitFile?: string;
  /** The environment read for `COMMIT_SHA`, `GIT_COMMIT`, `SOURCE_COMMIT`; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** Paths the probes answer on. */
export interface ProbePaths {
  health: string;
  ready: string;
  version: string;
}

/** Options of `createProbes`; migrations (`dir`, `bundle`), `table` and `cwd` are read as every molt call reads them. */
export interface ProbesOptions extends Omit<CommonOptions, 'signal'> {
  /** The service's lifecycle; without one, the probes keep their own phase (`markReady()`, `markDraining()`). */
  lifecycle?: LifecycleLike;
  /** The database readiness depends on; omitted, readiness checks no database and no schema. */
  database?: DatabaseTarget | DatabaseCheck;
  /** Judge the schema against the migration set (needs a `database` target, not a check); default true. */
  schema?: boolean;
  timings?: ProbeTimings;
  version?: VersionSettings;
  /** Names this instance in `/api/version`; default `<hostname>:<pid>`. */
  instanceId?: string;
  /**
   * With a `database` target, the probes register this process as a live instance of its release (unless the boot
   * `migrate` did already): `{name, commit}`, or `false` to register nothing.
   */
  instance?: false | { name?: string; commit?: string | null };
  paths?: Partial<ProbePaths>;
}

/** The defaults of operations.md §4A. */
export const DEFAULT_TIMINGS = {
  checkIntervalMs: 5_000,
  queryTimeoutMs: 2_000,
  failuresToUnready: 2,
  successesToReady: 1,
  lagIntervalMs: 1_000,
  lagThresholdMs: 5_000,
  lagSamples: 3,
} as const;

/** The default probe paths. */
export const DEFAULT_PATHS: ProbePaths = { health: '/healthz', ready: '/readyz', version: '/api/version' };

/** Timings after defaults and parsing, in ms. */
export type Timings = { -readonly [K in keyof typeof DEFAULT_TIMINGS]: number };

function count(value: number | undefined, fallback: number, setting: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new MoltError('CONFIG_INVALID', `Probe timing ${setting} must be a whole number of at least 1, not ${value}`);
  }
  return value;
}

function duration(value: number | string | undefined, fallback: number, setting: string): number {
  if (value === undefined) return fallback;
  const ms = parseDuration(value, `probe timing ${setting}`);
  if (!(ms > 0))
    throw new MoltError('CONFIG_INVALID', `Probe timing ${setting} must be longer than 0, not "${value}"`, {
      hint: 'Use a duration such as 500ms or 5s',
    });
  return ms;
}

/** Applies defaults to the timings and checks them. */
export function resolveTimings(t: ProbeTimings = {}): Timings {
  const d = DEFAULT_TIMINGS;
  return {
    checkIntervalMs: duration(t.checkInterval, d.checkIntervalMs, 'checkInterval'),
    queryTimeoutMs: duration(t.queryTimeout, d.queryTimeoutMs, 'queryTimeout'),
    failuresToUnready: count(t.failuresToUnready, d.failuresToUnready, 'failuresToUnready'),
    successesToReady: count(t.successesToReady, d.successesToReady, 'successesToReady'),
    lagIntervalMs: duration(t.lagInterval, d.lagIntervalMs, 'lagInterval'),
    lagThresholdMs: duration(t.lagThreshold, d.lagThresholdMs, 'lagThreshold'),
    lagSamples: count(t.lagSamples, d.lagSamples, 'lagSamples'),
  };
}
