import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { MoltError } from '../errors.js';
import type { Driver, Session } from '../drivers/types.js';
import type { History, LockHolder } from './history.js';

/** How to wait for the migration lock. */
export interface LockOptions {
  /** Give up after this many ms, counted from `startedAt`. */
  timeoutMs: number;
  /** When the wait began, if before this call (a read that already waited behind another process); default now. */
  startedAt?: number;
  appVersion: string | null;
  moltVersion: string;
  /** Called now and then while another process holds the lock. */
  onWait?: (holder: LockHolder | null, waitedMs: number) => void;
  signal?: AbortSignal;
}

const FIRST_DELAY_MS = 25;
const MAX_DELAY_MS = 1_000;
const REPORT_EVERY_MS = 5_000;

/**
 * Takes the migration lock, polling with backoff and jitter. Polling (never a blocking wait) keeps a
 * `CREATE INDEX CONCURRENTLY` in the holder's migration from waiting on the waiters.
 */
export async function acquireLock(
  driver: Driver,
  session: Session,
  history: History,
  options: LockOptions,
): Promise<() => Promise<void>> {
  const started = options.startedAt ?? Date.now();
  let delay = FIRST_DELAY_MS;
  let lastReport = started;
  while (!(await session.tryLock(history.lockKey))) {
    const waited = Date.now() - started;
    if (waited >= options.timeoutMs) {
      const holder = driver.capabilities.holderRow ? await history.readHolder().catch(() => null) : null;
      const openers = holder ? [] : ((await session.openedBy?.().catch(() => [])) ?? []);
      const who = openers.length > 0 ? ` (the database is open in ${openers.join(', ')})` : describeHolder(holder);
      throw new MoltError(
        'LOCK_TIMEOUT',
        `Gave up waiting for the migration lock after ${Math.round(waited / 100) / 10} s${who}`,
        {
          hint: 'Another molt process is migrating this database. Wait for it to finish, or raise --lock-timeout',
          details: { holder, waitedMs: waited },
        },
      );
    }
    if (options.onWait && Date.now() - lastReport >= REPORT_EVERY_MS) {
      lastReport = Date.now();
      const holder = driver.capabilities.holderRow ? await history.readHolder().catch(() => null) : null;
      options.onWait(holder, waited);
    }
    options.signal?.throwIfAborted();
    await sleep(Math.max(0, Math.min(delay, options.timeoutMs - waited)) * (0.5 + Math.random() / 2));
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  }
  return async () => {
    if (driver.capabilities.holderRow) await history.clearHolder().catch(() => undefined);
    // A connection the server ended has released the lock with it, and the session is closed next anyway:
    // a failing unlock must not replace the error that ended the run.
    await session.unlock(history.lockKey).catch(() => undefined);
  };
}

/** Writes the holder row once molt's tables exist. */
export async function announceHolder(
  driver: Driver,
  history: History,
  options: Pick<LockOptions, 'appVersion' | 'moltVersion'>,
): Promise<void> {
  if (!driver.capabilities.holderRow) return;
  await history.writeHolder({
    host: hostname(),
    pid: process.pid,
    appVersion: options.appVersion,
    moltVersion: options.moltVersion,
    since: new Date().toISOString(),
  });
}

/** The holder row, but only when the lock is really held: a row left by a crashed process means nothing. */
export async function currentHolder(
  driver: Driver,
  session: Session,
  history: History,
): Promise<{ held: boolean; holder: LockHolder | null }> {
  const held = await session.isLocked(history.lockKey);
  if (!held) return { held: false, holder: null };
  return { held, holder: driver.capabilities.holderRow ? await history.readHolder() : null };
}

/** ` (held by host pid 123, app 1.2.0, since ...)` or nothing. */
export function describeHolder(holder: LockHolder | null): string {
  if (!holder) return '';
  return ` (held by ${holder.host} pid ${holder.pid}${holder.appVersion ? `, app ${holder.appVersion}` : ''}, since ${holder.since})`;
}
