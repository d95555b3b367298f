import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { EnvelopeError, envelope, negotiate, parseEnvelope, refusal, type Envelope } from '../envelope/index.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../runtime/index.js';
import { Batcher } from './batcher.js';
import { bearer, matchesHash } from './http-util.js';
import type { Outcomes } from './outcomes.js';
import { FLEET_CLOSE, FLEET_PROTOCOL, type Hello, type UpgradeOrder, type UpgradeStatus } from './protocol.js';
import type { FleetStore, HelloWrite } from './store.js';
import type { FleetTimings } from './timings.js';
import { ACTIVE_STATES } from './types.js';

/** One agent's connection on this replica. */
interface Connection {
  ws: WebSocket;
  agentId: string;
  protocol: number;
  version: string;
  progress?: { dispatchId: string; bytes: number; total: number };
}

/** What the links need of the fleet server. */
export interface LinkHost {
  readonly store: FleetStore;
  readonly serverVersion: string;
  readonly replica: string;
  readonly timings: FleetTimings;
  readonly log: Logger;
  readonly closed: boolean;
  changed(type: string, agentId?: string): void;
}

/**
 * The agents' WebSockets on this replica: authentication at the upgrade, the hello and its negotiation, the
 * messages, and delivery of the upgrades queued for the agents it holds. Hellos, credential checks and
 * disconnections are written in batches.
 */
export class AgentLinks {
  readonly #host: LinkHost;
  readonly #outcomes: Outcomes;
  readonly #connections = new Map<string, Connection>();
  readonly #auth: Batcher<string, string | null>;
  readonly #hellos: Batcher<HelloWrite, { dispatchId: string | null; state: string } | null>;
  readonly #gone: Batcher<string, undefined>;
  #wss: WebSocketServer | null = null;
  #delivering: Promise<void> | null = null;

  constructor(host: LinkHost, outcomes: Outcomes) {
    this.#host = host;
    this.#outcomes = outcomes;
    this.#auth = new Batcher(async (ids) => {
      const hashes = await host.store.secretHashes([...new Set(ids)]);
      return ids.map((id) => hashes.get(id) ?? null);
    });
    this.#hellos = new Batcher(async (batch) => {
      const known = await host.store.hellos(batch, host.replica);
      return batch.map((h) => known.get(h.id) ?? null);
    });
    this.#gone = new Batcher(async (ids) => {
      await host.store.disconnected(ids, host.replica);
      return ids.map(() => undefined);
    });
  }

  async accept(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const refuse = (status: number, message: string): void => {
      socket.end(
        `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Service Unavailable'}\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
      );
    };
    if (this.#host.closed) return refuse(503, 'the fleet server is closing');
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
            this.#host.log.warn(`fleet: hello of ${agentId}: ${messageOf(error)}`);
            ws.close(1011, 'hello failed');
          },
        );
        return;
      }
      void this.#message(conn, message).catch((error) =>
        this.#host.log.warn(`fleet: ${message.type} from ${agentId}: ${messageOf(error)}`),
      );
    });
    ws.on('close', () => {
      clearTimeout(helloBy);
      if (conn && this.#connections.get(agentId) === conn) {
        this.#connections.delete(agentId);
        void this.#gone.add(agentId).then(
          () => this.#host.changed('agent', agentId),
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
    const known = await this.#hellos.add({
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
    await this.#outcomes.reconcile(agentId, hello, known);
    ws.send(
      JSON.stringify(envelope(protocol, 'welcome', { protocol, serverVersion: this.#host.serverVersion, agentId })),
    );
    this.#host.changed('agent', agentId);
    void this.deliver();
    return conn;
  }

  async #message(conn: Connection, message: Envelope): Promise<void> {
    if (message.type === 'upgrade.status') {
      const status = message.payload as unknown as UpgradeStatus;
      const [dispatch] = await this.#host.store.dispatches({ id: String(status.dispatchId) });
      if (!dispatch || dispatch.agentId !== conn.agentId || dispatch.endedAt !== null) return;
      if (status.state === 'failed' || status.state === 'rolled_back')
        return this.#outcomes.end(
          dispatch,
          status.state,
          status.reason ?? null,
          status.detail ?? null,
          `agent:${conn.agentId}`,
        );
      if (
        ACTIVE_STATES.includes(status.state) &&
        (await this.#host.store.advance(dispatch.id, status.state, {
          agentState: status.state === 'accepted' ? 'dispatched' : status.state,
        }))
      )
        this.#host.changed('dispatch', conn.agentId);
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
        const queued = await this.#host.store.queuedFor(this.#host.replica);
        const sent: string[] = [];
        for (const d of queued) {
          const conn = this.#connections.get(d.agentId);
          if (!conn || conn.ws.readyState !== 1) continue;
          const order: UpgradeOrder = {
            ...d.artifact,
            dispatchId: d.id,
            confirmWithinMs: this.#host.timings.confirmWithinMs,
          };
          conn.ws.send(JSON.stringify(envelope(conn.protocol, 'upgrade', order)));
          sent.push(d.id);
          this.#host.changed('dispatch', d.agentId);
        }
        // Marked after sending, in batches; an agent's answer that came first has moved it on already, and stays.
        await this.#host.store.markSent(sent);
      } finally {
        this.#delivering = null;
      }
    })();
    return this.#delivering;
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

  /** Closes every connection with 1001 (agents reconnect, to another replica if there is one) and waits for the writes. */
  async close(): Promise<void> {
    for (const conn of this.#connections.values())
      conn.ws.close(FLEET_CLOSE.goingAway, 'the fleet server is going away');
    await this.#hellos.drain();
    await this.#gone.drain();
    await this.#delivering;
    const ids = [...this.#connections.keys()];
    this.#connections.clear();
    await this.#host.store.disconnected(ids, this.#host.replica).catch(() => undefined);
    this.#wss?.close();
  }
}
