import type { IncomingMessage, ServerResponse } from 'node:http';
import { judgeCompatibility, loadMigrations, newestVersion, type Migration } from '../migrate/internal.js';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { resolveConfig } from '../config/config.js';
import { parseDatabaseUrl, redactUrl } from '../config/url.js';
import { MoltError, messageOf } from '../errors.js';
import { resolveAppVersion, toLogger, type Logger } from '../runtime/index.js';
import { DatabaseMonitor } from './database-monitor.js';
import { checkProbe, sessionProbe, type DatabaseProbe } from './database-probe.js';
import { livenessBody, readinessBody, type HealthBody } from './health-body.js';
import { LagWatchdog } from './lag-watchdog.js';
import { DEFAULT_PATHS, resolveTimings, type LifecyclePhase, type ProbePaths, type ProbesOptions } from './options.js';
import { resolveCommit, semverParts, type CommitInfo } from './version-info.js';
import type { LifecycleLike } from '../releases/index.js';

/** Which endpoint a request is for. */
export type ProbeKind = 'health' | 'ready' | 'version';

/** A response as data, so every framework adapter sends the same bytes. */
export interface ProbeResponse {
  status: number;
  headers: Record<string, string>;
  /** Empty for HEAD; `Content-Length` still gives the GET body's length. */
  body: string;
}

/** The `/api/version` body. */
export interface VersionBody {
  version: string | null;
  commit: string | null;
  major: number | null;
  minor: number | null;
  patch: number | null;
  /** Newest applied and newest required migration versions, and the newest this binary knows. */
  schema: { applied: string | null; required: string | null; maxKnown: string | null };
  startedAt: string;
  instanceId: string;
}

/** Health, readiness and version probes for one service instance. */
export interface Probes {
  readonly paths: ProbePaths;
  /** The phase readiness follows: the lifecycle's, or the probes' own. */
  readonly phase: LifecyclePhase;
  /** Answers a request for one of the three paths and returns true; returns false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Answers `/healthz`. */
  healthz(req: IncomingMessage, res: ServerResponse): void;
  /** Answers `/readyz`. */
  readyz(req: IncomingMessage, res: ServerResponse): void;
  /** Answers `/api/version`. */
  version(req: IncomingMessage, res: ServerResponse): void;
  /** Which probe a request path (query string allowed) is for; null for other paths. */
  kindOf(url: string): ProbeKind | null;
  /** The response for a probe and an HTTP method, for adapters that send responses themselves. */
  respond(kind: ProbeKind, method: string): Promise<ProbeResponse>;
  /** The current liveness verdict. */
  liveness(): HealthBody;
  /** The current readiness verdict, from cached checks. */
  readiness(): HealthBody;
  /** What `/api/version` reports. */
  versionInfo(): Promise<VersionBody>;
  /** Marks startup finished when no lifecycle was given. */
  markReady(): void;
  /** Marks the instance draining when no lifecycle was given. */
  markDraining(): void;
  /** Fails liveness from now on, so the orchestrator restarts a process that knows it is wedged. */
  markBroken(reason: string): void;
  /** Stops the background checks and closes the probes' database connection. */
  close(): Promise<void>;
}

const HEALTH_JSON = 'application/health+json';
const ALLOWED = 'GET, HEAD';

function databaseProbe(
  options: ProbesOptions,
  cwd: string,
): { probe: DatabaseProbe | null; migrations: Migration[] | null } {
  const target = options.database;
  if (!target) return { probe: null, migrations: null };
  if ('check' in target) {
    if (options.schema === true) {
      throw new MoltError('CONFIG_INVALID', 'Probes cannot judge the schema through a database check function', {
        hint: 'Give `database: { url }` so the probes read the history themselves, or leave `schema` unset',
      });
    }
    return { probe: checkProbe(() => target.check()), migrations: null };
  }
  const config = resolveConfig({ ...options, db: target.url ?? options.db }, { cwd });
  parseDatabaseUrl(config.db);
  const migrations =
    options.schema === false ? null : loadMigrations(options.bundle ? { bundle: options.bundle } : { dir: config.dir });
  return { probe: sessionProbe(config, migrations), migrations };
}

/**
 * Registers the process as a live instance, or joins the one its boot registered; it loads only when used. A failure
 * is logged, never thrown: readiness does not depend on the registration.
 */
async function joinAsInstance(
  options: ProbesOptions,
  url: string | undefined,
  phase: () => LifecyclePhase,
  log: Logger,
): Promise<{ instance: { leave(): Promise<void> }; created: boolean } | null> {
  try {
    const { joinInstance } = await import('../releases/index.js');
    const life = options.lifecycle as Partial<LifecycleLike> | undefined;
    return await joinInstance({
      db: url ?? options.db,
      dir: options.dir,
      bundle: options.bundle,
      table: options.table,
      cwd: options.cwd,
      session: options.session,
      appVersion: options.appVersion,
      logger: options.logger,
      ...(options.instance || {}),
      lifecycle: {
        get phase() {
          return phase();
        },
        onDraining: life?.onDraining?.bind(life),
        onClose: life?.onClose?.bind(life),
      },
    });
  } catch (error) {
    log.warn(`could not register this instance: ${messageOf(error)}`);
    return null;
  }
}

