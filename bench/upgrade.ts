// What an upgrade costs the people using the service: `molt upgrade` of three instances (under molt run, and under
// Docker Compose behind HAProxy) against the anchors' own procedures on the same service in the same run: stop, swap
// and start one process (dockmesh, Kestrel), and `docker compose up -d` with the new image (Compose recreates every
// replica). A client sends 200 requests a second, reads and writes, throughout; each round starts from a fresh
// database with 1.1.0 serving and ends with 2.0.0 serving.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { cleanEnv, ROOT } from '../test/helpers/cli.js';
import {
  buildImages,
  dockerMissing,
  freePort,
  startComposeProject,
  stopComposeProject,
} from '../test/helpers/compose-images.js';
import { createPostgresDatabase, type TestDatabase } from '../test/helpers/databases.js';
import {
  killAll,
  makeRelease,
  runCli,
  startLoad,
  startRun,
  stopRun,
  workDir,
  type LoadResult,
} from '../test/helpers/upgrade-harness.js';
import { stat, type Stat } from './stats.js';

/** One procedure's figures over its rounds. */
export interface UpgradeRow {
  procedure: string;
  database: string;
  instances: number;
  /** From the command to 2.0.0 serving everywhere. */
  time: Stat;
  /** Requests that failed (refused, reset, 5xx), per round. */
  failed: number[];
  /** The longest time the client went without a successful answer. */
  downtime: Stat;
  sent: number;
  /** Why it was not measured, when it was not. */
  skipped?: string;
}

const SERVER = join(ROOT, 'dist', 'examples', 'sample-service', 'server.js');
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Round {
  ms: number;
  load: LoadResult;
}

/**
 * One round's measurement, the same for every procedure: the client runs a second before `act` and a second after it,
 * and `act` is timed. A procedure that failed is an error, after the load has stopped.
 */
async function underLoad(port: number, act: () => Promise<string | null>): Promise<Round> {
  const stop = await startLoad(port);
  await settle(1_000);
  const started = Date.now();
  const failure = await act();
  const ms = Date.now() - started;
  await settle(1_000);
  const load = await stop();
  if (failure) throw new Error(failure);
  return { ms, load };
}

/** `molt upgrade` over `molt run`: three instances of 1.1.0, then the command, timed. */
async function viaMoltRun(url: () => Promise<{ url: string; drop(): Promise<void> }>): Promise<Round> {
  const db = await url();
  const work = workDir();
  const env = { MOLT_DATABASE_URL: db.url };
  const v1 = makeRelease(work, 'v1', 1, { web: { instances: 3 } });
  const v2 = makeRelease(work, 'v2', 2, { web: { instances: 3 } });
  const run = await startRun(work, v1, env, 3);
  const round = await underLoad(run.port, async () => {
    const result = await runCli(['upgrade', '--to', v2, '--state', join(work, 'state')], work, env);
    return result.code === 0 ? null : `molt upgrade failed: ${result.stderr}`;
  });
  await stopRun(run);
  await db.drop();
  return round;
}

function startSample(release: string, port: number, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [SERVER], {
    env: cleanEnv({ ...env, PORT: String(port), MOLT_RELEASE_DIR: release }),
    stdio: 'ignore',
  });
  return child;
}

