import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'node:http';
import { createSqliteDatabase, type TestDatabase } from './helpers/databases.js';
import { FleetWorld, agentPort, servedBy, waitFor, type AgentView } from './helpers/fleet-harness.js';

/** Requests on fresh connections every few ms against `port`, counting what failed. */
function hammer(port: number): { stop: () => Promise<{ ok: number; failed: string[]; servedBy: Set<string> }> } {
  let running = true;
  const failed: string[] = [];
  const seen = new Set<string>();
  let ok = 0;
  const loop = (async () => {
    while (running) {
      await new Promise<void>((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => {
            ok++;
            seen.add(body.trim().split(' pid')[0]!);
            resolve();
          });
          res.on('error', (e) => (failed.push(String(e)), resolve()));
        });
        req.on('error', (e) => (failed.push((e as NodeJS.ErrnoException).code ?? String(e)), resolve()));
        req.end();
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { ok, failed, servedBy: seen };
    },
  };
}

describe('the fleet: real agent processes over real WebSockets', () => {
  let db: TestDatabase;
  const world = new FleetWorld();
  before(async () => {
    db = await createSqliteDatabase();
    await world.startServer(db.url, { MOLT_FLEET_TICK: '60s' });
    world.buildAgent('1.0.0');
    world.buildAgent('1.1.0');
  });
  after(async () => {
    await world.stop();
    await db.drop();
  });

  it('5 agents on 1.0.0 show drifted against a 1.1.0 server; manual upgrades only the one asked, which re-execs on its socket in under 10 s with no refused connection', async (t) => {
    // a5 is an agent one protocol version behind: it speaks only schema_version 1.
    const started = ['a1', 'a2', 'a3', 'a4', 'a5'].map((id) => ({
      id,
      ...world.startAgent(
        id,
        world.buildAgent('1.0.0', 'agent-1.0.0.mjs'),
        id === 'a5' ? { MOLT_AGENT_PROTOCOLS: '1-1' } : {},
      ),
    }));
    const agents = await waitFor('5 agents online', async () => {
      const list = await world.agentsNow();
      return list.length === 5 && list.every((a) => a.online) ? list : null;
    });
    assert.deepEqual(
      agents.map((a) => [a.id, a.version, a.drift, a.state]),
      started.map((s) => [s.id, '1.0.0', true, 'drifted']),
    );
    // N and N-1 side by side: the hello negotiated 2 with four of them and 1 with a5.
    assert.deepEqual(
      agents.map((a) => a.protocol),
      [2, 2, 2, 2, 1],
    );
    assert.equal((await world.api('PUT', '/artifact', await world.artifact('1.1.0'))).status, 200);
    // Manual: Run now sends nothing.
    const run = await world.api<{ tick: { dispatched: string[]; mode: string } }>('POST', '/run');
    assert.deepEqual([run.body.tick.mode, run.body.tick.dispatched], ['manual', []]);

    const port = await agentPort(started[0]!.proc);
    assert.match(await servedBy(port), /^sample-agent 1\.0\.0/);
    const load = hammer(port);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const t0 = Date.now();
    const up = await world.api<{ dispatch: { id: string } }>('POST', '/agents/a1/upgrade');
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const confirmed = await waitFor('a1 confirmed on 1.1.0', async () =>
      (await world.agentsNow()).find((a) => a.id === 'a1' && a.state === 'confirmed' && a.version === '1.1.0'),
    );
    const took = Date.now() - t0;
    t.diagnostic(`the agent upgrade took ${took} ms from the API call to the confirmed hello`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const seen = await load.stop();
    assert.ok(took < 10_000, `the upgrade took ${took} ms`);
    assert.equal(confirmed.drift, false);
    assert.deepEqual(seen.failed, [], `failed requests across the swap (of ${seen.ok})`);
    assert.ok(seen.ok > 50, `only ${seen.ok} requests ran`);
    assert.deepEqual([...seen.servedBy].sort(), ['sample-agent 1.0.0', 'sample-agent 1.1.0']);
    assert.match(await servedBy(port), /^sample-agent 1\.1\.0/);
    // The others were left alone.
    const others = (await world.agentsNow()).filter((a: AgentView) => a.id !== 'a1');
    assert.deepEqual(
      others.map((a) => [a.version, a.state]),
      Array(4).fill(['1.0.0', 'drifted']),
    );
  });

  it('auto: every drifted agent, the N-1 one included, upgrades on the next evaluation; the audit holds exactly the rows of each action', async () => {
    assert.equal((await world.api('PUT', '/policy', { mode: 'auto' })).status, 200);
    const run = await world.api<{ tick: { dispatched: string[] } }>('POST', '/run');
    assert.deepEqual([...run.body.tick.dispatched].sort(), ['a2', 'a3', 'a4', 'a5']);
    const all = await waitFor('all 5 on 1.1.0', async () => {
      const list = await world.agentsNow();
      return list.every((a) => a.version === '1.1.0' && a.state === 'confirmed' && a.online) ? list : null;
    });
    assert.deepEqual(
      all.map((a) => a.protocol),
      [2, 2, 2, 2, 1],
      world.agents[4]!.output(),
    );
    const rows = (await world.audit()).map((e) => [
      e.action,
      e.actor,
      e.agentId ?? '-',
      String(e.detail.result ?? e.detail.action ?? ''),
    ]);
    const artifactUrl = `${world.url}/artifacts/agent-1.1.0.mjs`;
    const expected = [
      ...['a1', 'a2', 'a3', 'a4', 'a5'].map((id) => ['agent.enrol', 'enrolment', id, '']),
      ['agent.upgrade_artifact', 'admin', '-', ''],
      ['agent.upgrade_run', 'admin', '-', ''],
      ['stack.deploy', 'admin', 'a1', 'agent-upgrade'],
      ['agent.upgrade_result', 'agent:a1', 'a1', 'confirmed'],
      ['agent.upgrade_policy', 'admin', '-', ''],
      ['agent.upgrade_run', 'admin', '-', ''],
      ...['a2', 'a3', 'a4', 'a5'].map((id) => ['stack.deploy', 'admin', id, 'agent-upgrade']),
      ...['a2', 'a3', 'a4', 'a5'].map((id) => ['agent.upgrade_result', `agent:${id}`, id, 'confirmed']),
    ];
    const sort = (list: string[][]): string[][] => [...list].sort((x, y) => x.join().localeCompare(y.join()));
    assert.deepEqual(sort(rows), sort(expected));
    // Each dispatch names the server's version and the binary; the policy change its before and after.
    const deploys = await world.audit('?action=stack.deploy');
    assert.equal(deploys.length, 5);
    for (const d of deploys)
      assert.deepEqual([d.detail.server_version, d.detail.binary, d.detail.agent], ['1.1.0', artifactUrl, d.agentId]);
    const [policy] = await world.audit('?action=agent.upgrade_policy');
    assert.deepEqual(
      [(policy!.detail.before as { mode: string }).mode, (policy!.detail.after as { mode: string }).mode],
      ['manual', 'auto'],
    );
    // Filters: by agent and by actor.
    assert.deepEqual(
      (await world.audit('?agent=a3')).map((e) => e.action),
      ['agent.enrol', 'stack.deploy', 'agent.upgrade_result'],
    );
    assert.equal((await world.audit('?actor=admin')).length, 9);
  });
});