function response(status: number, type: string, body: unknown, head: boolean): ProbeResponse {
  const text = redactUrl(JSON.stringify(body));
  return {
    status,
    headers: { 'Content-Type': type, 'Cache-Control': 'no-store', 'Content-Length': String(Buffer.byteLength(text)) },
    body: head ? '' : text,
  };
}

/**
 * Creates the probes and starts their background work: the database and schema check (never
 * per request, so a probe storm does not reach the database) and the event-loop lag watchdog.
 * @example
 * const probes = createProbes({ lifecycle: life, database: {}, dir: './migrations' });
 * const server = createServer((req, res) => probes.handle(req, res) || res.end('hello\n'));
 */
export function createProbes(options: ProbesOptions = {}): Probes {
  const cwd = resolve(options.cwd ?? process.cwd());
  const timings = resolveTimings(options.timings);
  const log = toLogger(options.logger);
  const paths: ProbePaths = { ...DEFAULT_PATHS, ...options.paths };
  const { probe, migrations } = databaseProbe(options, cwd);

  const settings = options.version ?? {};
  const appVersion = resolveAppVersion({ appVersion: options.appVersion, cwd, packageJson: settings.packageJson });
  const parts = semverParts(appVersion);
  const commit: Promise<CommitInfo> = resolveCommit(
    cwd,
    resolve(cwd, settings.commitFile ?? 'COMMIT_SHA'),
    settings.env ?? process.env,
  );
  const startedAt = new Date(performance.timeOrigin).toISOString();
  const instanceId = options.instanceId ?? `${hostname()}:${process.pid}`;
  const required = migrations ? judgeCompatibility(migrations, []).required : null;
  const maxKnown = migrations ? newestVersion(migrations) : null;

  const monitor = probe ? new DatabaseMonitor(probe, timings, log) : null;
  const phaseOf = (): LifecyclePhase => options.lifecycle?.phase ?? ownPhase;
  const joining =
    probe && migrations && options.database && !('check' in options.database) && options.instance !== false
      ? joinAsInstance(options, options.database.url, phaseOf, log)
      : null;
  const watchdog = new LagWatchdog(timings);
  let ownPhase: LifecyclePhase = 'starting';
  let broken: string | null = null;

  const ownPhaseOnly = (call: string): void => {
    if (options.lifecycle) {
      throw new MoltError('USAGE', `probes.${call}() was called, but the probes follow a lifecycle`, {
        hint: `Call the lifecycle's own method instead`,
      });
    }
  };

  const probes: Probes = {
    paths,
    get phase() {
      return options.lifecycle?.phase ?? ownPhase;
    },
    liveness: () => livenessBody(broken ?? watchdog.failure),
    readiness: () =>
      readinessBody({
        phase: probes.phase,
        database: monitor?.state ?? null,
        schema: migrations !== null,
        timings,
        appVersion,
        major: parts.major,
      }),
    async versionInfo() {
      const compatibility = monitor?.state.compatibility;
      return {
        version: appVersion,
        commit: (await commit).commit,
        ...parts,
        schema: { applied: compatibility?.applied ?? null, required, maxKnown },
        startedAt,
        instanceId,
      };
    },
    kindOf(url) {
      const path = url.split('?', 1)[0];
      return path === paths.health
        ? 'health'
        : path === paths.ready
          ? 'ready'
          : path === paths.version
            ? 'version'
            : null;
    },
    async respond(kind, method) {
      if (method !== 'GET' && method !== 'HEAD') {
        return {
          status: 405,
          headers: { Allow: ALLOWED, 'Cache-Control': 'no-store', 'Content-Length': '0' },
          body: '',
        };
      }
      const head = method === 'HEAD';
      if (kind === 'version') return response(200, 'application/json', await probes.versionInfo(), head);
      const body = kind === 'health' ? probes.liveness() : probes.readiness();
      if (kind === 'ready') options.lifecycle?.readinessServed?.(body.status !== 'fail');
      return response(body.status === 'fail' ? 503 : 200, HEALTH_JSON, body, head);
    },
    handle(req, res) {
      const kind = probes.kindOf(req.url ?? '/');
      if (!kind) return false;
      send(probes, kind, req, res);
      return true;
    },
    healthz: (req, res) => send(probes, 'health', req, res),
    readyz: (req, res) => send(probes, 'ready', req, res),
    version: (req, res) => send(probes, 'version', req, res),
    markReady() {
      ownPhaseOnly('markReady');
      if (ownPhase === 'starting') ownPhase = 'ready';
    },
    markDraining() {
      ownPhaseOnly('markDraining');
      ownPhase = 'draining';
    },
    markBroken(reason) {
      broken ??= reason;
      log.warn(`liveness: marked broken: ${reason}`);
    },
    async close() {
      watchdog.stop();
      await monitor?.stop();
      // Only an instance the probes registered is theirs to remove; the boot's leaves with its lifecycle.
      const joined = await joining;
      if (joined?.created) await joined.instance.leave();
    },
  };
  options.lifecycle?.probePaths?.(Object.values(paths));
  monitor?.start();
  watchdog.start();
  return probes;
}

function send(probes: Probes, kind: ProbeKind, req: IncomingMessage, res: ServerResponse): void {
  probes.respond(kind, req.method ?? 'GET').then(
    (r) => {
      res.writeHead(r.status, r.headers);
      res.end(r.body);
    },
    () => {
      if (!res.headersSent) res.writeHead(500, { 'Cache-Control': 'no-store' });
      res.end();
    },
  );
}