/** Waits until the process answers; on `/api/version`, not `/readyz`, since nothing routes by readiness here. */
async function untilServing(port: number): Promise<void> {
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/api/version`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await settle(20);
  }
}

/** The anchors' procedure: SIGTERM the one process, swap the release, start the new one; timed until it serves. */
async function stopSwapStart(url: () => Promise<{ url: string; drop(): Promise<void> }>): Promise<Round> {
  const db = await url();
  const work = workDir();
  const env = { MOLT_DATABASE_URL: db.url };
  const v1 = makeRelease(work, 'v1', 1, { web: { instances: 1 } });
  const v2 = makeRelease(work, 'v2', 2, { web: { instances: 1 } });
  const port = await freePort();
  const old = startSample(v1, port, env);
  await untilServing(port);
  let fresh: ChildProcess | null = null;
  const round = await underLoad(port, async () => {
    old.kill('SIGTERM');
    await new Promise((resolve) => old.once('exit', resolve));
    fresh = startSample(v2, port, env);
    await untilServing(port);
    return null;
  });
  fresh!.kill('SIGTERM');
  await new Promise((resolve) => fresh!.once('exit', resolve));
  await db.drop();
  return round;
}

/** Compose's own way: `docker compose up -d --wait` with the new image, which recreates every replica. */
async function composeRecreate(images: ReturnType<typeof buildImages>): Promise<Round> {
  const { dir, port } = await startComposeProject(images, 'molt-bench');
  const round = await underLoad(port, async () => {
    execFileSync('docker', ['compose', 'up', '-d', '--wait'], {
      cwd: dir,
      stdio: 'ignore',
      env: { ...process.env, APP_IMAGE: images.v2 },
      timeout: 180_000,
    });
    return null;
  });
  stopComposeProject(dir);
  return round;
}

/** `molt upgrade --runtime compose` on the same project. */
async function composeMolt(images: ReturnType<typeof buildImages>): Promise<Round> {
  const { dir, port } = await startComposeProject(images, 'molt-bench');
  try {
    return await underLoad(port, async () => {
      const args = ['upgrade', '--runtime', 'compose', '--compose-dir', dir, '--to', images.v2];
      const result = await runCli(
        [...args, '--molt-command', 'node /app/dist/src/cli/main.js', '--state', join(dir, '.molt')],
        dir,
        { MOLT_DATABASE_URL: `sqlite:${join(dir, 'data', 'app.db')}` },
      );
      return result.code === 0 ? null : `molt upgrade --runtime compose failed: ${result.stderr}`;
    });
  } finally {
    stopComposeProject(dir);
  }
}

function row(procedure: string, database: string, instances: number, rounds: Round[]): UpgradeRow {
  return {
    procedure,
    database,
    instances,
    time: stat(rounds.map((r) => r.ms)),
    failed: rounds.map((r) => r.load.failed),
    downtime: stat(rounds.map((r) => r.load.longestGapMs)),
    sent: rounds.reduce((total, r) => total + r.load.sent, 0),
  };
}

async function times(rounds: number, one: () => Promise<Round>): Promise<Round[]> {
  const out: Round[] = [];
  for (let i = 0; i < rounds; i++) out.push(await one());
  return out;
}

/** Every procedure, `rounds` times each, SQLite and PostgreSQL where the procedure runs on both. */
export async function measureUpgrade(rounds: number, log: (line: string) => void): Promise<UpgradeRow[]> {
  const sqlite = async () => {
    const dir = workDir();
    return { url: `sqlite:${join(dir, 'app.db')}`, drop: async () => undefined };
  };
  const postgres = async (): Promise<TestDatabase> => createPostgresDatabase();
  const rows: UpgradeRow[] = [];
  try {
    for (const [name, make] of [
      ['SQLite', sqlite],
      ['PostgreSQL', postgres],
    ] as const) {
      log(`upgrade: molt upgrade over molt run, ${name}`);
      rows.push(row('`molt upgrade` (molt run)', name, 3, await times(rounds, () => viaMoltRun(make))));
      log(`upgrade: stop + swap + start, ${name}`);
      rows.push(
        row('stop + swap + start (dockmesh, Kestrel)', name, 1, await times(rounds, () => stopSwapStart(make))),
      );
    }
    const missing = dockerMissing();
    if (missing) {
      for (const procedure of ['`molt upgrade --runtime compose`', '`docker compose up -d` (recreate)']) {
        rows.push({
          procedure,
          database: 'SQLite',
          instances: 3,
          time: stat([0]),
          failed: [],
          downtime: stat([0]),
          sent: 0,
          skipped: missing,
        });
      }
    } else {
      const images = buildImages();
      log('upgrade: molt upgrade --runtime compose');
      rows.push(row('`molt upgrade --runtime compose`', 'SQLite', 3, await times(rounds, () => composeMolt(images))));
      log('upgrade: docker compose up -d');
      rows.push(
        row('`docker compose up -d` (recreate)', 'SQLite', 3, await times(rounds, () => composeRecreate(images))),
      );
    }
  } finally {
    await killAll();
  }
  return rows;
}
