import { seconds } from './options.js';
import type { DrainReport, LifecycleSettings } from './types.js';

/** The line logged when draining starts: what happens next and when (`max`: the delay's cap for this drain). */
export function startLine(reason: string, settings: LifecycleSettings, max = settings.drainDelayMaxMs): string {
  const min = settings.drainDelayMs;
  const stop =
    max === 0
      ? 'stop accepting now'
      : max === min
        ? `stop accepting in ${seconds(min)}`
        : `stop accepting once readiness pollers saw it and traffic stopped (${seconds(min)} to ${seconds(max)})`;
  return `draining (${reason}): readiness 503 now, ${stop}, grace ${seconds(settings.graceMs)}, close hooks ${seconds(settings.hooksTotalMs)}`;
}

/** The line logged when the drain ends; names the exit code when the drain will exit, and everything that was forced. */
export function endLine(report: DrainReport, exitCode?: number): string {
  const exit = exitCode === undefined ? '' : `, exit ${exitCode}`;
  const forced = forcedParts(report);
  return `drained in ${(report.durationMs / 1000).toFixed(1)} s${exit}${forced.length > 0 ? `; forced: ${forced.join(', ')}` : ''}`;
}

/** What a drain had to force, one phrase each: `1 request cut at the deadline`, `close hook "cache" timed out`. */
export function forcedParts(report: DrainReport): string[] {
  const parts: string[] = [];
  const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  if (report.requests.forced > 0)
    parts.push(`${count(report.requests.forced, 'request', 'requests')} cut at the deadline`);
  if (report.webSockets.terminated > 0)
    parts.push(`${count(report.webSockets.terminated, 'WebSocket', 'WebSockets')} terminated`);
  if (report.sockets.destroyed > 0) parts.push(`${count(report.sockets.destroyed, 'socket', 'sockets')} destroyed`);
  for (const step of report.participants)
    if (step.status !== 'ok') parts.push(`participant "${step.name}" ${describe(step.status)}`);
  for (const step of report.hooks)
    if (step.status !== 'ok') parts.push(`close hook "${step.name}" ${describe(step.status)}`);
  return parts;
}

function describe(status: string): string {
  return status === 'timeout' ? 'timed out' : status;
}
