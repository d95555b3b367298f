// Sixteen replicas booting at once on one empty database: the time until every one answers /readyz with 200, and
// how many migrations they applied between them, which must equal the number of files (exactly once).
// Floors, in the same rounds: one replica booting alone on an empty database, and sixteen booting on the migrated one.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from '../test/helpers/cli.js';
import { queryDb, type TestDatabase } from '../test/helpers/databases.js';
import { corpusFiles } from '../test/helpers/floors.js';

import { stat, type Stat } from './stats.js';

const REPLICA = join(ROOT, 'dist', 'bench', 'replica.js');

/** The number of replicas the issue asks for. */
export const REPLICAS = 16;

/** One measured database and workload. */
export interface ReplicaRow {
  server: string;
  workload: string;
  files: number;
  /** All sixteen ready, from the moment they were started. */
  all: Stat;
  /** Sixteen again on the migrated database: what starting sixteen processes costs with nothing to apply. */
  started: Stat;
  /** One replica alone, booting and getting ready on an empty database. */
  alone: Stat;
  ratio: number;
  /** Migrations applied per round, summed over the replicas' own reports; each must equal `files`. */
  applied: number[];
  /** History rows per round; each must equal `files`. */
  history: number[];
}

interface Booted {
  port: number;
  applied: number;
  status: string;
}

/** Starts `count` replicas together and resolves when each answers /readyz with 200: elapsed ms and what each applied. */
async function boot(
  count: number,
  url: string,
  dir: string,
  env: Record<string, string>,
): Promise<{ ms: number; applied: number }> {
  const start = process.hrtime.bigint();
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, [REPLICA, dir], {
      env: { ...process.env, ...env, MOLT_DATABASE_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  try {
    const booted = await Promise.all(children.map((child) => ready(child)));
    return {
      ms: Number(process.hrtime.bigint() - start) / 1e6,
      applied: booted.reduce((sum, b) => sum + b.applied, 0),
    };
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map((c) =>
        c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null,
      ),
    );
  }
}

/** Waits for one replica's line, then polls its /readyz until 200; rejects with its stderr if it exits first. */
async function ready(child: ReturnType<typeof spawn>): Promise<Booted> {
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) =>
      reject(new Error(`a replica exited ${code} before it was ready: ${stderr.slice(-1500)}`)),
    );
  });
  const booted = JSON.parse(line) as Booted;
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${booted.port}/readyz`).catch(() => null);
    if (res?.status === 200) return booted;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** One server as the replicas see it: how to make a fresh database, and the workload to migrate. */
export interface ReplicaTarget {
  server: string;
  workload: string;
  dir: string;
  env: Record<string, string>;
  create(): Promise<TestDatabase>;
}

/** Measures each target: `rounds` rounds of sixteen together and of one alone, on fresh databases, interleaved. */
export async function measureReplicas(rounds: number, targets: ReplicaTarget[]): Promise<ReplicaRow[]> {
  const rows: ReplicaRow[] = [];
  for (const t of targets) {
    process.stderr.write(`bench: ${REPLICAS} replicas, ${t.server}, ${t.workload}...\n`);
    const files = corpusFiles(t.dir).length;
    const all: number[] = [];
    const started: number[] = [];
    const alone: number[] = [];
    const applied: number[] = [];
    const history: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const many = await t.create();
      const one = await t.create();
      try {
        const together = await boot(REPLICAS, many.url, t.dir, t.env);
        all.push(together.ms);
        applied.push(together.applied);
        const [row] = await queryDb<{ n: unknown }>(
          many,
          "SELECT COUNT(*) AS n FROM _molt_migrations WHERE status = 'success'",
        );
        history.push(Number(row.n));
        started.push((await boot(REPLICAS, many.url, t.dir, t.env)).ms);
        alone.push((await boot(1, one.url, t.dir, t.env)).ms);
      } finally {
        await many.drop();
        await one.drop();
      }
    }
    const bad = [...applied, ...history].find((n) => n !== files);
    if (bad !== undefined)
      throw new Error(
        `${t.server} ${t.workload}: ${REPLICAS} replicas applied ${applied.join('/')} with ${history.join('/')} history rows, not ${files} each round`,
      );
    const s = { all: stat(all), started: stat(started), alone: stat(alone) };
    rows.push({
      server: t.server,
      workload: t.workload,
      files,
      ...s,
      ratio: s.all.median / s.alone.median,
      applied,
      history,
    });
  }
  return rows;
}
