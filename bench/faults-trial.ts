// One fault trial: start the real `molt migrate`, kill it at a chosen moment (SIGKILL, or its connection from the
// server side), see where the kill landed, let the next `molt migrate` recover, and check that history, schema and
// data agree with a clean run's. Shared by `npm run faults` (bench/faults.ts) and the CI test (test/faults.test.ts).
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN, cleanEnv, molt, ROOT } from '../test/helpers/cli.js';
import type { TestDatabase } from '../test/helpers/databases.js';
import type { FaultSet } from './faults-sets.js';
import type { FaultTarget, Reader, ServerAdmin, ServerSession } from './faults-targets.js';

/** SIGKILL of the migrating process, or the server ending its connection. */
export type KillKind = 'sigkill' | 'server';

/**
 * `clean`: the kill landed and the recovery is consistent; `no-kill`: the run finished first; `in-doubt`: molt
 * stopped and asked for `molt repair` because the statement running at the kill may or may not have taken
 * effect (its documented answer); `failure`: the recovery did not finish; `inconsistent`: it finished, but
 * history, schema or data disagree with a clean run.
 */
export type Outcome = 'clean' | 'no-kill' | 'in-doubt' | 'failure' | 'inconsistent';

/** The fault of one trial: how, and when, in ms after the process was spawned. */
export interface Fault {
  kind: KillKind;
  atMs: number;
}

/** What a clean, uninterrupted run of the set leaves, and how long one takes. */
export interface Reference {
  files: string[];
  schema: string;
  checks: string;
  runMs: number[];
  expectedMs: number;
}

/** Everything a trial needs that stays the same for a whole database's run. */
export interface TrialContext {
  target: FaultTarget;
  set: FaultSet;
  dir: string;
  env: Record<string, string>;
  admin: ServerAdmin | null;
  reference: Reference;
}

/** Where the kill landed, read right before it and right after the server let go of the dead session. */
export interface Landing {
  /** ms after spawn when the kill went out; null when the run ended before the moment came. */
  killedAtMs: number | null;
  /** What molt was doing: the stage its session's SQL shows, or for SQLite whether a write transaction was open. */
  stage: string;
  sql: string | null;
  /** Files the history records as applied once the dead session is gone. */
  applied: number;
  /** A migration left part-way, `version status applied/total`. */
  partial: string | null;
  midMigration: boolean;
  /** How the killed process ended, with its last line when it exited by itself. */
  exit: string;
}

/** What one trial found. */
export interface TrialResult {
  database: string;
  trial: number;
  fault: Fault;
  outcome: Outcome;
  landing: Landing;
  recovery: { runs: number; ms: number; exitCodes: (number | null)[]; resumed: string[]; message: string | null };
  problems: string[];
}

// What a session's SQL says molt was doing, checked in order; anything else is a migration's own SQL.
const STAGES: readonly (readonly [string, RegExp])[] = [
  // Bare transaction control is molt's own (its tables' migrations); a migration's BEGIN travels with the file.
  ['molt tables', /^\s*(BEGIN|COMMIT|ROLLBACK)\s*;?\s*$/i],
  ['molt tables', /^\s*(CREATE|ALTER) (TABLE|INDEX)\b[^(]*_molt_migrations|_molt_migrations_meta/i],
  ['lock', /pg_try_advisory_lock|pg_advisory_unlock|GET_LOCK|RELEASE_LOCK|RELEASE_ALL_LOCKS|_molt_migrations_lock/i],
  [
    'history',
    /^\s*(INSERT INTO|UPDATE|DELETE FROM|SELECT \* FROM|START TRANSACTION;\s*UPDATE) ["`]?_molt_migrations\b/i,
  ],
  ['session setup', /^\s*(SET |SELECT VERSION\(\)|SHOW |SELECT set_config)/i],
];
const IDLE = /^(idle|Sleep)$/;
const stageOf = (sql: string): string => STAGES.find(([, re]) => re.test(sql))?.[0] ?? 'migration';
// molt's answer when the statement in flight at a crash may have taken effect (src/migrate/migrate.ts).
const IN_DOUBT = /was running when an earlier attempt died/;
const lastLine = (text: string): string => text.trim().split('\n').at(-1)?.slice(0, 300) ?? '';

/** A small seeded generator (mulberry32): the same seed gives the same kill moments. */
export function randomFrom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function readHistory(reader: Reader): Promise<Record<string, unknown>[]> {
  try {
    return await reader.query(
      'SELECT version, name, status, statements_applied, statements_total FROM _molt_migrations ORDER BY version, name',
    );
  } catch {
    return []; // not created yet: the kill came before molt's own tables
  }
}

/** The data the set's checks read, as one JSON text to compare. */
async function answers(reader: Reader, set: FaultSet): Promise<string> {
  const out: unknown[] = [];
  for (const q of set.checks) out.push(await reader.query(q));
  return JSON.stringify(out);
}

/** Runs the set once on a fresh database without a fault, for the reference state and the run time. */
export async function cleanRun(
  target: FaultTarget,
  set: FaultSet,
  dir: string,
  env: Record<string, string>,
): Promise<Omit<Reference, 'runMs' | 'expectedMs'> & { ms: number }> {
  const db = await target.create();
  try {
    const started = performance.now();
    const r = await molt(['migrate', '--db', db.url, '--dir', dir], { env });
    const ms = performance.now() - started;
    if (r.code !== 0)
      throw new Error(
        `the clean run of the ${target.label} fault set failed (exit ${r.code}): ${r.stderr.slice(-1500)}`,
      );
    const reader = await target.open(db);
    try {
      const files = (await readHistory(reader)).map((row) => `${row.version}_${row.name}`);
      return { ms, files, schema: await target.schema(db), checks: await answers(reader, set) };
    } finally {
      await reader.close();
    }
  } finally {
    await db.drop();
  }
}

/** Polls until the server has no molt session left on the database: the dead one finishes what it was running first. */
async function sessionsGone(admin: ServerAdmin, name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await admin.sessions(name)).length > 0) {
    if (Date.now() > deadline) throw new Error(`molt's session on ${name} did not end within 60 s of the kill`);
    await sleep(10);
  }
}

