import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { createBundle, generateSigningKeys, signArtifact } from '../src/fleet/index.js';
import { createSqliteDatabase, type TestDatabase } from './helpers/databases.js';
import { ENROL_TOKEN, FleetWorld, agentPort, servedBy, sleep, waitFor } from './helpers/fleet-harness.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const molt = (args: string[]): { code: number | null; out: string } => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
};

describe('the fleet when upgrades go wrong', () => {
  let db: TestDatabase;
  const world = new FleetWorld();
  let stall: Server;
  before(async () => {
    db = await createSqliteDatabase();
    // A 1 s tick: the halt and the deadlines come by themselves. Confirmation within 4 s.
    await world.startServer(db.url, {
      MOLT_FLEET_TICK: '1s',
      MOLT_FLEET_CONFIRM_WITHIN: '4s',
      MOLT_FLEET_ACK_WITHIN: '4s',
    });
    world.buildAgent('1.1.0');
    // A download that never answers: the agent waits in `downloading`.
    stall = createServer(() => undefined).listen(0);
  });
  after(async () => {
    stall.closeAllConnections();
    stall.close();
    await world.stop();
    await db.drop();
  });

  it('a corrupted artifact: the staged canaries report checksum_mismatch with both hashes, keep running the old version, and the rollout halts by itself', async () => {
    const build = world.buildAgent('1.0.0');
    const procs = ['c1', 'c2', 'c3', 'c4'].map((id) => world.startAgent(id, build).proc);
    await waitFor('4 agents online', async () => (await world.agentsNow()).filter((a) => a.online).length === 4);
    const good = await world.artifact('1.1.0');
    const wrong = 'f'.repeat(64);
    assert.equal((await world.api('PUT', '/artifact', { ...good, sha256: wrong })).status, 200);
    assert.equal((await world.api('PUT', '/policy', { mode: 'staged', percent: 50, canaries: 2 })).status, 200);
    const halted = await waitFor('the rollout to halt', async () => {
      const { body } = await world.api<{ policy: { halted: boolean; haltReason: string } }>('GET', '/policy');
      return body.policy.halted ? body.policy : null;
    });
    assert.match(halted.haltReason, /^canary c\d .*failed: checksum_mismatch/);
    const agents = await world.agentsNow();
    const failed = agents.filter((a) => a.state === 'failed');
    assert.equal(failed.length, 2, JSON.stringify(agents));
    for (const a of failed) {
      assert.equal(a.reason, 'checksum_mismatch');
      assert.deepEqual([a.detail!.expected, a.detail!.actual], [wrong, good.sha256]);
      assert.equal(a.version, '1.0.0');
    }
    // The other two were never sent anything, and every agent still serves 1.0.0.
    assert.deepEqual(
      agents.filter((a) => a.state !== 'failed').map((a) => a.state),
      ['drifted', 'drifted'],
    );
    for (const proc of procs) assert.match(await servedBy(await agentPort(proc)), /^sample-agent 1\.0\.0/);
    const halts = (await world.audit('?action=agent.upgrade_policy')).filter((e) => e.actor === 'evaluator');
    assert.equal(halts.length, 1);
    assert.match(String(halts[0]!.detail.reason), /checksum_mismatch/);
    const results = await world.audit('?action=agent.upgrade_result');
    assert.deepEqual(
      results.map((e) => [e.detail.result, e.detail.reason]),
      [
        ['failed', 'checksum_mismatch'],
        ['failed', 'checksum_mismatch'],
      ],
    );
    // A pinned agent is never sent an upgrade; pinning is audited with who and why.
    const pin = await world.api<{ agent: { pinned: boolean } }>('POST', '/agents/c3/pin', {
      pinned: true,
      reason: 'customer freeze',
    });
    assert.deepEqual([pin.status, pin.body.agent.pinned], [200, true]);
    const [pinned] = await world.audit('?action=agent.upgrade_pin');
    assert.deepEqual([pinned!.actor, pinned!.agentId, pinned!.detail.reason], ['admin', 'c3', 'customer freeze']);
    assert.equal((await world.api('POST', '/agents/nobody/pin', { pinned: true })).status, 404);
    assert.equal((await world.api('POST', '/agents/c3/pin', { pinned: 'yes' })).status, 400);
    assert.equal((await world.api('PUT', '/policy', { mode: 'sometimes' })).status, 400);
    assert.equal((await world.api('PUT', '/policy', { percent: 0 })).status, 400);
    // Back to manual for the next cases, with the good build.
    await world.api('PUT', '/policy', { mode: 'manual' });
    await world.api('POST', '/policy/resume');
    assert.equal((await world.api('PUT', '/artifact', good)).status, 200);
  });

  it('a new version that crashes at start: the agent goes back to the old one by itself and reports rolled_back', async () => {
    const { proc } = world.startAgent('r1', world.buildAgent('1.0.0'), { SAMPLE_AGENT_CRASH: '1.1.0' });
    await waitFor('r1 online', async () => (await world.agentsNow()).find((a) => a.id === 'r1' && a.online));
    assert.equal((await world.api('POST', '/agents/r1/upgrade')).status, 200);
    const r1 = await waitFor('r1 rolled back', async () =>
      (await world.agentsNow()).find((a) => a.id === 'r1' && a.state === 'rolled_back' && a.online),
    );
    assert.match(r1.reason!, /1\.1\.0 exited 3 times before it confirmed \(last: exit code 3\)/);
    assert.equal(r1.version, '1.0.0');
    assert.match(await servedBy(await agentPort(proc)), /^sample-agent 1\.0\.0/);
    const [result] = await world.audit('?agent=r1&action=agent.upgrade_result');
    assert.deepEqual([result!.detail.result, result!.actor], ['rolled_back', 'agent:r1']);
  });

  it('a fleet with signed builds: a build signed by another key is refused as signature_invalid and never runs; the right signature upgrades', async () => {
    const mine = molt(['fleet', 'keygen', '--out', join(world.root, 'fleet'), '--json']);
    assert.equal(mine.code, 0, mine.out);
    const other = generateSigningKeys();
    assert.equal(molt(['fleet', 'keygen', '--out', join(world.root, 'fleet')]).code, 2, 'a key is never overwritten');
    const { proc } = world.startAgent('sig1', world.buildAgent('1.0.0'), {
      MOLT_AGENT_PUBLIC_KEY_FILE: join(world.root, 'fleet.pub'),
    });
    await waitFor('sig1 online', async () => (await world.agentsNow()).find((a) => a.id === 'sig1' && a.online));
    const good = await world.artifact('1.1.0');
    await world.api('PUT', '/artifact', { ...good, signature: signArtifact(good as never, other.privateKey) });
    assert.equal((await world.api('POST', '/agents/sig1/upgrade')).status, 200);
    const refused = await waitFor('sig1 failed', async () =>
      (await world.agentsNow()).find((a) => a.id === 'sig1' && a.state === 'failed'),
    );
    assert.equal(refused.reason, 'signature_invalid');
    assert.match(await servedBy(await agentPort(proc)), /^sample-agent 1\.0\.0/);
    const signed = molt([
      'fleet',
      'sign',
      join(world.artifacts, 'agent-1.1.0.mjs'),
      '--version',
      '1.1.0',
      '--key',
      join(world.root, 'fleet.key'),
      '--json',
    ]);
    assert.equal(signed.code, 0, signed.out);
    const { report } = JSON.parse(signed.out) as { report: { sha256: string; size: number; signature: string } };
    assert.deepEqual([report.sha256, report.size], [good.sha256, good.size]);
    await world.api('PUT', '/artifact', { ...good, signature: report.signature });
    assert.equal((await world.api('POST', '/agents/sig1/upgrade')).status, 200);
    await waitFor('sig1 on 1.1.0', async () =>
      (await world.agentsNow()).find((a) => a.id === 'sig1' && a.state === 'confirmed' && a.version === '1.1.0'),
    );
    await world.api('PUT', '/artifact', good);
  });

  it('an agent killed after the dispatch and never back is unconfirmed at the deadline, not updating forever', async () => {
    const { proc } = world.startAgent('k1', world.buildAgent('1.0.0'));
    await waitFor('k1 online', async () => (await world.agentsNow()).find((a) => a.id === 'k1' && a.online));
    const good = await world.artifact('1.1.0');
    const port = (stall.address() as { port: number }).port;
    await world.api('PUT', '/artifact', { ...good, url: `http://127.0.0.1:${port}/agent.mjs` });
    assert.equal((await world.api('POST', '/agents/k1/upgrade')).status, 200);
    await waitFor('k1 downloading', async () =>
      (await world.agentsNow()).find((a) => a.id === 'k1' && a.state === 'downloading'),
    );
    proc.child.kill('SIGKILL');
    const k1 = await waitFor(
      'k1 unconfirmed',
      async () => (await world.agentsNow()).find((a) => a.id === 'k1' && a.state === 'unconfirmed'),
      15_000,
    );
    assert.match(k1.reason!, /no hello on 1\.1\.0 within 4 s/);
    const [result] = await world.audit('?agent=k1&action=agent.upgrade_result');
    assert.deepEqual([result!.detail.result, result!.actor], ['unconfirmed', 'evaluator']);
    await world.api('PUT', '/artifact', good);
  });

  it('an air-gapped agent shows pending and is never sent an upgrade; a tampered bundle is refused; the bundle upgrades it by hand', async () => {
    const { proc, dir } = world.startAgent('g1', world.buildAgent('1.0.0'), { MOLT_AGENT_UPDATE_SOURCE: 'offline' });
    const g1 = await waitFor('g1 online', async () => (await world.agentsNow()).find((a) => a.id === 'g1' && a.online));
    assert.deepEqual([g1.state, g1.reason], ['pending', 'air-gapped: install the offline bundle']);
    const refused = await world.api<{ error: { code: string } }>('POST', '/agents/g1/upgrade');
    assert.deepEqual([refused.status, refused.body.error.code], [409, 'pending']);
    const bundle = join(world.root, 'agent-1.1.0.tar.gz');
    const manifest = await createBundle({
      artifact: join(world.artifacts, 'agent-1.1.0.mjs'),
      version: '1.1.0',
      out: bundle,
    });
    // Tampered: the operator's checksum (from the release page) does not match.
    const bad = molt(['agent', 'install', bundle, '--dir', dir, '--sha256', '0'.repeat(64)]);
    assert.equal(bad.code, 20, bad.out);
    assert.match(bad.out, /sha256/);
    assert.match(await servedBy(await agentPort(proc)), /^sample-agent 1\.0\.0/);
    const good = molt(['agent', 'install', bundle, '--dir', dir, '--sha256', manifest.sha256, '--json']);
    assert.equal(good.code, 0, good.out);
    const confirmed = await waitFor('g1 on 1.1.0', async () =>
      (await world.agentsNow()).find((a) => a.id === 'g1' && a.version === '1.1.0' && a.online),
    );
    assert.equal(confirmed.state, 'confirmed');
    assert.match(await servedBy(await agentPort(proc)), /^sample-agent 1\.1\.0/);
    const [result] = await world.audit('?agent=g1&action=agent.upgrade_result');
    assert.deepEqual([result!.detail.result, result!.detail.source], ['confirmed', 'offline-bundle']);
    const status = molt(['agent', 'status', '--dir', dir, '--json']);
    assert.equal(JSON.parse(status.out).report.current, '1.1.0');
  });

  it('no agent without a credential, no API call without an admin token; an unknown schema_version is refused with the typed error and close code', async () => {
    for (const [method, path] of [
      ['GET', '/agents'],
      ['PUT', '/policy'],
      ['POST', '/run'],
      ['GET', '/audit'],
      ['POST', '/agents/c1/upgrade'],
    ] as const) {
      assert.equal(
        (await world.api(method, path, method === 'GET' ? undefined : {}, null)).status,
        401,
        `${method} ${path} without a token`,
      );
      assert.equal(
        (await world.api(method, path, method === 'GET' ? undefined : {}, 'not-the-token')).status,
        401,
        `${method} ${path} with a wrong token`,
      );
    }
    const enrol = async (token: string, agentId: string): Promise<Response> =>
      fetch(`${world.url}/fleet/enrol`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agentId, token }),
      });
    assert.equal((await enrol('wrong', 'x1')).status, 401);
    assert.equal((await enrol(ENROL_TOKEN, 'c1')).status, 409);
    const { credential } = (await (await enrol(ENROL_TOKEN, 'raw1')).json()) as { credential: string };
    const connect = (auth: string | null): WebSocket =>
      new WebSocket(`${world.url.replace('http', 'ws')}/fleet/connect`, {
        headers: auth ? { authorization: `Bearer ${auth}` } : {},
      });
    for (const auth of [null, 'raw1:wrong', `c1:${credential}`]) {
      const status = await new Promise<number>((resolve) => {
        const ws = connect(auth);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => undefined);
      });
      assert.equal(status, 401, `connect with ${auth}`);
    }
    const talk = async (
      first: Record<string, unknown>,
    ): Promise<{ messages: Record<string, unknown>[]; code: number }> => {
      const ws = connect(`raw1:${credential}`);
      const messages: Record<string, unknown>[] = [];
      ws.on('message', (d) => messages.push(JSON.parse(String(d))));
      await new Promise((resolve) => ws.once('open', resolve));
      ws.send(JSON.stringify(first));
      const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
      return { messages, code };
    };
    const hello = {
      type: 'hello',
      id: '1',
      ts: new Date().toISOString(),
      payload: { agentId: 'raw1', version: '1.0.0', protocols: { min: 1, max: 2 } },
    };
    const unknown = await talk({ ...hello, schema_version: 99 });
    assert.equal(unknown.code, 4002);
    assert.deepEqual(
      unknown.messages.map((m) => [
        m.type,
        (m.payload as { code: string }).code,
        (m.payload as { supported: unknown }).supported,
      ]),
      [['error', 'unsupported_schema_version', { min: 1, max: 2 }]],
    );
    assert.equal((await talk(hello)).code, 4001);
    // A known version with an unknown type after the hello: a typed error, and the connection stays.
    const ws = connect(`raw1:${credential}`);
    const seen: Record<string, unknown>[] = [];
    ws.on('message', (d) => seen.push(JSON.parse(String(d))));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ ...hello, schema_version: 1, future_field: 'kept' }));
    await waitFor('welcome', () => seen.find((m) => m.type === 'welcome'));
    ws.send(JSON.stringify({ schema_version: 2, type: 'telemetry.v9', id: '2', ts: '', payload: {} }));
    const error = await waitFor('an error', () => seen.find((m) => m.type === 'error'));
    assert.equal((error.payload as { code: string }).code, 'unknown_type');
    await sleep(200);
    assert.equal(ws.readyState, WebSocket.OPEN);
    // Forgetting an agent closes its connection (4012) and revokes its credential; only then may the id enrol again.
    const closed = new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
    assert.equal((await world.api('DELETE', '/agents/raw1')).status, 200);
    assert.equal(await closed, 4012);
    const again = await enrol(ENROL_TOKEN, 'raw1');
    assert.equal(again.status, 200);
    const refusedOld = await new Promise<number>((resolve) => {
      const old = connect(`raw1:${credential}`);
      old.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      old.on('open', () => resolve(101));
      old.on('error', () => undefined);
    });
    assert.equal(refusedOld, 401);
    const [forgot] = await world.audit('?action=agent.forget');
    assert.deepEqual([forgot!.actor, forgot!.agentId], ['admin', 'raw1']);
  });

  it('a version on trial that a service manager keeps restarting, with no predecessor watching: after 3 starts current goes back', async () => {
    const dir = join(world.root, 'agent-w1');
    world.agentDirs.push(dir);
    const bundle = (v: string): string => {
      const out = join(world.root, `w1-${v}.tar.gz`);
      return out;
    };
    await createBundle({ artifact: world.buildAgent('1.0.0'), version: '1.0.0', out: bundle('1.0.0') });
    await createBundle({ artifact: join(world.artifacts, 'agent-1.1.0.mjs'), version: '1.1.0', out: bundle('1.1.0') });
    // Installed by hand, as on a host: 1.0.0 first, confirmed by one run; then 1.1.0 while the agent is stopped.
    assert.equal(molt(['agent', 'install', bundle('1.0.0'), '--dir', dir]).code, 0);
    const first = world.startAgent('w1', join(dir, 'current', 'agent.mjs'));
    await waitFor('w1 online', async () => (await world.agentsNow()).find((a) => a.id === 'w1' && a.online));
    first.proc.child.kill('SIGTERM');
    await first.proc.exited;
    assert.equal(molt(['agent', 'install', bundle('1.1.0'), '--dir', dir]).code, 0);
    // What systemd's Restart=always does: start current again each time it exits.
    const codes: (number | null)[] = [];
    for (let i = 0; i < 4; i++) {
      const { proc } = world.startAgent('w1', join(dir, 'current', 'agent.mjs'), { SAMPLE_AGENT_CRASH: '1.1.0' });
      codes.push(await proc.exited);
    }
    assert.deepEqual(codes, [3, 3, 3, 1]);
    const status = JSON.parse(molt(['agent', 'status', '--dir', dir, '--json']).out).report;
    assert.equal(status.current, '1.0.0');
    assert.equal(status.marker.state, 'rolled_back');
    assert.match(status.marker.reason, /1\.1\.0 started 3 times without confirming/);
    const { proc } = world.startAgent('w1', join(dir, 'current', 'agent.mjs'), { SAMPLE_AGENT_CRASH: '1.1.0' });
    assert.match(await servedBy(await agentPort(proc)), /^sample-agent 1\.0\.0/);
  });
});
