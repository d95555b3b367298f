import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openLeases, type Leases } from '../../src/leases/index.js';
import { DATABASES, type TestDatabase } from './databases.js';
import { ROOT, cleanEnv, migrationsDir, molt } from './cli.js';

const WORKER = join(ROOT, 'dist', 'test', 'helpers', 'lease-worker.js');

/** One JSON line a worker process printed. */
export interface WorkerLine {
  event: string;
  t: number;
  pid: number;
  id?: string;
  epoch?: number;
  [field: string]: unknown;
}

/** A running lease-worker.ts process and what it printed so far. */
export interface WorkerProcess {
  child: ChildProcess;
  lines: WorkerLine[];
  stderr(): string;
  /** Resolves with the first line (already printed or still to come) that `match` accepts. */
  waitFor(match: (line: WorkerLine) => boolean, timeoutMs?: number): Promise<WorkerLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: WorkerProcess[] = [];

/** Starts a worker process on `db` with LEASE_* settings (see lease-worker.ts). */
export function startWorker(db: string, settings: Record<string, string | number>): WorkerProcess {
  const env = cleanEnv({
    LEASE_DB: db,
    ...Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)])),
  });
  const child = spawn(process.execPath, [WORKER], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: WorkerLine[] = [];
  const waiters = new Set<() => void>();
  let err = '';
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffer.slice(0, nl)) as WorkerLine);
      buffer = buffer.slice(nl + 1);
    }
    for (const wake of waiters) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
      for (const wake of waiters) wake();
    }),
  );
  const proc: WorkerProcess = {
    child,
    lines,
    stderr: () => err,
    exited,
    waitFor: (match, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const found = lines.find(match);
          if (found) return done(() => resolve(found));
          if (child.exitCode !== null || child.signalCode !== null)
            return done(() =>
              reject(
                new Error(
                  `worker ${child.pid} exited (${child.exitCode ?? child.signalCode}) before the line came; stderr: ${err}`,
                ),
              ),
            );
        };
        const timer = setTimeout(
          () =>
            done(() =>
              reject(
                new Error(
                  `no matching line from worker ${child.pid} in ${timeoutMs} ms; lines: ${JSON.stringify(lines)}; stderr: ${err}`,
                ),
              ),
            ),
          timeoutMs,
        );
        const done = (then: () => void): void => {
          clearTimeout(timer);
          waiters.delete(check);
          then();
        };
        waiters.add(check);
        check();
      }),
  };
  started.push(proc);
  return proc;
}

/** Kills every worker process still alive (a stopped one is continued first so the kill lands). */
export async function killWorkers(): Promise<void> {
  for (const w of started.splice(0)) {
    if (w.child.exitCode !== null || w.child.signalCode !== null) continue;
    w.child.kill('SIGCONT');
    w.child.kill('SIGKILL');
    await w.exited;
  }
}

/** Runs `molt migrate` with no migrations of the service's own: molt's tables (the jobs table too) get created. */
export async function migrateEmpty(db: string): Promise<void> {
  const r = await molt(['migrate', '--db', db, '--dir', migrationsDir({})]);
  assert.equal(r.code, 0, r.stderr);
}

/** Polls `probe` until it returns a value other than undefined. */
export async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** What a `describeLeases` body works on: set in `before`, torn down in `after`. */
export interface LeaseContext {
  kind: string;
  db: TestDatabase;
  leases: Leases;
}

/** One suite per database (`${title} ${kind}`), each on a fresh migrated database with leases open. */
export function describeLeases(title: string, body: (ctx: LeaseContext) => void): void {
  for (const { kind, create } of DATABASES) {
    describe(`${title} ${kind}`, () => {
      const ctx = { kind } as LeaseContext;
      before(async () => {
        ctx.db = await create();
        await migrateEmpty(ctx.db.url);
        ctx.leases = await openLeases({ db: ctx.db.url });
      });
      after(async () => {
        await killWorkers();
        await ctx.leases?.close();
        await ctx.db?.drop();
      });
      body(ctx);
    });
  }
}
