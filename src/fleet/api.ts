import type { IncomingMessage, ServerResponse } from 'node:http';
import { changePolicy, pinAgent, runAs, setHalted } from './admin-actions.js';
import { policyOf } from './evaluator-loop.js';
import { HttpError, readJson, sendJson } from './http-util.js';
import type { FleetStore } from './store.js';
import type { TickReport } from './evaluator-loop.js';
import type { AgentRecord, DispatchRecord } from './types.js';

/** What the API needs of the fleet server (it implements this; the API never imports it). */
export interface ApiHost {
  readonly replica: string;
  readonly store: FleetStore;
  readonly serverVersion: string;
  agents(id?: string): Promise<AgentRecord[]>;
  upgradeAgent(agentId: string, actor: string): Promise<DispatchRecord>;
  runNow(actor: string): Promise<TickReport>;
  revoke(agentId: string): void;
  changed(type: string, agentId?: string): void;
  connections(): unknown[];
}
import type { Artifact, AuditFilter, Policy, PolicyMode } from './types.js';

const MODES: readonly PolicyMode[] = ['manual', 'auto', 'staged'];

function integer(body: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new HttpError(
      400,
      'bad_value',
      `${key} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`,
    );
  return value;
}

/** A policy change read strictly from a body: known fields only, each in its range, or a 400 naming the value. */
export function policyPatch(body: Record<string, unknown>): Partial<Policy> {
  const known = new Set(['mode', 'percent', 'canaries', 'haltAfter']);
  const unknown = Object.keys(body).filter((k) => !known.has(k));
  if (unknown.length)
    throw new HttpError(
      400,
      'bad_value',
      `unknown policy fields: ${unknown.join(', ')} (known: ${[...known].join(', ')})`,
    );
  const patch: Partial<Policy> = {};
  if (body.mode !== undefined) {
    if (!MODES.includes(body.mode as PolicyMode))
      throw new HttpError(
        400,
        'bad_value',
        `mode must be one of ${MODES.join(', ')}, not ${JSON.stringify(body.mode)}`,
      );
    patch.mode = body.mode as PolicyMode;
  }
  patch.percent = integer(body, 'percent', 1, 100);
  patch.canaries = integer(body, 'canaries', 0, 100);
  if (body.haltAfter === null) patch.haltAfter = null;
  else patch.haltAfter = integer(body, 'haltAfter', 1, 1_000_000);
  for (const key of Object.keys(patch) as (keyof Policy)[]) if (patch[key] === undefined) delete patch[key];
  return patch;
}

function artifactOf(body: Record<string, unknown>): Artifact {
  const { version, url, sha256, size, signature } = body;
  if (typeof version !== 'string' || version === '') throw new HttpError(400, 'bad_value', 'version is required');
  if (typeof url !== 'string' || !/^https?:\/\//.test(url))
    throw new HttpError(400, 'bad_value', 'url must be an http(s) URL');
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(sha256))
    throw new HttpError(400, 'bad_value', 'sha256 must be 64 hex digits');
  if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0)
    throw new HttpError(400, 'bad_value', 'size must be a positive whole number of bytes');
  if (signature !== undefined && typeof signature !== 'string')
    throw new HttpError(400, 'bad_value', 'signature must be base64 text');
  return { version, url, sha256: sha256.toLowerCase(), size, ...(signature ? { signature } : {}) };
}

function auditFilter(query: URLSearchParams): AuditFilter {
  const filter: AuditFilter = {};
  for (const key of ['action', 'agent', 'actor', 'since', 'until'] as const) {
    const value = query.get(key);
    if (value === null || value === '') continue;
    if ((key === 'since' || key === 'until') && Number.isNaN(Date.parse(value)) && !/^\d+$/.test(value))
      throw new HttpError(
        400,
        'bad_value',
        `${key} must be an ISO time or epoch milliseconds, not ${JSON.stringify(value)}`,
      );
    if (key === 'since' || key === 'until') filter[key] = /^\d+$/.test(value) ? Number(value) : value;
    else filter[key] = value;
  }
  const limit = query.get('limit');
  if (limit !== null) filter.limit = Math.max(1, Math.min(10_000, Number(limit) || 100));
  return filter;
}

