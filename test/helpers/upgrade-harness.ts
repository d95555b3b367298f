// Real processes for the upgrade tests: release directories built from the sample's two releases, `molt run` as a
// child, the readiness-routed load as a second process, and `molt upgrade` as a third.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { controlClient, type ControlClient, type SupervisorStatus } from '../../src/supervisor/index.js';
import { BIN, cleanEnv, ROOT } from './cli.js';

const SERVER = join(ROOT, 'dist', 'examples', 'sample-service', 'server.js');
const ROUTED_LOAD = join(dirname(fileURLToPath(import.meta.url)), 'routed-load.js');
/** Every child a test started, killed at the end whatever happened. */
export const children: ChildProcess[] = [];

const runs: Run[] = [];

/** Kills every child still running, and the instances of every `molt run` (their own process groups). */
export async function killAll(): Promise<void> {
  for (const run of runs) {
    if (run.child.exitCode !== null) continue;
    const status = await run.control.status().catch(() => null);
    for (const instance of status?.instances ?? []) if (instance.pid) tryKill(instance.pid);
  }
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Stops a `molt run` as an operator does (SIGTERM: every instance drains) and resolves its exit code. */
export async function stopRun(run: Run): Promise<number | null> {
  run.child.kill('SIGTERM');
  return run.exit;
}

/** A process type of a test release. */
export interface TestType {
  instances: number;
  serves?: boolean;
  env?: Record<string, string>;
  /** Instead of the sample: a command line. */
  command?: string;
  grace?: string;
}

/**
 * Writes a release directory under `root` from one of the sample's releases (`1` or `2`), with its own
 * molt.release.json; `files` replaces or adds migration files (and drops molt.sum, as an unsummed change would).
 */
export function makeRelease(
  root: string,
  name: string,
  from: 1 | 2,
  types: Record<string, TestType>,
  extra: { order?: string[]; files?: Record<string, string>; readyTimeout?: string } = {},
): string {
  const dir = join(root, name);
  const source = join(ROOT, 'examples', from === 1 ? 'sample-service' : 'sample-service-2');
  mkdirSync(dir, { recursive: true });
  cpSync(join(source, 'package.json'), join(dir, 'package.json'));
  cpSync(join(source, 'migrations'), join(dir, 'migrations'), { recursive: true });
  if (extra.files) {
    rmSync(join(dir, 'migrations', 'molt.sum'), { force: true });
    for (const [file, text] of Object.entries(extra.files)) writeFileSync(join(dir, 'migrations', file), text);
  }
  const processes = Object.fromEntries(
    Object.entries(types).map(([type, t]) => [
      type,
      {
        command: t.command ?? `node ${SERVER}`,
        instances: t.instances,
        ...(t.serves === undefined ? {} : { serves: t.serves }),
        ...(t.env ? { env: t.env } : {}),
        grace: t.grace ?? '10s',
      },
    ]),
  );
  writeFileSync(
    join(dir, 'molt.release.json'),
    JSON.stringify(
      { processes, order: extra.order, soak: '500ms', readyTimeout: extra.readyTimeout ?? '30s' },
      null,
      2,
    ),
  );
  return dir;
}

/** A running `molt run`. */
export interface Run {
  child: ChildProcess;
  port: number;
  control: ControlClient;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** A fresh working directory for one test. */
export function workDir(): string {
  return mkdtempSync(join(tmpdir(), 'molt-upgrade-'));
}

/** Starts `molt run RELEASE` and resolves once `count` instances are ready. */
export async function startRun(
  work: string,
  release: string,
  env: Record<string, string>,
  count: number,
): Promise<Run> {
  const state = join(work, 'state');
  const child = spawn(process.execPath, [BIN, 'run', release, '--port', '0', '--host', '127.0.0.1', '--state', state], {
    cwd: work,
    env: cleanEnv({ ...env, MOLT_BACKUP_DIR: join(work, 'backups') }),
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const control = controlClient(join(state, 'control.sock'));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`molt run exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`molt run did not get ${count} instances ready: ${stderr}`);
    if (/control socket/.test(stderr)) {
      const status = await control.status();
      if (status.instances.filter((i) => i.state === 'ready').length >= count) {
        const run = { child, port: status.port, control, stderr: () => stderr, exit };
        runs.push(run);
        return run;
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What the load saw. */
export interface LoadResult {
  sent: number;
  failed: number;
  longestGapMs: number;
  statuses: Record<string, number>;
  errors: Record<string, number>;
  created: number;
  firstErrors: string[];
}

/** Starts the client (reads and writes at `rate` per second) and resolves a stop function once it runs. */
export async function startLoad(port: number, rate = 200): Promise<() => Promise<LoadResult>> {
  const load = spawn(process.execPath, [ROUTED_LOAD], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, LOAD_TARGETS: String(port), LOAD_RATE: String(rate), LOAD_POLL_MS: '0' },
  });
  children.push(load);
  let out = '';
  load.stdout!.on('data', (d) => (out += d));
  while (!out.includes('started')) {
    if (load.exitCode !== null) throw new Error('the load exited');
    await new Promise((r) => setTimeout(r, 20));
  }
  return async () => {
    load.kill('SIGTERM');
    await new Promise((resolve) => load.once('exit', resolve));
    return JSON.parse(out.trim().split('\n').at(-1)!) as LoadResult;
  };
}

/** Runs the CLI with the test's environment; resolves its exit code and output. */
export function runCli(
  args: string[],
  work: string,
  env: Record<string, string>,
  onStderr?: (text: string, child: ChildProcess) => void,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: work,
      env: cleanEnv({ ...env, MOLT_BACKUP_DIR: join(work, 'backups') }),
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr, child);
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The instances by version, e.g. `{ '2.0.0': 3 }`, each asked on its own probe port. */
export async function versionsServing(status: SupervisorStatus): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (const instance of status.instances) {
    const body = (await (await fetch(`http://127.0.0.1:${instance.probePort}/api/version`)).json()) as {
      version: string;
    };
    seen[body.version] = (seen[body.version] ?? 0) + 1;
  }
  return seen;
}

/** The archives the upgrade's backup step wrote. */
export function archives(work: string): string[] {
  try {
    return readdirSync(join(work, 'backups'));
  } catch {
    return [];
  }
}

/** No request failed (every answer a 200 or 201, no connection error), and the load sent more than `minimum`. */
export function assertNoFailedRequest(load: LoadResult, minimum: number): void {
  assert.deepEqual(load.errors, {}, `failed requests: ${load.firstErrors.join('; ')}`);
  const other = Object.keys(load.statuses).filter((s) => s !== '200' && s !== '201');
  assert.deepEqual(other, [], `answers: ${JSON.stringify(load.statuses)}`);
  assert.ok(load.sent > minimum, `the load ran: ${load.sent} requests`);
}
