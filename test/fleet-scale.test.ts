import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  createSqliteDatabase,
  type TestDatabase,
} from './helpers/databases.js';
import { ENROL_TOKEN, FleetWorld, waitFor } from './helpers/fleet-harness.js';
import { SimAgents } from './helpers/sim-agents.js';

interface Dispatch {
  agentId: string;
  canary: boolean;
  state: string;
  createdAt: string;
  endedAt: string | null;
}

describe('the fleet at scale: staged rollouts over many agents and two replicas', () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('staged at 10 % with 50 agent processes: canaries first and alone, never more than a batch in flight, all confirmed', async () => {
    const db: TestDatabase = await createSqliteDatabase();
    const world = new FleetWorld();
    cleanup.push(async () => (await world.stop(), await db.drop()));
    await world.startServer(db.url, { MOLT_FLEET_TICK: '300ms' });
    const build = world.buildAgent('1.0.0');
    world.buildAgent('1.1.0');
    const ids = Array.from({ length: 50 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    for (const id of ids) world.startAgent(id, build);
    await waitFor(
      '50 agents drifted',
      async () => (await world.agentsNow()).filter((a) => a.online && a.state === 'drifted').length === 50,
      60_000,
      250,
    );
    await world.api('PUT', '/artifact', await world.artifact('1.1.0'));
    await world.api('PUT', '/policy', { mode: 'staged', percent: 10, canaries: 3 });
    await waitFor(
      'all 50 confirmed',
      async () => (await world.agentsNow()).every((a) => a.state === 'confirmed' && a.version === '1.1.0'),
      120_000,
      250,
    );
    const { dispatches } = (await world.api<{ dispatches: Dispatch[] }>('GET', '/dispatches?limit=1000')).body;
    assert.equal(dispatches.length, 50);
    assert.deepEqual([...new Set(dispatches.map((d) => d.state))], ['confirmed']);
    // In flight at once, from the dispatches' own times: never more than the batch (10 % of 50).
    const edges = dispatches
      .flatMap(
        (d) =>
          [
            [Date.parse(d.createdAt), 1],
            [Date.parse(d.endedAt!), -1],
          ] as const,
      )
      .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let flying = 0;
    let most = 0;
    for (const [, step] of edges) most = Math.max(most, (flying += step));
    assert.ok(most <= 5, `${most} upgrades in flight at once; the batch is 5`);
    const byTime = [...dispatches].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const canaries = byTime.filter((d) => d.canary);
    assert.equal(canaries.length, 3);
    assert.deepEqual(byTime.slice(0, 3), canaries);
    const lastCanaryEnd = Math.max(...canaries.map((d) => Date.parse(d.endedAt!)));
    assert.ok(
      byTime.filter((d) => !d.canary).every((d) => Date.parse(d.createdAt) >= lastCanaryEnd),
      'a batch went out before the canaries confirmed',
    );
  });

  for (const [engine, make] of [
    ['PostgreSQL', createPostgresDatabase],
    ['MariaDB', createMysqlDatabase],
  ] as const)
    it(`two replicas on one ${engine}, 200 agents split between them, staged: each agent gets exactly one dispatch`, async () => {
      const db = await make();
      const world = new FleetWorld();
      const sims = new SimAgents(ENROL_TOKEN, 50);
      cleanup.push(async () => (sims.close(), await world.stop(), await db.drop()));
      const env = { MOLT_FLEET_TICK: '200ms' };
      const a = await world.startServer(db.url, env);
      const b = await world.startServer(db.url, env);
      world.buildAgent('1.1.0');
      const ids = Array.from({ length: 200 }, (_, i) => `p${String(i).padStart(3, '0')}`);
      await Promise.all(ids.map(async (id, i) => sims.connect(i % 2 ? b : a, id, await sims.enrol(a, id), '1.0.0')));
      const { connections: onA } = (await world.api<{ connections: unknown[] }>('GET', '/connections')).body;
      assert.equal(onA.length, 100);
      await world.api('PUT', '/artifact', await world.artifact('1.1.0'));
      // A manual upgrade asked of one replica reaches an agent connected to the other.
      const manual = await world.api('POST', '/agents/p001/upgrade');
      assert.equal(manual.status, 200, JSON.stringify(manual.body));
      await waitFor('p001 confirmed through the other replica', async () =>
        (await world.agentsNow()).find((x) => x.id === 'p001' && x.state === 'confirmed'),
      );
      await world.api('PUT', '/policy', { mode: 'staged', percent: 20, canaries: 3 });
      await waitFor(
        'all 200 confirmed',
        async () => (await world.agentsNow()).every((x) => x.state === 'confirmed'),
        90_000,
        500,
      );
      const { dispatches } = (await world.api<{ dispatches: Dispatch[] }>('GET', '/dispatches?limit=10000')).body;
      const perAgent = new Map<string, number>();
      for (const d of dispatches) perAgent.set(d.agentId, (perAgent.get(d.agentId) ?? 0) + 1);
      assert.equal(perAgent.size, 200);
      assert.deepEqual([...new Set(perAgent.values())], [1]);
      assert.deepEqual([...new Set(sims.stats.upgrades.values())], [1], 'an agent was sent the upgrade twice');
      assert.equal(sims.stats.upgrades.size, 200);
      // Both replicas evaluated: the dispatches came from ticks on either one (each audit row says the evaluator).
      const deploys = await world.audit('?action=stack.deploy');
      assert.equal(deploys.length, 200);
    });
});
