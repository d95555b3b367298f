import { createHash } from 'node:crypto';
import { WebSocket } from 'ws';

/** What simulated agents saw, for the assertions. */
export interface SimStats {
  inFlight: number;
  maxInFlight: number;
  upgrades: Map<string, number>;
  confirmed: Set<string>;
}

/**
 * Lightweight agents that speak the fleet protocol over real WebSockets in one process: enrol, hello, and on an
 * upgrade download the artifact over HTTP and check its sha256, then reconnect saying the new version (no re-exec:
 * the process hand-over is shown with real agent processes elsewhere).
 */
export class SimAgents {
  readonly stats: SimStats = { inFlight: 0, maxInFlight: 0, upgrades: new Map(), confirmed: new Set() };
  readonly #sockets = new Map<string, WebSocket>();
  #stopped = false;

  /** When each agent was first sent an upgrade (passive agents only count it). */
  readonly ordersAt = new Map<string, number>();

  constructor(
    readonly enrolToken: string,
    readonly settleMs = 150,
    /** Passive agents note the upgrade and do nothing more (a dispatch-throughput bench). */
    readonly passive = false,
  ) {}

  async enrol(server: string, id: string): Promise<string> {
    const response = await fetch(`${server}/fleet/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agentId: id, token: this.enrolToken }),
    });
    if (!response.ok) throw new Error(`enrol ${id}: ${response.status}`);
    return ((await response.json()) as { credential: string }).credential;
  }

  /** Connects one agent at `version`; resolves once welcomed. */
  connect(server: string, id: string, credential: string, version: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${server.replace('http', 'ws')}/fleet/connect`, {
        headers: { authorization: `Bearer ${id}:${credential}` },
      });
      this.#sockets.set(id, ws);
      let protocol = 1;
      ws.on('open', () =>
        ws.send(
          JSON.stringify({
            schema_version: 1,
            type: 'hello',
            id: `${id}-h`,
            ts: new Date().toISOString(),
            payload: { agentId: id, version, protocols: { min: 1, max: 2 } },
          }),
        ),
      );
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as { type: string; payload: Record<string, unknown> };
        if (m.type === 'welcome') {
          protocol = Number(m.payload.protocol);
          resolve();
        } else if (m.type === 'upgrade') {
          if (!this.ordersAt.has(id)) this.ordersAt.set(id, Date.now());
          if (!this.passive) void this.#upgrade(server, id, credential, ws, protocol, m.payload);
        }
      });
      ws.on('error', reject);
    });
  }

  async #upgrade(
    server: string,
    id: string,
    credential: string,
    ws: WebSocket,
    protocol: number,
    order: Record<string, unknown>,
  ): Promise<void> {
    const s = this.stats;
    s.upgrades.set(id, (s.upgrades.get(id) ?? 0) + 1);
    s.inFlight++;
    s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
    const status = (state: string, extra: Record<string, unknown> = {}): void =>
      ws.send(
        JSON.stringify({
          schema_version: protocol,
          type: 'upgrade.status',
          id: `${id}-s`,
          ts: '',
          payload: { dispatchId: order.dispatchId, state, ...extra },
        }),
      );
    status('accepted');
    status('downloading');
    const body = Buffer.from(await (await fetch(String(order.url))).arrayBuffer());
    const actual = createHash('sha256').update(body).digest('hex');
    if (actual !== order.sha256) {
      status('failed', { reason: 'checksum_mismatch', detail: { expected: order.sha256, actual } });
      s.inFlight--;
      return;
    }
    status('installed');
    await new Promise((resolve) => setTimeout(resolve, this.settleMs));
    ws.close(1000, 'upgrading');
    s.inFlight--;
    if (this.#stopped) return;
    await this.connect(server, id, credential, String(order.version));
    s.confirmed.add(id);
  }

  close(): void {
    this.#stopped = true;
    for (const ws of this.#sockets.values()) ws.terminate();
  }
}
