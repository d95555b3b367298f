import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { download } from '../src/fleet/artifact.js';
import { EnvelopeError, envelope, negotiate, parseEnvelope } from '../src/envelope/index.js';
import {
  ArtifactError,
  checkArtifact,
  generateSigningKeys,
  planTick,
  rolloutOrder,
  signArtifact,
  type Candidate,
} from '../src/fleet/index.js';
import type { DispatchRecord, Policy } from '../src/fleet/index.js';

const range = { min: 1, max: 2 };

describe('the envelope', () => {
  it('reads a known version strictly and keeps unknown fields', () => {
    const m = parseEnvelope(JSON.stringify({ ...envelope(2, 'hello', { a: 1, extra: true }), later: 'kept' }), range);
    assert.deepEqual([m.schema_version, m.type, m.payload, m.later], [2, 'hello', { a: 1, extra: true }, 'kept']);
  });

  it('refuses a missing, non-integer or unsupported version with the problem and close code, never guessing', () => {
    const cases: [unknown, string, number][] = [
      [{ type: 'x', payload: {} }, 'missing_schema_version', 4001],
      [{ schema_version: '1.0', type: 'x' }, 'unsupported_schema_version', 4002],
      [{ schema_version: 1.5, type: 'x' }, 'unsupported_schema_version', 4002],
      [{ schema_version: 3, type: 'x' }, 'unsupported_schema_version', 4002],
      [{ schema_version: 0, type: 'x' }, 'unsupported_schema_version', 4002],
      ['not json', 'malformed', 4000],
      [[1, 2], 'malformed', 4000],
      [{ schema_version: 1 }, 'malformed', 4000],
    ];
    for (const [input, problem, code] of cases) {
      assert.throws(
        () => parseEnvelope(typeof input === 'string' ? input : JSON.stringify(input), range),
        (e: unknown) =>
          e instanceof EnvelopeError && e.problem === problem && e.closeCode === code && e.code === 'ENVELOPE_REFUSED',
        JSON.stringify(input),
      );
    }
  });

  it('negotiates the highest common version, and refuses ranges that do not meet', () => {
    assert.equal(negotiate({ min: 1, max: 1 }, range), 1);
    assert.equal(negotiate({ min: 1, max: 5 }, range), 2);
    assert.throws(
      () => negotiate({ min: 3, max: 4 }, range),
      (e: unknown) => e instanceof EnvelopeError && e.closeCode === 4003,
    );
  });
});

const policy = (p: Partial<Policy>): Policy => ({
  mode: 'staged',
  percent: 10,
  canaries: 3,
  haltAfter: null,
  halted: false,
  haltReason: null,
  ...p,
});
const agents = (n: number, over: Partial<Candidate> = {}): Candidate[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `a${i}`,
    version: '1.0.0',
    online: true,
    pinned: false,
    updateSource: 'online',
    busy: false,
    ...over,
  }));
const dispatch = (agentId: string, state: DispatchRecord['state'], canary = false): DispatchRecord => ({
  id: agentId,
  agentId,
  rolloutId: 'r',
  canary,
  fromVersion: '1.0.0',
  toVersion: '2.0.0',
  artifact: {} as never,
  actor: 'evaluator',
  state,
  reason: null,
  detail: null,
  createdAt: '',
  endedAt: ['queued', 'sent', 'accepted', 'downloading', 'installed'].includes(state) ? null : 'x',
});

