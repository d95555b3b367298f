// The fleet at 10,000 agents: protocol-level agents (real WebSockets, in this process) against one fleet server process
// (the sample service with the fleet mounted), on SQLite and on PostgreSQL.
import { readFileSync } from 'node:fs';
import { createPostgresDatabase, createSqliteDatabase, type TestDatabase } from '../test/helpers/databases.js';
import { ENROL_TOKEN, FleetWorld, waitFor } from '../test/helpers/fleet-harness.js';
import { SimAgents } from '../test/helpers/sim-agents.js';

/** One database's figures. */
export interface FleetRow {
  database: string;
  agents: number;
  /** Enrolling every agent (one HTTP call each, 64 at a time). */
  enrolMs: number;
  /** From the first connect to the last welcome: every hello registered in the database. */
  hellosMs: number;
  /** The server's resident memory with every agent connected, and before any connected. */
  rssMb: number;
  rssIdleMb: number;
  /** A tick that weighs every drifted agent and sends nothing (staged, a rollout in flight). */
  tickIdleMs: number;
  /** The Run now tick of auto mode with every agent drifted: plans and writes every dispatch and its audit row. */
  tickDispatchMs: number;
  /** From Run now until the last agent had its upgrade order. */
  dispatchAllMs: number;
  dispatchesPerSecond: number;
}

const rssOf = (pid: number): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function inChunks<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

async function measureOne(
  name: string,
  make: () => Promise<TestDatabase>,
  count: number,
  log: (line: string) => void,
): Promise<FleetRow> {
  const db = await make();
  const world = new FleetWorld();
  const sims = new SimAgents(ENROL_TOKEN, 0, true);
  try {
    await world.startServer(db.url, {
      MOLT_FLEET_TICK: '1h',
      MOLT_FLEET_ACK_WITHIN: '1h',
      MOLT_FLEET_CONFIRM_WITHIN: '1h',
    });
    const pid = world.servers[0]!.child.pid!;
    world.buildAgent('1.1.0');
    const ids = Array.from({ length: count }, (_, i) => `bench-${i}`);
    const credentials = new Map<string, string>();
    let t = Date.now();
    await inChunks(ids, 64, async (id) => void credentials.set(id, await sims.enrol(world.url, id)));
    const enrolMs = Date.now() - t;
    log(`${name}: ${count} enrolled in ${enrolMs} ms`);
    const rssIdleMb = rssOf(pid);
    t = Date.now();
    await inChunks(ids, 1000, (id) => sims.connect(world.url, id, credentials.get(id)!, '1.0.0'));
    const hellosMs = Date.now() - t;
    log(`${name}: ${count} hellos registered in ${hellosMs} ms`);
    const rssMb = rssOf(pid);
    await world.api('PUT', '/artifact', await world.artifact('1.1.0'));
    // Staged with a canary in flight: the next tick weighs all 10,000 and sends nothing (backpressure).
    await world.api('PUT', '/policy', { mode: 'staged', percent: 10, canaries: 1 });
    await world.api('POST', '/run');
    const idle = await world.api<{ tick: { durationMs: number; dispatched: string[] } }>('POST', '/run');
    const tickIdleMs = idle.body.tick.durationMs;
    await world.api('PUT', '/policy', { mode: 'auto' });
    t = Date.now();
    const run = await world.api<{ tick: { durationMs: number; dispatched: string[] } }>('POST', '/run');
    await waitFor('every order delivered', () => sims.ordersAt.size >= count, 600_000, 50);
    const dispatchAllMs = Math.max(...sims.ordersAt.values()) - t;
    log(
      `${name}: auto tick ${run.body.tick.durationMs} ms for ${run.body.tick.dispatched.length}; all orders in ${dispatchAllMs} ms`,
    );
    return {
      database: name,
      agents: count,
      enrolMs,
      hellosMs,
      rssMb: Math.round(rssMb),
      rssIdleMb: Math.round(rssIdleMb),
      tickIdleMs,
      tickDispatchMs: run.body.tick.durationMs,
      dispatchAllMs,
      dispatchesPerSecond: Math.round((count - 1) / (dispatchAllMs / 1000)),
    };
  } finally {
    sims.close();
    await world.stop();
    await db.drop();
  }
}

/** The fleet's figures at `count` agents on SQLite and PostgreSQL. */
export async function measureFleet(count: number, log: (line: string) => void): Promise<FleetRow[]> {
  return [
    await measureOne('SQLite', createSqliteDatabase, count, log),
    await measureOne('PostgreSQL', createPostgresDatabase, count, log),
  ];
}

/** The section of BENCHMARKS.md. */
export function fleetSection(rows: FleetRow[] | undefined): string {
  if (!rows?.length) return '';
  const line = (r: FleetRow): string =>
    `| ${r.database} | ${r.agents} | ${(r.enrolMs / 1000).toFixed(1)} s | ${(r.hellosMs / 1000).toFixed(1)} s | ${r.rssIdleMb} → ${r.rssMb} MiB | ${r.tickIdleMs} ms | ${r.tickDispatchMs} ms | ${(r.dispatchAllMs / 1000).toFixed(1)} s (${r.dispatchesPerSecond}/s) |`;
  return `
## The fleet at ${rows[0]!.agents} agents

Protocol-level agents (real WebSockets and HTTP, in the bench process) against one fleet server process (the sample
service with the fleet mounted), one round per database. Hellos: from the first connect to the last welcome (the
server writes each hello before it welcomes). Memory: the server's resident set before the first agent connected and
with all connected. The idle tick weighs every drifted agent while a canary is in flight and sends nothing; the
dispatch tick is auto mode's Run now, which writes every dispatch and its \`stack.deploy\` audit row; the last column is
from Run now until the last agent held its order.

| database | agents | enrol | all hellos registered | server memory | idle tick | dispatch tick | every order delivered |
|---|---|---|---|---|---|---|---|
${rows.map(line).join('\n')}
`;
}