/** Starts `molt migrate`, delivers the fault, waits for the process and the server, and reads where it landed. */
async function faultedRun(ctx: TrialContext, db: TestDatabase, fault: Fault): Promise<Landing> {
  const { target, admin } = ctx;
  const name = target.nameOf(db);
  const child = spawn(process.execPath, [BIN, 'migrate', '--db', db.url, '--dir', ctx.dir], {
    cwd: ROOT,
    env: cleanEnv(ctx.env),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const started = performance.now();
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let ended = false;
  const end = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      ended = true;
      resolve({ code, signal });
    }),
  );
  await sleep(Math.max(0, fault.atMs - (performance.now() - started)));

  let killedAtMs: number | null = null;
  let seen: ServerSession[] = [];
  let writing = false;
  if (!ended && fault.kind === 'sigkill') {
    // One round trip on a connection already open, so the picture is at most a millisecond old.
    if (admin) seen = await admin.sessions(name);
    if (target.writing) writing = target.writing(db);
    killedAtMs = Math.round(performance.now() - started);
    child.kill('SIGKILL');
  } else if (!ended && admin) {
    // Before molt has connected there is nothing to end on the server: wait for its first session.
    while (!ended && (seen = await admin.sessions(name)).length === 0) await sleep(5);
    if (seen.length > 0) {
      killedAtMs = Math.round(performance.now() - started);
      // molt keeps the lock and runs the migrations on one connection; ending every session of the
      // database is what a server restart or a network cut does to it.
      for (const s of seen) await admin.kill(s.id);
    }
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const { code, signal } = await end;
  clearTimeout(timer);
  if (signal === null && killedAtMs !== null && fault.kind === 'sigkill') killedAtMs = null; // it exited just before
  if (admin) await sessionsGone(admin, name);

  const reader = await target.open(db);
  const rows = await readHistory(reader).finally(() => reader.close());
  const applied = rows.filter((r) => r.status === 'success').length;
  const open = rows.find((r) => r.status === 'running' || r.status === 'failed');
  const partial = open
    ? `${open.version} ${open.status} ${Number(open.statements_applied)}/${Number(open.statements_total)}`
    : null;
  const sql = seen[0]?.query ?? null;
  const base = target.writing
    ? writing
      ? 'write transaction'
      : 'no write transaction'
    : seen[0]
      ? sql
        ? stageOf(sql)
        : 'connected'
      : killedAtMs === null
        ? 'finished'
        : 'no session';
  const stage = seen[0] && IDLE.test(seen[0].state) ? `${base} (idle)` : base;
  const total = ctx.reference.files.length;
  const midMigration =
    killedAtMs !== null &&
    (partial !== null ||
      (applied > 0 && applied < total) ||
      (applied === 0 && (base === 'migration' || base === 'history')) ||
      base === 'write transaction');
  return {
    killedAtMs,
    stage,
    sql: sql?.replace(/\s+/g, ' ').slice(0, 160) ?? null,
    applied,
    partial,
    midMigration,
    exit: signal ?? `exit ${code}${code ? `: ${lastLine(stderr)}` : ''}`,
  };
}

