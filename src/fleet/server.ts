import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { messageOf } from '../errors.js';
import { mountBefore, type Logger } from '../runtime/index.js';
import { AgentLinks } from './agent-links.js';
import { routeApi } from './api.js';
import { Evaluator, type TickReport } from './evaluator-loop.js';
import { isBehind } from './evaluator.js';
import { HttpError, bearer, sameSecret, secretHash, sendJson, readJson } from './http-util.js';
import { Outcomes } from './outcomes.js';
import { shownAgent } from './registry.js';
import type { AgentRow, FleetStore } from './store.js';
import { DEFAULT_TIMINGS, type FleetTimings } from './timings.js';
import type { AgentRecord, Artifact, DispatchRecord } from './types.js';

export type { FleetTimings } from './timings.js';

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
  readonly #links: AgentLinks;
  readonly #outcomes: Outcomes;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #onClose?: () => Promise<void>;
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
    this.#outcomes = new Outcomes(this.store, this.timings, (type, agentId) => this.changed(type, agentId));
    this.#links = new AgentLinks(this, this.#outcomes);
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
    mountBefore(server, (req, res) => this.handle(req, res));
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
    void this.#links.accept(req, socket, head).catch((error) => {
      this.log.warn(`fleet: connect: ${messageOf(error)}`);
      socket.destroy();
    });
    return true;
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
    artifact: Artifact,
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

  /** True once `close()` began: new agent connections are refused. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Ends overdue dispatches as `unconfirmed` (the evaluator calls it each tick). */
  expire(): Promise<number> {
    return this.#outcomes.expire();
  }

  /** Sends the upgrades queued for agents this replica holds. */
  deliver(): Promise<void> {
    return this.#links.deliver();
  }

  /** Closes an agent's connection on this replica, if it holds one (a forgotten agent's credential stops working). */
  revoke(agentId: string): void {
    this.#links.revoke(agentId);
  }

  /** Agents connected to this replica, with a download's progress where a v2 agent reports it. */
  connections(): ReturnType<AgentLinks['connections']> {
    return this.#links.connections();
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
    await this.evaluator.idle();
    await this.#links.close();
    await this.store.run(async () => undefined);
    await this.#onClose?.();
  }
}