/** The fleet's JSON API (under `${prefix}/api`), for an authenticated admin `actor`. */
export async function routeApi(
  fleet: ApiHost,
  actor: string,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const method = req.method ?? 'GET';
  const query = new URL(req.url ?? '/', 'http://fleet').searchParams;
  const ok = (body: unknown): void => sendJson(res, 200, body);
  const agentRoute = /^\/agents\/([^/]+)(\/upgrade|\/pin)?$/.exec(path);

  if (path === '/agents' && method === 'GET')
    return ok({ serverVersion: fleet.serverVersion, agents: await fleet.agents() });
  if (agentRoute) {
    const id = decodeURIComponent(agentRoute[1]!);
    const action = agentRoute[2];
    if (!action && method === 'GET') {
      const [agent] = await fleet.agents(id);
      if (!agent) throw new HttpError(404, 'unknown_agent', `no agent ${id}`);
      return ok({ agent, dispatches: await fleet.store.dispatches({ agent: id, limit: 20 }) });
    }
    if (!action && method === 'DELETE') {
      if (!(await fleet.store.forget(id, { action: 'agent.forget', actor, agentId: id, detail: { agent: id } })))
        throw new HttpError(404, 'unknown_agent', `no agent ${id}`);
      fleet.revoke(id);
      fleet.changed('agent', id);
      return ok({ forgotten: id });
    }
    if (action === '/upgrade' && method === 'POST') return ok({ dispatch: await fleet.upgradeAgent(id, actor) });
    if (action === '/pin' && method === 'POST') {
      const body = await readJson(req);
      if (typeof body.pinned !== 'boolean') throw new HttpError(400, 'bad_value', 'pinned must be true or false');
      const reason = typeof body.reason === 'string' ? body.reason.slice(0, 500) : null;
      if (!(await pinAgent(fleet, id, body.pinned, reason, actor)))
        throw new HttpError(404, 'unknown_agent', `no agent ${id}`);
      return ok({ agent: (await fleet.agents(id))[0] });
    }
  }
  if (path === '/policy' && method === 'GET') {
    const state = await fleet.store.state();
    return ok({
      policy: { ...policyOf(state), haltReason: state.haltReason },
      rollout: state.rolloutId
        ? { id: state.rolloutId, target: state.rolloutTarget, baseline: state.rolloutBaseline }
        : null,
      artifact: state.artifact,
      serverVersion: fleet.serverVersion,
      lastTick: state.lastTick,
    });
  }
  if (path === '/policy' && method === 'PUT') {
    const after = await changePolicy(fleet, policyPatch(await readJson(req)), actor);
    return ok({ policy: { ...policyOf(after), haltReason: after.haltReason } });
  }
  if ((path === '/policy/resume' || path === '/policy/halt') && method === 'POST') {
    const after = await setHalted(fleet, path.endsWith('/halt'), actor);
    return ok({ policy: { ...policyOf(after), haltReason: after.haltReason } });
  }
  if (path === '/run' && method === 'POST') return ok({ tick: await runAs(fleet, actor) });
  if (path === '/artifact' && method === 'GET') return ok({ artifact: (await fleet.store.state()).artifact });
  if (path === '/artifact' && method === 'PUT') {
    const artifact = artifactOf(await readJson(req));
    if (artifact.version !== fleet.serverVersion)
      throw new HttpError(
        409,
        'wrong_version',
        `this server runs ${fleet.serverVersion}; the agent build must be for it, not ${artifact.version}`,
      );
    await fleet.store.setArtifact(artifact, { action: 'agent.upgrade_artifact', actor, detail: { ...artifact } });
    fleet.changed('policy');
    return ok({ artifact });
  }
  if (path === '/audit' && method === 'GET') return ok({ entries: await fleet.store.readAudit(auditFilter(query)) });
  if (path === '/dispatches' && method === 'GET')
    return ok({
      dispatches: await fleet.store.dispatches({
        agent: query.get('agent') ?? undefined,
        rollout: query.get('rollout') ?? undefined,
        limit: Number(query.get('limit')) || 200,
      }),
    });
  if (path === '/connections' && method === 'GET')
    return ok({ replica: fleet.replica, connections: fleet.connections() });
  throw new HttpError(404, 'not_found', `no fleet API route ${method} ${path}`);
}
