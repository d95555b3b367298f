import { parseDuration } from '../config/duration.js';
import { MoltError } from '../errors.js';
import { historyOn } from '../migrate/internal.js';
import { openRuntime, openSession, type RuntimeOptions } from '../runtime/index.js';
import { FleetServer, type FleetTimings } from './server.js';
import { FleetStore } from './store.js';

/** Options of `openFleet`. */
export interface OpenFleetOptions extends RuntimeOptions {
  /** The version agents are compared with (default: the service's app version). */
  serverVersion?: string;
  /** Without `serverVersion`, compare agents with the agent build the fleet holds, before the app version. */
  versionFromAgentBuild?: boolean;
  /** Admin names and API tokens (default: `admin` with `MOLT_FLEET_ADMIN_TOKEN`). */
  admins?: Record<string, string>;
  /** The enrolment token agents present once (default `MOLT_FLEET_ENROL_TOKEN`; none: enrolment closed). */
  enrolmentToken?: string | null;
  /** Where the routes live (default `/fleet`). */
  prefix?: string;
  timings?: Partial<FleetTimings>;
  /** False: no evaluator, delivery or presence timers (a read-only console). Default true. */
  start?: boolean;
}

/**
 * Opens the fleet on the service's database with a session of its own, after molt's migrations made its tables, and
 * starts its evaluator. Mount it with `attach(server)`; `close()` it in the drain.
 * @example
 * const fleet = await openFleet({ serverVersion: '2.0.0', admins: { ops: process.env.ADMIN_TOKEN! }, enrolmentToken: process.env.ENROL_TOKEN });
 * fleet.attach(server);
 */
export async function openFleet(options: OpenFleetOptions = {}): Promise<FleetServer> {
  const runtime = await openRuntime(options);
  const admins =
    options.admins ?? (process.env.MOLT_FLEET_ADMIN_TOKEN ? { admin: process.env.MOLT_FLEET_ADMIN_TOKEN } : {});
  for (const [name, token] of Object.entries(admins))
    if (typeof token !== 'string' || token.length < 16)
      throw new MoltError('CONFIG_INVALID', `the admin token of ${name} is shorter than 16 characters`, {
        hint: 'Use a long random token, e.g. `openssl rand -base64 32`',
      });
  if (Object.keys(admins).length === 0)
    runtime.log.warn('fleet: no admin token is set: the API refuses every call (set MOLT_FLEET_ADMIN_TOKEN)');
  const enrolmentToken =
    options.enrolmentToken === undefined ? (process.env.MOLT_FLEET_ENROL_TOKEN ?? null) : options.enrolmentToken;
  const session = await openSession(runtime, { writes: true });
  try {
    const history = await historyOn(runtime, session);
    if (!(await history.isCurrent()))
      throw new MoltError('PENDING', "molt's own tables are not at this version: the fleet's tables are missing", {
        hint: 'Run `molt migrate` (or migrate() at boot) before opening the fleet',
      });
    const store = new FleetStore(session, runtime.driver.sql, history.tables);
    const state = await store.state();
    const serverVersion =
      options.serverVersion ??
      (options.versionFromAgentBuild ? state.artifact?.version : undefined) ??
      runtime.appVersion;
    if (!serverVersion)
      throw new MoltError('CONFIG_INVALID', 'the fleet needs the server version agents are compared with', {
        hint: 'Pass serverVersion, or set MOLT_APP_VERSION, or run from the directory of the package.json',
        details: { missing: 'serverVersion' },
      });
    const fleet = new FleetServer({
      store,
      serverVersion,
      admins,
      enrolmentToken,
      prefix: options.prefix,
      timings: { ...timingsFromEnv(), ...options.timings },
      log: runtime.log,
      onClose: () => session.close(),
    });
    if (options.start !== false) fleet.start();
    return fleet;
  } catch (error) {
    await session.close().catch(() => undefined);
    throw error;
  }
}

/** Timings set in the environment: `MOLT_FLEET_TICK`, `MOLT_FLEET_ACK_WITHIN`, `MOLT_FLEET_CONFIRM_WITHIN` (durations). */
function timingsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<FleetTimings> {
  const timings: Partial<FleetTimings> = {};
  const pick = (name: string, key: keyof FleetTimings): void => {
    const value = env[name];
    if (value !== undefined && value !== '') timings[key] = parseDuration(value, name);
  };
  pick('MOLT_FLEET_TICK', 'tickMs');
  pick('MOLT_FLEET_ACK_WITHIN', 'ackWithinMs');
  pick('MOLT_FLEET_CONFIRM_WITHIN', 'confirmWithinMs');
  return timings;
}