/** The next `molt migrate`, as a restarting service runs it; again (up to 3 runs) only when it did not finish. */
async function recover(
  ctx: TrialContext,
  db: TestDatabase,
): Promise<TrialResult['recovery'] & { ok: boolean; inDoubt: boolean }> {
  const exitCodes: (number | null)[] = [];
  const resumed: string[] = [];
  const started = performance.now();
  let message: string | null = null;
  for (let run = 1; run <= 3; run++) {
    const r = await molt(['migrate', '--db', db.url, '--dir', ctx.dir, '--lock-timeout', '60s'], {
      env: ctx.env,
      timeoutMs: 120_000,
    });
    exitCodes.push(r.code);
    for (const m of r.stderr.matchAll(/resuming (\S+) at statement (\d+) of (\d+)/g))
      resumed.push(`${m[1]} at ${m[2]}/${m[3]}`);
    const result = { runs: run, ms: performance.now() - started, exitCodes, resumed };
    if (r.code === 0) return { ...result, message, ok: true, inDoubt: false };
    message = r.stderr.trim().slice(-800);
    if (IN_DOUBT.test(r.stderr)) return { ...result, message, ok: false, inDoubt: true };
  }
  return { runs: 3, ms: performance.now() - started, exitCodes, resumed, message, ok: false, inDoubt: false };
}

/** Lines only in `a` and only in `b`, a few of each: enough to see what a schema lost or gained. */
function lineDiff(a: string, b: string): string {
  const left = new Set(a.split('\n'));
  const right = new Set(b.split('\n'));
  const gone = [...left]
    .filter((l) => !right.has(l))
    .slice(0, 8)
    .map((l) => `- ${l}`);
  const added = [...right]
    .filter((l) => !left.has(l))
    .slice(0, 8)
    .map((l) => `+ ${l}`);
  return [...gone, ...added].join('\n');
}

/** Compares status, history, schema and data with the reference; returns what disagrees. */
async function consistency(ctx: TrialContext, db: TestDatabase): Promise<string[]> {
  const problems: string[] = [];
  const { reference } = ctx;
  const s = await molt(['status', '--json', '--db', db.url, '--dir', ctx.dir], { env: ctx.env });
  if (s.code !== 0) problems.push(`status exited ${s.code}: ${s.stderr.trim().slice(-300)}`);
  else {
    const j = JSON.parse(s.stdout).report;
    if (j.applied.length !== reference.files.length)
      problems.push(`status: ${j.applied.length} of ${reference.files.length} applied`);
    for (const key of ['pending', 'partial', 'problems', 'unknown'])
      if (j[key].length > 0) problems.push(`status: ${key} ${JSON.stringify(j[key]).slice(0, 300)}`);
    if (j.lock.held) problems.push('status: the lock is still held');
  }
  const reader = await ctx.target.open(db);
  try {
    const rows = await readHistory(reader);
    const got = rows.map((r) => `${r.version}_${r.name} ${r.status}`).join('\n');
    const want = reference.files.map((f) => `${f} success`).join('\n');
    if (got !== want) problems.push(`history differs:\n${lineDiff(want, got)}`);
    const data = await answers(reader, ctx.set);
    if (data !== reference.checks)
      problems.push(`data differs: clean run ${reference.checks.slice(0, 600)} / recovered ${data.slice(0, 600)}`);
  } finally {
    await reader.close();
  }
  const schema = await ctx.target.schema(db);
  if (schema !== reference.schema) problems.push(`schema differs:\n${lineDiff(reference.schema, schema)}`);
  return problems;
}

/** One trial on a fresh database, which it drops afterwards unless `keep` says to keep a bad one for a look. */
export async function runTrial(ctx: TrialContext, trial: number, fault: Fault, keep = false): Promise<TrialResult> {
  const db = await ctx.target.create();
  let outcome: Outcome = 'failure';
  try {
    const landing = await faultedRun(ctx, db, fault);
    const recovery = await recover(ctx, db);
    const problems = recovery.ok ? await consistency(ctx, db) : [];
    outcome = !recovery.ok
      ? recovery.inDoubt
        ? 'in-doubt'
        : 'failure'
      : problems.length > 0
        ? 'inconsistent'
        : landing.killedAtMs === null
          ? 'no-kill'
          : 'clean';
    const { ok: _ok, inDoubt: _inDoubt, ...rest } = recovery;
    return { database: ctx.target.label, trial, fault, outcome, landing, recovery: rest, problems };
  } finally {
    if (keep && outcome !== 'clean' && outcome !== 'no-kill') process.stderr.write(`faults: kept ${db.url}\n`);
    else await db.drop();
  }
}
