import { MoltError } from '../errors.js';
import { hasInheritedSockets } from './listen.js';
import type { LifecycleOptions, LifecycleSettings } from './types.js';

/** Propagation delay under Kubernetes: endpoints, kube-proxy and ingresses need a few seconds to drop a terminating pod. */
export const DEFAULT_DRAIN_DELAY_MS_KUBERNETES = 5_000;
/** Propagation delay elsewhere when nothing polls readiness: nothing routes around the process, so nothing to wait for. */
export const DEFAULT_DRAIN_DELAY_MS_LOCAL = 0;
/**
 * The longest the delay waits while a readiness poller is seen: until it has been answered 503 and the traffic has
 * stopped. Covers a load balancer polling every 2 s that drops a server after 3 failures (HAProxy's defaults), and
 * with the other defaults the whole budget is 30 s, Kubernetes' grace period.
 */
export const DEFAULT_DRAIN_DELAY_MAX_MS = 9_000;
/** Time in-flight requests, WebSockets and participants get once the listener closes. */
export const DEFAULT_GRACE_MS = 15_000;
/**
 * Minimum idle time before a keep-alive socket is closed (http-terminator PR #48: closing at once resets pooled sockets);
 * never less than the server's own keep-alive timeout plus a second (Node's 5 s default: 6 s).
 */
export const DEFAULT_IDLE_GRACE_MS = 1_000;
/** Time participants get after the deadline's abort to hand back unfinished work. */
export const DEFAULT_ABORT_GRACE_MS = 1_000;
/** Timeout of one close hook. */
export const DEFAULT_HOOK_TIMEOUT_MS = 3_000;
/** Time all close hooks share. */
export const DEFAULT_HOOKS_TOTAL_MS = 5_000;

/** Checks one duration option and returns it; a bad value throws naming the option and the value. */
export function checkDuration(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new MoltError(
      'CONFIG_INVALID',
      `lifecycle option ${option} is ${describe(value)}, not a number of milliseconds`,
      {
        hint: `Set ${option} to a number of milliseconds, 0 or more, such as 15000`,
        details: { option, value: describe(value) },
      },
    );
  }
  return value;
}

/** Fills in the defaults of §4B and validates every value. */
export function resolveSettings(options: LifecycleOptions, env: NodeJS.ProcessEnv = process.env): LifecycleSettings {
  const underKubernetes = Boolean(env.KUBERNETES_SERVICE_HOST);
  // An inherited socket stays open in the supervisor (or systemd) when this process closes its copy: connections
  // queue for the next instance instead of being refused, so there is nothing to wait for.
  const inherited = hasInheritedSockets(env);
  const pick = (option: keyof LifecycleSettings, fallback: number): number =>
    options[option] === undefined ? fallback : checkDuration(option, options[option]);
  const drainDelayMs = pick(
    'drainDelayMs',
    inherited ? 0 : underKubernetes ? DEFAULT_DRAIN_DELAY_MS_KUBERNETES : DEFAULT_DRAIN_DELAY_MS_LOCAL,
  );
  const fixed = options.drainDelayMs !== undefined || inherited;
  return {
    drainDelayMs,
    drainDelayMaxMs: Math.max(drainDelayMs, pick('drainDelayMaxMs', fixed ? drainDelayMs : DEFAULT_DRAIN_DELAY_MAX_MS)),
    graceMs: pick('graceMs', DEFAULT_GRACE_MS),
    idleGraceMs: pick('idleGraceMs', DEFAULT_IDLE_GRACE_MS),
    abortGraceMs: pick('abortGraceMs', DEFAULT_ABORT_GRACE_MS),
    hookTimeoutMs: pick('hookTimeoutMs', DEFAULT_HOOK_TIMEOUT_MS),
    hooksTotalMs: pick('hooksTotalMs', DEFAULT_HOOKS_TOTAL_MS),
    killTimeoutMs:
      options.killTimeoutMs === undefined ? undefined : checkDuration('killTimeoutMs', options.killTimeoutMs),
  };
}

/** The longest a drain can take: delay, grace, the participants' abort grace and the close hooks' total. */
export function budgetMs(settings: LifecycleSettings): number {
  return settings.drainDelayMaxMs + settings.graceMs + settings.abortGraceMs + settings.hooksTotalMs;
}

/** A warning line when the budget does not fit the runtime's kill timeout; undefined when it fits or none is known. */
export function budgetWarning(settings: LifecycleSettings): string | undefined {
  const budget = budgetMs(settings);
  if (settings.killTimeoutMs === undefined || budget <= settings.killTimeoutMs) return undefined;
  return (
    `drain budget ${seconds(budget)} (delay up to ${seconds(settings.drainDelayMaxMs)} + grace ${seconds(settings.graceMs)}` +
    ` + abort ${seconds(settings.abortGraceMs)} + close hooks ${seconds(settings.hooksTotalMs)}) exceeds the kill timeout` +
    ` ${seconds(settings.killTimeoutMs)}: the runtime may kill the process mid-drain; lower graceMs or raise the kill timeout`
  );
}

/** Milliseconds as people read them in log lines: `1.2 s`, `15 s`. */
export function seconds(ms: number): string {
  const value = ms / 1000;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} s`;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}
