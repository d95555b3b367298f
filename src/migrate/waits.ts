import type { LiveInstance } from './instances-table.js';
import { survives } from './knowledge.js';

/** An instance a contract migration waits for, as reports name it. */
export type InstanceRef = Pick<
  LiveInstance,
  'id' | 'name' | 'host' | 'pid' | 'appVersion' | 'state' | 'heartbeatAgeMs'
>;

/** The live instances that would break if `m` ran now: not stale, and of a release that does not know it. */
export function blockersOf(m: { id: string; phase: string }, live: readonly LiveInstance[]): InstanceRef[] {
  return live
    .filter((i) => !i.stale && !survives(i.knows, m))
    .map(({ id, name, host, pid, appVersion, state, heartbeatAgeMs }) => ({
      id,
      name,
      host,
      pid,
      appVersion,
      state,
      heartbeatAgeMs,
    }));
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The line that says what a contract migration waits for, grouped by release:
 * `0009_drop_legacy waits: 2 instances on 1.2.0: web-1 pid 4312 (heartbeat 3 s ago), web-2 pid 4313 (heartbeat 1 s ago)`.
 */
export function waitLine(id: string, blockers: readonly InstanceRef[]): string {
  const byVersion = new Map<string, InstanceRef[]>();
  for (const b of blockers) {
    const version = b.appVersion ?? 'an unknown version';
    byVersion.set(version, [...(byVersion.get(version) ?? []), b]);
  }
  const groups = [...byVersion].map(
    ([version, list]) =>
      `${plural(list.length, 'instance')} on ${version}: ${list
        .map(
          (b) =>
            `${b.name} pid ${b.pid} (heartbeat ${Math.round(b.heartbeatAgeMs / 1000)} s ago${b.state === 'draining' ? ', draining' : ''})`,
        )
        .join(', ')}`,
  );
  return `${id} waits: ${groups.join('; ')}`;
}