describe('the evaluator plan', () => {
  const base = { serverVersion: '2.0.0', rolloutDispatches: [], newRolloutId: 'r' };
  it('manual and halted send nothing; auto sends every eligible agent; pinned, offline, air-gapped and ahead ones never', () => {
    const list = [
      ...agents(4),
      { ...agents(1)[0]!, id: 'pin', pinned: true },
      { ...agents(1)[0]!, id: 'off', online: false },
      { ...agents(1)[0]!, id: 'gap', updateSource: 'offline' as const },
      { ...agents(1)[0]!, id: 'new', version: '3.0.0' },
    ];
    assert.deepEqual(
      planTick({ ...base, policy: policy({ mode: 'manual' }), rollout: null, agents: list }).dispatch,
      [],
    );
    assert.deepEqual(
      planTick({ ...base, policy: policy({ mode: 'auto', halted: true }), rollout: null, agents: list }).dispatch,
      [],
    );
    const auto = planTick({ ...base, policy: policy({ mode: 'auto' }), rollout: null, agents: list });
    assert.deepEqual(auto.dispatch.map((d) => d.agentId).sort(), ['a0', 'a1', 'a2', 'a3']);
  });

  it('staged: canaries alone first, then batches of the percentage, never while any is in flight, in one stable order', () => {
    const list = agents(50);
    const first = planTick({ ...base, policy: policy({}), rollout: null, agents: list });
    assert.deepEqual(
      [first.dispatch.length, first.dispatch.every((d) => d.canary), first.startRollout?.baseline],
      [3, true, 50],
    );
    assert.deepEqual(
      first.dispatch.map((d) => d.agentId),
      rolloutOrder(
        'r',
        list.map((a) => a.id),
      ).slice(0, 3),
    );
    const rollout = { id: 'r', target: '2.0.0', baseline: 50 };
    const flying = planTick({
      ...base,
      policy: policy({}),
      rollout,
      agents: list,
      rolloutDispatches: first.dispatch.map((d, i) => dispatch(d.agentId, i ? 'confirmed' : 'downloading', true)),
    });
    assert.deepEqual(flying.dispatch, []);
    const next = planTick({
      ...base,
      policy: policy({}),
      rollout,
      agents: list,
      rolloutDispatches: first.dispatch.map((d) => dispatch(d.agentId, 'confirmed', true)),
    });
    assert.deepEqual([next.dispatch.length, next.dispatch.some((d) => d.canary)], [5, false]);
  });

  it('halts on a failed canary, or when failures reach the threshold', () => {
    const rollout = { id: 'r', target: '2.0.0', baseline: 100 };
    const canary = planTick({
      ...base,
      policy: policy({}),
      rollout,
      agents: agents(100),
      rolloutDispatches: [dispatch('a1', 'rolled_back', true)],
    });
    assert.match(canary.halt!, /^canary a1 rolled back/);
    const many = planTick({
      ...base,
      policy: policy({}),
      rollout,
      agents: agents(100),
      rolloutDispatches: [
        ...['a1', 'a2', 'a3'].map((id) => dispatch(id, 'confirmed', true)),
        ...['a4', 'a5', 'a6', 'a7'].map((id) => dispatch(id, 'unconfirmed')),
        dispatch('a8', 'failed'),
      ],
    });
    assert.match(many.halt!, /5 failed upgrades in the rollout \(the threshold is 5\)/);
  });
});

describe('artifacts', () => {
  it('a download past the cap is cut and leaves no partial file; size, sha256 and signatures are checked', async () => {
    const body = Buffer.alloc(300_000, 7);
    const server = createServer((_req, res) => res.end(body)).listen(0);
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/a`;
    const dir = mkdtempSync(join(tmpdir(), 'molt-artifact-'));
    try {
      const partial = join(dir, 'a.partial');
      await assert.rejects(
        download(url, partial, { maxBytes: 100_000, expectedSize: 50_000 }),
        (e: unknown) => e instanceof ArtifactError && e.problem === 'too_large',
      );
      assert.equal(existsSync(partial), false);
      await assert.rejects(
        download(url, partial, { maxBytes: 100_000, expectedSize: 200_000 }),
        (e: unknown) => e instanceof ArtifactError && e.problem === 'too_large',
      );
      await assert.rejects(
        download('http://127.0.0.1:1/x', partial, { maxBytes: 1e6, expectedSize: 1 }),
        (e: unknown) => e instanceof ArtifactError && e.problem === 'no_network',
      );
      const got = await download(url, partial, { maxBytes: 1e6, expectedSize: body.length });
      const sha256 = createHash('sha256').update(body).digest('hex');
      assert.deepEqual(got, { sha256, size: body.length });
      const keys = generateSigningKeys();
      const artifact = { version: '2.0.0', sha256, size: body.length };
      const signature = signArtifact(artifact, keys.privateKey);
      checkArtifact({ ...artifact, signature }, got, keys.publicKey);
      checkArtifact(artifact, got, null);
      const problem = (expected: object, key: string | null): string => {
        try {
          checkArtifact({ ...artifact, ...expected }, got, key);
          return 'ok';
        } catch (e) {
          return (e as ArtifactError).problem;
        }
      };
      assert.equal(problem({ signature: undefined }, keys.publicKey), 'signature_missing');
      assert.equal(
        problem({ signature: signArtifact(artifact, generateSigningKeys().privateKey) }, keys.publicKey),
        'signature_invalid',
      );
      // The signature covers the version: the same bytes signed as another version do not pass.
      assert.equal(
        problem({ signature: signArtifact({ ...artifact, version: '1.9.9' }, keys.privateKey) }, keys.publicKey),
        'signature_invalid',
      );
      assert.equal(problem({ sha256: '0'.repeat(64), signature }, keys.publicKey), 'checksum_mismatch');
      assert.equal(problem({ size: 1 }, null), 'size_mismatch');
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
