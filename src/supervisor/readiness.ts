import { request } from 'node:http';
import { SERVE_GATE_PATH } from '../lifecycle/listen.js';
import type { InstanceProcess } from './instance-process.js';

/** An answer from one instance's private probe socket, or why there was none. */
interface Answer {
  status: number;
  body: string;
}

/** Asks one instance on its private port (or at `host`); resolves an Error instead of throwing. */
export function ask(
  port: number,
  method: string,
  path: string,
  timeoutMs = 2_000,
  host = '127.0.0.1',
): Promise<Answer | Error> {
  return new Promise((resolve) => {
    const req = request({ host, port, method, path, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', resolve);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', resolve);
    req.end();
  });
}

/** What the readiness wait saw last, for the message when it expires. */
export interface ReadyOutcome {
  ok: boolean;
  /** The wait that failed and what it saw: `/readyz answered 503 (...)`, `exited with code 1`. */
  reason: string | null;
  ms: number;
}

const PASSES = 2;
const POLL_MS = 200;

/** What a readiness wait asks, wherever the instance runs: a child of `molt run`, a container. */
export interface ProbeTarget {
  host: string;
  port: number;
  /** What `/api/version` must report. */
  version: string;
  commit: string | null;
  readiness: 'probes' | 'running';
  soakMs: number;
  /** Null while it runs; how it ended once it has (`code 1`, `signal SIGKILL`). */
  gone(): string | null;
}

/** The probe target of a child of `molt run`: its private port. */
export function targetOf(instance: InstanceProcess): ProbeTarget {
  const { release, type } = instance.spec;
  return {
    host: '127.0.0.1',
    port: instance.probePort,
    version: release.version,
    commit: release.commit,
    readiness: type.readiness,
    soakMs: release.soakMs,
    gone: () => (instance.state === 'exited' ? describeExit(instance) : null),
  };
}

/**
 * Waits until the instance's `/readyz` answers 200 twice in a row and its `/api/version` reports the release's version
 * (and commit, when the release names one); for readiness `running`, until it has stayed up for the soak. Fails at
 * the deadline, or at once when the instance exits.
 */
export async function waitReady(target: ProbeTarget, timeoutMs: number): Promise<ReadyOutcome> {
  const started = Date.now();
  let last = 'no answer yet';
  let passes = 0;
  while (Date.now() - started < timeoutMs) {
    const gone = target.gone();
    if (gone) return fail(started, `exited (${gone}) before it was ready`);
    if (target.readiness === 'running') {
      if (Date.now() - started >= Math.min(target.soakMs, timeoutMs))
        return { ok: true, reason: null, ms: Date.now() - started };
    } else {
      const ready = await ask(target.port, 'GET', '/readyz', 2_000, target.host);
      if (ready instanceof Error) {
        last = `/readyz did not answer (${(ready as NodeJS.ErrnoException).code ?? ready.message})`;
        passes = 0;
      } else if (ready.status !== 200) {
        last = `/readyz answered ${ready.status}${failingChecks(ready.body)}`;
        passes = 0;
      } else {
        const version = await versionMatch(target);
        if (version) {
          last = version;
          passes = 0;
        } else if (++passes >= PASSES) {
          return { ok: true, reason: null, ms: Date.now() - started };
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return fail(started, `not ready after ${Math.round(timeoutMs / 1000)} s: ${last}`);
}

/** Tells a serving instance to take the shared socket; null when it did, else why not. */
export async function openGate(instance: InstanceProcess): Promise<string | null> {
  if (!instance.spec.socket) return null;
  const answer = await ask(instance.probePort, 'POST', SERVE_GATE_PATH);
  if (answer instanceof Error) return `it did not answer ${SERVE_GATE_PATH}: ${answer.message}`;
  if (answer.status === 200) return null;
  if (answer.status === 404) {
    return `it answered 404 to ${SERVE_GATE_PATH}: it does not start its server with listen() from moltkit/lifecycle`;
  }
  return `it answered ${answer.status} to ${SERVE_GATE_PATH}: ${answer.body.trim()}`;
}

/**
 * Watches a ready instance for the soak: it must stay up and ready throughout. Null when it did, else what went wrong.
 */
export async function soak(target: ProbeTarget, soakMs: number): Promise<string | null> {
  const until = Date.now() + soakMs;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(0, until - Date.now()))));
    const gone = target.gone();
    if (gone) return `exited (${gone}) during the ${soakMs} ms soak`;
  }
  if (target.readiness === 'running') return null;
  const ready = await ask(target.port, 'GET', '/readyz', 2_000, target.host);
  if (ready instanceof Error) return `/readyz did not answer after the soak: ${ready.message}`;
  return ready.status === 200 ? null : `/readyz answered ${ready.status} after the soak${failingChecks(ready.body)}`;
}

/** Null when `/api/version` reports the release's version and commit, else what it reported. */
async function versionMatch(target: ProbeTarget): Promise<string | null> {
  const answer = await ask(target.port, 'GET', '/api/version', 2_000, target.host);
  if (answer instanceof Error) return `/api/version did not answer (${answer.message})`;
  if (answer.status !== 200) return `/api/version answered ${answer.status}`;
  let body: { version?: unknown; commit?: unknown };
  try {
    body = JSON.parse(answer.body) as typeof body;
  } catch {
    return '/api/version did not answer JSON';
  }
  if (body.version !== target.version) {
    return `/api/version reports version ${String(body.version)}, not ${target.version}`;
  }
  if (target.commit !== null && body.commit !== target.commit) {
    return `/api/version reports commit ${String(body.commit)}, not ${target.commit}`;
  }
  return null;
}

function failingChecks(body: string): string {
  try {
    const parsed = JSON.parse(body) as { checks?: Record<string, { status?: string; output?: string }[]> };
    const failing = Object.entries(parsed.checks ?? {})
      .filter(([, list]) => list.some((c) => c.status === 'fail'))
      .map(([name, list]) => `${name}${list[0]?.output ? `: ${list[0].output}` : ''}`);
    return failing.length ? ` (${failing.join('; ')})` : '';
  } catch {
    return '';
  }
}

function describeExit(instance: InstanceProcess): string {
  const exit = instance.info().exit;
  return exit?.signal ? `signal ${exit.signal}` : `code ${exit?.code ?? '?'}`;
}

function fail(started: number, reason: string): ReadyOutcome {
  return { ok: false, reason, ms: Date.now() - started };
}
