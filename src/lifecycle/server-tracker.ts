import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { Server as NetServer, type Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';

interface SocketState {
  /** Requests on this socket whose response has not settled. */
  active: number;
  /** When the last response on it settled (or it connected). */
  idleSince: number;
  /** Handed to an `upgrade` listener: no longer HTTP, never idle-closed. */
  upgraded: boolean;
  /** Idle since the stop without another request: however it closes (our timer, Node's keep-alive timeout, the client), it closed idle. */
  idleAtStop?: boolean;
  /** Destroyed at the deadline: counted there. */
  cut?: boolean;
  idleTimer?: NodeJS.Timeout;
}

/** A server the lifecycle can drain: node:http or node:https (Express, Fastify and Hono's node server hand one out). */
export type DrainableServer = HttpServer | HttpsServer;

/** Counts one server contributes to the drain report. */
export interface TrackerCounts {
  completed: number;
  forced: number;
  aborted: number;
  idleClosed: number;
  destroyed: number;
}

/**
 * Tracks one server's sockets and in-flight requests itself, so the drain knows exactly what finished,
 * what sat idle and what had to be cut (Node's own connection list skips upgraded sockets and counts nothing).
 */
export class ServerTracker {
  readonly server: DrainableServer;
  readonly counts: TrackerCounts = { completed: 0, forced: 0, aborted: 0, idleClosed: 0, destroyed: 0 };
  readonly #sockets = new Map<Socket, SocketState>();
  readonly #inFlight = new Set<ServerResponse>();
  readonly #changed: () => void;
  readonly #arrived: (path: string) => void;
  #draining = false;
  #stopping = false;
  #stopped = false;
  #idleGraceMs = 0;
  /** The latest moment an idle socket is closed gently: before the grace deadline would destroy it. */
  #closeBy = Infinity;

  constructor(server: DrainableServer, changed: () => void, arrived: (path: string) => void = () => {}) {
    this.server = server;
    this.#changed = changed;
    this.#arrived = arrived;
    // Behind TLS the requests arrive on the TLS socket, not on the raw one `connection` reports.
    server.on(server instanceof TlsServer ? 'secureConnection' : 'connection', (socket: Socket) =>
      this.#stateOf(socket),
    );
    server.prependListener('request', this.#onRequest);
    this.#watchUpgrades(server);
  }

  /** True once the listener is closed and no socket of this server is open any more. */
  get idle(): boolean {
    return this.#stopped && this.#sockets.size === 0;
  }

  /** Draining has started: requests settling from now on are counted in the report; serving is unchanged. */
  beginDrain(): void {
    this.#draining = true;
  }

  /**
   * Stops accepting connections; from then on every response, in-flight ones not yet sent included, says
   * `Connection: close`, and keep-alive sockets are closed once they have been idle for `idleGraceMs`, and never
   * sooner than the server's own keep-alive timeout would close them, unless that comes after `latestMs` (a little
   * before the grace deadline, which would destroy them).
   */
  stop(idleGraceMs: number, latestMs = Infinity): void {
    if (this.#stopping) return;
    this.#stopping = true;
    // Never sooner than the server itself would close an idle keep-alive socket (its `Keep-Alive: timeout=N` hint,
    // plus the second Node waits beyond it): a client that honours the hint drops the socket first, so it never sends
    // on a socket just as the drain closes it (a reset no retry-less client survives).
    const advertised = (this.server as { keepAliveTimeout?: number }).keepAliveTimeout ?? 0;
    this.#idleGraceMs = Math.max(idleGraceMs, advertised > 0 ? advertised + 1_000 : 0);
    this.#closeBy = Date.now() + latestMs;
    // The kernel resets connections still queued on a listener when it closes. Closing in the check phase, right
    // after a poll phase has accepted what was queued, keeps that window as short as Node allows; and no response
    // says `Connection: close` (which makes the client reconnect at once) before the listener is gone.
    setImmediate(() => {
      // net's close, not http's: since Node 19 http's close also destroys every idle socket at once, which resets
      // pooled keep-alive sockets a client is reusing right now. The idle grace below closes them safely instead.
      NetServer.prototype.close.call(this.server, () => {});
      this.#stopped = true;
      for (const res of this.#inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      for (const [socket, state] of this.#sockets)
        if (state.active === 0 && !state.upgraded) {
          state.idleAtStop = true;
          this.#closeWhenIdle(socket, state);
        }
    });
  }

  /** The deadline: in-flight requests are cut and every socket left, upgraded ones included, is destroyed. */
  destroyAll(): void {
    this.counts.forced += this.#inFlight.size;
    this.#inFlight.clear();
    for (const [socket, state] of this.#sockets) {
      if (socket.destroyed) continue;
      state.cut = true;
      this.counts.destroyed++;
      socket.destroy();
    }
  }

  #stateOf(socket: Socket): SocketState {
    let state = this.#sockets.get(socket);
    if (state) return state;
    state = { active: 0, idleSince: Date.now(), upgraded: false };
    this.#sockets.set(socket, state);
    socket.once('close', () => {
      clearTimeout(state!.idleTimer);
      if (state!.idleAtStop && state!.active === 0 && !state!.cut) this.counts.idleClosed++;
      this.#sockets.delete(socket);
      this.#changed();
    });
    // A connection that arrives after the stop (already accepted by the kernel) still gets its idle grace.
    if (this.#stopped) {
      state.idleAtStop = true;
      this.#closeWhenIdle(socket, state);
    }
    return state;
  }

  #onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    this.#arrived((req.url ?? '/').split('?', 1)[0]!);
    const state = this.#stateOf(req.socket);
    state.active++;
    state.idleAtStop = false;
    clearTimeout(state.idleTimer);
    if (this.#stopped) res.setHeader('Connection', 'close');
    this.#inFlight.add(res);
    const settle = (): void => {
      // Cut at the deadline: already counted as forced.
      if (!this.#inFlight.delete(res)) return;
      if (this.#draining) {
        if (res.writableFinished) this.counts.completed++;
        else this.counts.aborted++;
      }
      state.active--;
      state.idleSince = Date.now();
      if (this.#stopped && state.active === 0 && !state.upgraded) this.#closeWhenIdle(req.socket, state);
      this.#changed();
    };
    res.once('finish', settle);
    res.once('close', settle);
  };

  #onUpgrade = (req: IncomingMessage): void => {
    this.#stateOf(req.socket).upgraded = true;
  };

  // Node answers an upgrade request as a plain request while no `upgrade` listener exists, so listen only while
  // the application does (a WebSocket server added later included), and never change that behaviour.
  #watchUpgrades(server: DrainableServer): void {
    let listening = false;
    const ours = this.#onUpgrade;
    const add = (): void => {
      if (listening) return;
      listening = true;
      server.prependListener('upgrade', ours);
    };
    if (server.listenerCount('upgrade') > 0) add();
    server.on('newListener', (event: string | symbol, listener: unknown) => {
      if (event === 'upgrade' && listener !== ours) add();
    });
    server.on('removeListener', (event: string | symbol, listener: unknown) => {
      if (event !== 'upgrade' || listener === ours || !listening) return;
      if (server.listeners('upgrade').every((other) => other === ours)) {
        listening = false;
        server.off('upgrade', ours);
      }
    });
  }

  #closeWhenIdle(socket: Socket, state: SocketState): void {
    clearTimeout(state.idleTimer);
    const wait = Math.max(0, Math.min(state.idleSince + this.#idleGraceMs, this.#closeBy) - Date.now());
    state.idleTimer = setTimeout(() => {
      if (state.active > 0 || state.upgraded || socket.destroyed) return;
      socket.destroy();
    }, wait);
  }
}
