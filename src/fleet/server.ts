import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { EnvelopeError, envelope, negotiate, parseEnvelope, refusal, type Envelope } from '../envelope/index.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../runtime/index.js';
import { Batcher } from './batcher.js';
import { Evaluator, type TickReport } from './evaluator-loop.js';
import { isBehind } from './evaluator.js';
import { HttpError, bearer, matchesHash, sameSecret, secretHash, sendJson, readJson } from './http-util.js';
import { FLEET_CLOSE, FLEET_PROTOCOL, type Hello, type UpgradeOrder, type UpgradeStatus } from './protocol.js';
import { shownAgent } from './registry.js';
import type { AgentRow, AuditWrite, FleetStore, HelloWrite } from './store.js';
import { ACTIVE_STATES, type AgentRecord, type DispatchRecord } from './types.js';
import { routeApi } from './api.js';

/** Timings of the fleet; the defaults are operations.md §4D's. */
export interface FleetTimings {
  /** The evaluator's period (default 60 s). */
  tickMs: number;
  /** How long an agent has to answer an upgrade (default 60 s). */
  ackWithinMs: number;
  /** How long an upgrade has to be confirmed by a hello on the new version (default 15 min). */
  confirmWithinMs: number;
  /** How often queued upgrades are looked for, for agents this replica holds (default 250 ms). */
  deliverEveryMs: number;
  /** How often this replica says its agents are still connected (default 15 s); offline after 3 missed. */
  touchEveryMs: number;
}

/** What a fleet server runs with. */
export interface FleetServerOptions {
  store: FleetStore;
  /** The version agents are compared with; drift is inequality. */
  serverVersion: string;
  /** Admin names and their API tokens; every API call needs one. */
  admins: Record<string, string>;
  /** The token an agent presents once to enrol; enrolment is closed without one. */
  enrolmentToken?: string | null;
  /** Where the fleet's routes live on the service's server (default `/fleet`). */
  prefix?: string;
  timings?: Partial<FleetTimings>;
  log: Logger;
  /** Closes what the server opened (the session) after the fleet closed. */
  onClose?: () => Promise<void>;
}

const DEFAULT_TIMINGS: FleetTimings = {
  tickMs: 60_000,
  ackWithinMs: 60_000,
  confirmWithinMs: 15 * 60_000,
  deliverEveryMs: 250,
  touchEveryMs: 15_000,
};

interface Connection {
  ws: WebSocket;
  agentId: string;
  protocol: number;
  version: string;
  progress?: { dispatchId: string; bytes: number; total: number };
}

/**
 * The server side of the fleet, mounted on a service's own HTTP server: enrolment, the agents' WebSocket, the
 * registry, the evaluator, dispatch and the JSON API, all kept in the service's database.
 * @example
 * const fleet = await openFleet({ serverVersion: '2.0.0', admins: { admin: process.env.ADMIN_TOKEN! } });
 * fleet.attach(server);
 */
export class FleetServer {
  readonly store: FleetStore;
  readonly serverVersion: string;
  readonly prefix: string;
  readonly timings: FleetTimings;
  /** This process's name among the replicas: which connections it holds. */
  readonly replica = `${process.pid}-${randomUUID().slice(0, 8)}`;
  readonly evaluator: Evaluator;
  readonly log: Logger;
  readonly #admins: [string, string][];
  readonly #enrolmentToken: string | null;
  readonly #connections = new Map<string, Connection>();
  readonly #auth: Batcher<string, string | null>;
  readonly #hellos: Batcher<HelloWrite, undefined>;
  readonly #gone: Batcher<string, undefined>;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #onClose?: () => Promise<void>;
  #wss: WebSocketServer | null = null;
  #delivering: Promise<void> | null = null;
  #closed = false;
  /** Listeners told of every change an API reader would see (the console's live updates). */
  readonly #watchers = new Set<(event: { type: string; agentId?: string }) => void>();

  constructor(options: FleetServerOptions) {
    this.store = options.store;
    this.serverVersion = options.serverVersion;
    this.prefix = (options.prefix ?? '/fleet').replace(/\/+$/, '');
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.log = options.log;
    this.#admins = Object.entries(options.admins);
    this.#enrolmentToken = options.enrolmentToken ?? null;
    this.#onClose = options.onClose;
    this.#auth = new Batcher(async (ids) => {
      const hashes = await this.store.secretHashes([...new Set(ids)]);
      return ids.map((id) => hashes.get(id) ?? null);
    });
    this.#hellos = new Batcher(async (batch) => {
      await this.store.hellos(batch, this.replica);
      return batch.map(() => undefined);
    });
    this.#gone = new Batcher(async (ids) => {
      await this.store.disconnected(ids, this.replica);
      return ids.map(() => undefined);
    });
    this.evaluator = new Evaluator(this);
  }

  /** Starts the evaluator, delivery and presence timers. */
  start(): void {
    const every = (ms: number, work: () => Promise<unknown>): void => {
      const timer = setInterval(() => void work().catch((error) => this.log.warn(`fleet: ${messageOf(error)}`)), ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(this.timings.tickMs, () => this.evaluator.tick('evaluator'));
    every(this.timings.deliverEveryMs, () => this.deliver());
    every(this.timings.touchEveryMs, () => this.store.touch(this.replica));
  }

  /** Calls `listener` on every change (agent seen, dispatch moved, policy changed); returns the way to stop. */
  watch(listener: (event: { type: string; agentId?: string }) => void): () => void {
    this.#watchers.add(listener);
    return () => this.#watchers.delete(listener);
  }

  /** Tells the watchers. */
  changed(type: string, agentId?: string): void {
    for (const listener of this.#watchers) listener({ type, agentId });
  }

  /**
   * Mounts the fleet on a server: its routes answer under the prefix, every other request and upgrade goes to the
   * listeners the server had.
   */
  attach(server: Server): void {
    const requests = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.handle(req, res)) return;
      for (const listener of requests) listener.call(server, req, res);
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.handleUpgrade(req, socket, head);
    });
  }

  /** Answers a request under the prefix (true), or leaves it to the service (false). */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    if (path !== this.prefix && !path.startsWith(`${this.prefix}/`)) return false;
    const rest = path.slice(this.prefix.length) || '/';
    void this.#answer(req, res, rest).catch((error) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof HttpError)
        return sendJson(res, error.status, { error: { code: error.reason, message: error.message } });
      this.log.warn(`fleet: ${req.method} ${path}: ${messageOf(error)}`);
      sendJson(res, 500, { error: { code: 'internal', message: messageOf(error) } });
    });
    return true;
  }

  async #answer(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === '/enrol' && req.method === 'POST') return sendJson(res, 200, await this.#enrol(await readJson(req)));
    if (path.startsWith('/api/')) {
      const actor = this.adminOf(req);
      return routeApi(this, actor, req, res, path.slice(4));
    }
    throw new HttpError(404, 'not_found', `no fleet route ${req.method} ${path}`);
  }

  /** The admin a request's bearer token names; refused (401) without a valid one. */
  adminOf(req: IncomingMessage): string {
    const token = bearer(req);
    if (token) for (const [name, secret] of this.#admins) if (sameSecret(token, secret)) return name;
    throw new HttpError(
      401,
      'unauthorized',
      token ? 'the admin token is not valid' : 'an admin token is required (Authorization: Bearer …)',
    );
  }

  async #enrol(body: Record<string, unknown>): Promise<{ agentId: string; credential: string }> {
    if (!this.#enrolmentToken)
      throw new HttpError(403, 'enrolment_closed', 'enrolment is closed: the fleet has no enrolment token');
    if (typeof body.token !== 'string' || !sameSecret(body.token, this.#enrolmentToken))
      throw new HttpError(401, 'unauthorized', 'the enrolment token is not valid');
    const agentId = body.agentId;
    if (typeof agentId !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(agentId))
      throw new HttpError(400, 'bad_agent_id', 'agentId must be 1–128 letters, digits, dots, dashes or underscores');
    const credential = randomBytes(32).toString('base64url');
    const made = await this.store.enrol(agentId, secretHash(credential), {
      action: 'agent.enrol',
      actor: 'enrolment',
      agentId,
      detail: { agent: agentId },
    });
    if (!made)
      throw new HttpError(
        409,
        'agent_exists',
        `agent ${agentId} is enrolled already; an admin forgets it first to enrol it again`,
      );
    this.changed('agent', agentId);
    return { agentId, credential };
  }

  /** Takes an agent's WebSocket upgrade under `${prefix}/connect` (true), after checking its credential. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    if (path !== `${this.prefix}/connect`) return false;
    void this.#accept(req, socket, head).catch((error) => {
      this.log.warn(`fleet: connect: ${messageOf(error)}`);
      socket.destroy();
    });
    return true;
  }

  async #accept(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const refuse = (status: number, message: string): void => {
      socket.end(
        `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Service Unavailable'}\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
      );
    };
    if (this.#closed) return refuse(503, 'the fleet server is closing');
    const token = bearer(req) ?? '';
    const colon = token.indexOf(':');
    const agentId = colon > 0 ? token.slice(0, colon) : '';
    const hash = agentId ? await this.#auth.add(agentId) : null;
    if (!hash || !matchesHash(token.slice(colon + 1), hash))
      return refuse(401, 'an enrolled agent credential is required');
    const wss = await this.#server();
    wss.handleUpgrade(req, socket, head, (ws) => this.#open(ws, agentId));
  }

  async #server(): Promise<WebSocketServer> {
    if (this.#wss) return this.#wss;
    // `ws` loads only when the first agent connects.
    const { WebSocketServer } = await import('ws');
    this.#wss ??= new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
    return this.#wss;
  }

  #open(ws: WebSocket, agentId: string): void {
    let conn: Connection | null = null;
    const helloBy = setTimeout(() => ws.close(FLEET_CLOSE.helloFirst, 'no hello'), 10_000);
    helloBy.unref();
    ws.on('message', (data) => {
      let message: Envelope;
      try {
        message = parseEnvelope(String(data), FLEET_PROTOCOL);
      } catch (error) {
        if (!(error instanceof EnvelopeError)) throw error;
        ws.send(JSON.stringify(refusal(error, conn?.protocol ?? FLEET_PROTOCOL.min)));
        ws.close(error.closeCode, error.problem);
        return;
      }
      if (!conn) {
        clearTimeout(helloBy);
        if (message.type !== 'hello') return void ws.close(FLEET_CLOSE.helloFirst, 'hello first');
        void this.#hello(ws, agentId, message).then(
          (c) => (conn = c),
          (error) => {
            if (error instanceof EnvelopeError) {
              ws.send(JSON.stringify(refusal(error, FLEET_PROTOCOL.min)));
              return ws.close(error.closeCode, error.problem);
            }
            this.log.warn(`fleet: hello of ${agentId}: ${messageOf(error)}`);
            ws.close(1011, 'hello failed');
          },
        );
        return;
      }
      void this.#message(conn, message).catch((error) =>
        this.log.warn(`fleet: ${message.type} from ${agentId}: ${messageOf(error)}`),
      );
    });
    ws.on('close', () => {
      clearTimeout(helloBy);
      if (conn && this.#connections.get(agentId) === conn) {
        this.#connections.delete(agentId);
        void this.#gone.add(agentId).then(
          () => this.changed('agent', agentId),
          () => undefined,
        );
      }
    });
    ws.on('error', () => undefined);
  }

  async #hello(ws: WebSocket, agentId: string, message: Envelope): Promise<Connection> {
    const hello = message.payload as unknown as Hello;
    const offered = hello.protocols ?? { min: message.schema_version, max: message.schema_version };
    const protocol = negotiate(offered, FLEET_PROTOCOL);
    if (hello.agentId !== agentId || typeof hello.version !== 'string' || hello.version === '') {
      ws.close(FLEET_CLOSE.helloFirst, 'the hello must name this agent and its version');
      throw new Error(`hello names ${String(hello.agentId)} on ${agentId}'s credential, or no version`);
    }
    const conn: Connection = { ws, agentId, protocol, version: hello.version };
    const earlier = this.#connections.get(agentId);
    this.#connections.set(agentId, conn);
    earlier?.ws.close(FLEET_CLOSE.replaced, 'another connection of this agent took over');
    await this.#hellos.add({
      id: agentId,
      host: hello.host ?? null,
      version: hello.version,
      commit: hello.commit ?? null,
      os: hello.os ?? null,
      arch: hello.arch ?? null,
      group: hello.group ?? null,
      protocol,
      updateSource: hello.updateSource === 'offline' ? 'offline' : 'online',
    });
    await this.#reconcile(agentId, hello);
    ws.send(JSON.stringify(envelope(protocol, 'welcome', { protocol, serverVersion: this.serverVersion, agentId })));
    this.changed('agent', agentId);
    void this.deliver();
    return conn;
  }

  /** What a hello says of the agent's last upgrade: confirmed, rolled back, late, or installed by hand. */
  async #reconcile(agentId: string, hello: Hello): Promise<void> {
    const [agent] = await this.store.agents(agentId);
    if (!agent?.dispatchId) {
      if (
        hello.lastUpgrade?.source === 'bundle' &&
        hello.lastUpgrade.result === 'confirmed' &&
        agent?.state !== 'confirmed'
      )
        await this.#bundleConfirmed(agentId, hello.version);
      return;
    }
    const [dispatch] = await this.store.dispatches({ id: agent.dispatchId });
    if (!dispatch) return;
    const active = dispatch.endedAt === null;
    const about = hello.lastUpgrade?.dispatchId === dispatch.id ? hello.lastUpgrade : null;
    if (hello.version === dispatch.toVersion) {
      if (active) await this.#end(dispatch, 'confirmed', null, null, `agent:${agentId}`);
      else if (dispatch.state === 'unconfirmed' && agent.state !== 'confirmed')
        await this.store.agentResult(
          agentId,
          'confirmed',
          null,
          null,
          result(agentId, 'confirmed_late', `agent:${agentId}`, { dispatch: dispatch.id, to: dispatch.toVersion }),
        );
      else if (about?.source === 'bundle') return;
    } else if (active && about && (about.result === 'rolled_back' || about.result === 'failed')) {
      await this.#end(dispatch, about.result, about.reason ?? null, about.detail ?? null, `agent:${agentId}`);
    } else if (
      !active &&
      dispatch.state === 'unconfirmed' &&
      about?.result === 'rolled_back' &&
      agent.state === 'unconfirmed'
    ) {
      await this.store.agentResult(
        agentId,
        'rolled_back',
        about.reason ?? null,
        about.detail ?? null,
        result(agentId, 'rolled_back', `agent:${agentId}`, {
          dispatch: dispatch.id,
          reason: about.reason ?? null,
          late: true,
        }),
      );
    } else if (hello.lastUpgrade?.source === 'bundle' && hello.lastUpgrade.result === 'confirmed') {
      await this.#bundleConfirmed(agentId, hello.version);
    }
  }

  /** An agent that says it runs a version an operator installed from a bundle: confirmed, audited. */
  async #bundleConfirmed(agentId: string, version: string): Promise<void> {
    const audit = result(agentId, 'confirmed', `agent:${agentId}`, { source: 'offline-bundle', to: version });
    await this.store.agentResult(agentId, 'confirmed', null, { source: 'bundle' }, audit);
  }

  /** Ends a dispatch with a result and its audit row. */
  async #end(
    dispatch: DispatchRecord,
    state: 'confirmed' | 'failed' | 'rolled_back' | 'unconfirmed',
    reason: string | null,
    detail: Record<string, unknown> | null,
    actor: string,
  ): Promise<void> {
    const agentState = state === 'failed' && reason === 'no_network' ? 'pending' : state;
    const ended = await this.store.advance(dispatch.id, state, {
      reason,
      detail,
      agentState,
      audit: result(dispatch.agentId, state, actor, {
        dispatch: dispatch.id,
        rollout: dispatch.rolloutId,
        from: dispatch.fromVersion,
        to: dispatch.toVersion,
        ...(reason ? { reason } : {}),
        ...(detail ? { detail } : {}),
      }),
    });
    if (ended) this.changed('dispatch', dispatch.agentId);
  }

  /** Ends overdue dispatches as `unconfirmed` (the evaluator calls it each tick). */
  async expire(): Promise<number> {
    const overdue = await this.store.overdue();
    for (const d of overdue) {
      const reason =
        d.missed === 'ack'
          ? `the agent did not answer the upgrade within ${Math.round(this.timings.ackWithinMs / 1000)} s`
          : `no hello on ${d.toVersion} within ${Math.round(this.timings.confirmWithinMs / 1000)} s of the dispatch`;
      await this.#end(d, 'unconfirmed', reason, null, 'evaluator');
    }
    return overdue.length;
  }

  async #message(conn: Connection, message: Envelope): Promise<void> {
    if (message.type === 'upgrade.status') {
      const status = message.payload as unknown as UpgradeStatus;
      const [dispatch] = await this.store.dispatches({ id: String(status.dispatchId) });
      if (!dispatch || dispatch.agentId !== conn.agentId || dispatch.endedAt !== null) return;
      if (status.state === 'failed' || status.state === 'rolled_back')
        return this.#end(dispatch, status.state, status.reason ?? null, status.detail ?? null, `agent:${conn.agentId}`);
      if (
        ACTIVE_STATES.includes(status.state) &&
        (await this.store.advance(dispatch.id, status.state, {
          agentState: status.state === 'accepted' ? 'dispatched' : status.state,
        }))
      )
        this.changed('dispatch', conn.agentId);
      return;
    }
    if (message.type === 'upgrade.progress' && conn.protocol >= 2) {
      const p = message.payload as { dispatchId?: string; bytes?: number; total?: number };
      conn.progress = { dispatchId: String(p.dispatchId), bytes: Number(p.bytes), total: Number(p.total) };
      return;
    }
    conn.ws.send(
      JSON.stringify(
        envelope(conn.protocol, 'error', {
          code: 'unknown_type',
          message: `unknown message type ${JSON.stringify(message.type)}`,
          supported: FLEET_PROTOCOL,
        }),
      ),
    );
  }

  /** Sends the upgrades queued for agents this replica holds (single-flight). */
  deliver(): Promise<void> {
    this.#delivering ??= (async () => {
      try {
        const queued = await this.store.queuedFor(this.replica);
        for (const d of queued) {
          const conn = this.#connections.get(d.agentId);
          if (!conn || conn.ws.readyState !== 1) continue;
          const order: UpgradeOrder = {
            ...d.artifact,
            dispatchId: d.id,
            confirmWithinMs: this.timings.confirmWithinMs,
          };
          conn.ws.send(JSON.stringify(envelope(conn.protocol, 'upgrade', order)));
          if (await this.store.advance(d.id, 'sent', { agentState: 'dispatched' })) this.changed('dispatch', d.agentId);
        }
      } finally {
        this.#delivering = null;
      }
    })();
    return this.#delivering;
  }

  /** Every agent as the API shows it. */
  async agents(id?: string): Promise<AgentRecord[]> {
    const rows = await this.store.agents(id);
    return rows.map((row) => this.show(row));
  }

  /** One agent row as shown: drift, online and the state a person reads. */
  show(row: AgentRow): AgentRecord {
    const online = row.connected && row.lastSeenAgoMs !== null && row.lastSeenAgoMs < this.timings.touchEveryMs * 3;
    return shownAgent(row, this.serverVersion, online);
  }

  /** Closes an agent's connection on this replica, if it holds one (a forgotten agent's credential stops working). */
  revoke(agentId: string): void {
    this.#connections.get(agentId)?.ws.close(FLEET_CLOSE.revoked, 'the agent was forgotten');
  }

  /** Agents connected to this replica, with a download's progress where a v2 agent reports it. */
  connections(): { agentId: string; protocol: number; version: string; progress?: Connection['progress'] }[] {
    return [...this.#connections.values()].map((c) => ({
      agentId: c.agentId,
      protocol: c.protocol,
      version: c.version,
      progress: c.progress,
    }));
  }

  /** Sends one agent the upgrade to the server's version now (an admin's Upgrade button). */
  async upgradeAgent(agentId: string, actor: string): Promise<DispatchRecord> {
    const [row] = await this.store.agents(agentId);
    if (!row) throw new HttpError(404, 'unknown_agent', `no agent ${agentId}`);
    const agent = this.show(row);
    const { artifact } = await this.store.state();
    if (!artifact || artifact.version !== this.serverVersion)
      throw new HttpError(
        409,
        'no_artifact',
        `no agent build is set for ${this.serverVersion}: set one with PUT ${this.prefix}/api/artifact`,
      );
    if (!isBehind(row.version, this.serverVersion))
      throw new HttpError(
        409,
        'not_drifted',
        `agent ${agentId} runs ${row.version}, not behind the server's ${this.serverVersion}`,
      );
    if (row.updateSource === 'offline')
      throw new HttpError(
        409,
        'pending',
        `agent ${agentId} is air-gapped (it cannot download): install the offline bundle on its host`,
      );
    if (!agent.online)
      throw new HttpError(409, 'offline', `agent ${agentId} is offline; it shows pending until it connects`);
    if (row.dispatchId && (await this.store.dispatches({ id: row.dispatchId, active: true }))[0])
      throw new HttpError(409, 'in_flight', `agent ${agentId} has an upgrade in flight`);
    const [made] = await this.dispatch(
      [{ agentId, canary: false, fromVersion: row.version, replica: row.replica }],
      null,
      actor,
      artifact,
    );
    return made!;
  }

  /** Creates dispatches with their `stack.deploy` audit rows, and delivers those this replica holds. */
  async dispatch(
    list: { agentId: string; canary: boolean; fromVersion: string | null; replica: string | null }[],
    rolloutId: string | null,
    actor: string,
    artifact: NonNullable<Awaited<ReturnType<FleetStore['state']>>['artifact']>,
  ): Promise<DispatchRecord[]> {
    let made: DispatchRecord[];
    try {
      made = await this.store.createDispatches(
        list.map((d) => ({
          ...d,
          rolloutId,
          artifact,
          actor,
          ackWithinMs: this.timings.ackWithinMs,
          confirmWithinMs: this.timings.confirmWithinMs,
        })),
        (d) => ({
          action: 'stack.deploy',
          actor,
          agentId: d.agentId,
          detail: {
            action: 'agent-upgrade',
            agent: d.agentId,
            server_version: this.serverVersion,
            binary: artifact.url,
            sha256: artifact.sha256,
            dispatch: d.id,
            rollout: rolloutId,
            canary: d.canary,
          },
        }),
      );
    } catch (error) {
      // The slot was taken from another replica between the read and the write: the database refused a second dispatch.
      throw new HttpError(409, 'in_flight', `an upgrade is in flight already: ${messageOf(error)}`);
    }
    for (const d of made) this.changed('dispatch', d.agentId);
    await this.deliver();
    return made;
  }

  /** Runs the evaluator now (Run now); coalesces with a tick under way. */
  runNow(actor: string): Promise<TickReport> {
    return this.evaluator.tick(actor);
  }

  /** Stops the timers, closes every agent's socket with 1001 (they reconnect to another replica) and the session. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    for (const conn of this.#connections.values())
      conn.ws.close(FLEET_CLOSE.goingAway, 'the fleet server is going away');
    await this.evaluator.idle();
    await this.#hellos.drain();
    await this.#gone.drain();
    await this.#delivering;
    const ids = [...this.#connections.keys()];
    this.#connections.clear();
    await this.store.disconnected(ids, this.replica).catch(() => undefined);
    await this.store.run(async () => undefined);
    this.#wss?.close();
    await this.#onClose?.();
  }
}

/** The audit row of an upgrade's result. */
export function result(agentId: string, outcome: string, actor: string, detail: Record<string, unknown>): AuditWrite {
  return { action: 'agent.upgrade_result', actor, agentId, detail: { result: outcome, agent: agentId, ...detail } };
}
