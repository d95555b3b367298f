import { arch, hostname, platform } from 'node:os';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Server as NetServer, type Server } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import type { WebSocket } from 'ws';
import { EnvelopeError, envelope, parseEnvelope, type Envelope, type VersionRange } from '../envelope/index.js';
import { MoltError, messageOf } from '../errors.js';
import { toLogger, type Logger, type LoggerOption } from '../runtime/index.js';
import { ArtifactError, DEFAULT_MAX_ARTIFACT_BYTES, checkArtifact, download } from './artifact.js';
import { credentialFor } from './agent-credential.js';
import { awaitConfirmation, CONFIRMED_MESSAGE, handedSockets, spawnSuccessor } from './handover.js';
import {
  checkVersionName,
  entryOf,
  installVersion,
  readCurrent,
  readInstall,
  readMarker,
  switchCurrent,
  writeMarker,
  writePid,
  type UpgradeMarker,
} from './install-dir.js';
import { FLEET_PROTOCOL, type Hello, type UpgradeOrder, type UpgradeStatus, type Welcome } from './protocol.js';

/** What an agent runs with. */
export interface AgentOptions {
  /** The fleet's base URL on the server: `https://server.example/fleet`. */
  server: string;
  id: string;
  /** This build's version, as the fleet compares it. */
  version: string;
  /** The install directory: its credential, `versions/`, `current`, the upgrade marker. */
  dir: string;
  /** The credential; default: `dir/credential.json`, else enrolment with `enrolmentToken`. */
  credential?: string;
  enrolmentToken?: string;
  /** A PEM ed25519 public key: artifacts must then carry a signature it verifies. */
  publicKey?: string | null;
  /** `offline`: air-gapped; the fleet never sends it an upgrade and shows it pending. */
  updateSource?: 'online' | 'offline';
  /** The envelope versions it speaks (default the fleet protocol's, 1–2). */
  protocols?: VersionRange;
  commit?: string | null;
  group?: string | null;
  /** The largest artifact it downloads (default 512 MiB). */
  maxArtifactBytes?: number;
  /** How many times a new version may exit before confirming before the agent goes back (default 3). */
  maxStarts?: number;
  /** How long the old version keeps serving its open connections after the new one took over (default 30 s). */
  handoverGraceMs?: number;
  logger?: LoggerOption;
}

/** A running agent. */
export interface Agent {
  readonly id: string;
  readonly version: string;
  /** The protocol version agreed with the server, once welcomed. */
  readonly protocol: number | null;
  /** Serves `server` on the socket handed over by the previous version, else on `port`. */
  listen(name: string, server: Server, port: number, host?: string): Promise<void>;
  /** Resolves with the server's welcome: at once when connected, else at the next one. */
  welcomed(): Promise<Welcome>;
  /** Disconnects and stops; the listeners are the caller's to close. */
  close(): Promise<void>;
}

const backoff = (attempt: number): number => Math.random() * Math.min(30_000, 500 * 2 ** attempt);

/**
 * Starts an agent: it enrols once if it must, connects with backoff and jitter, says hello with its version on every
 * connect, and carries out the upgrades the fleet sends: download to a partial file under a size cap, verify sha256
 * (and the signature), install beside the current version, hand the listening sockets to the new version and step
 * back once it is confirmed, or go back to this version if it is not.
 * @example
 * const agent = await startAgent({ server: 'https://hq.example/fleet', id: 'edge-1', version: '1.4.0', dir: '/var/lib/edge-agent', enrolmentToken: process.env.ENROL_TOKEN });
 * await agent.listen('http', httpServer, 8080);
 */
export async function startAgent(options: AgentOptions): Promise<Agent> {
  const agent = new AgentProcess(options);
  await agent.start();
  return agent;
}

class AgentProcess implements Agent {
  readonly id: string;
  readonly version: string;
  protocol: number | null = null;
  readonly #o: AgentOptions;
  readonly #log: Logger;
  readonly #listeners = new Map<string, Server>();
  readonly #handed = handedSockets();
  #credential = '';
  #ws: WebSocket | null = null;
  #stopped = false;
  #upgrading = false;
  #attempt = 0;
  #welcomeWaiters: ((w: Welcome) => void)[] = [];
  #welcome: Welcome | null = null;
  #retry: NodeJS.Timeout | null = null;

  constructor(options: AgentOptions) {
    this.#o = options;
    this.id = options.id;
    this.version = checkVersionName(options.version);
    this.#log = toLogger(options.logger);
  }

  get #protocols(): VersionRange {
    return this.#o.protocols ?? FLEET_PROTOCOL;
  }

  async start(): Promise<void> {
    await mkdir(this.#o.dir, { recursive: true });
    await this.#countTrialStart();
    this.#credential = this.#o.credential ?? (await credentialFor(this.#o));
    await writePid(this.#o.dir);
    process.on('SIGUSR2', () => void this.#installedByHand());
    this.#connect();
  }

  /**
   * A version on trial started without its predecessor watching (that process died, and a service manager restarts
   * `current`): it counts its own starts, and past `maxStarts` it points `current` back at the version it replaced and
   * exits, so the next start runs that one, which reports `rolled_back`.
   */
  async #countTrialStart(): Promise<void> {
    const dir = this.#o.dir;
    const marker = await readMarker(dir);
    if (!marker || marker.state !== 'trial' || marker.to !== this.version || process.send) return;
    const starts = (marker.starts ?? 0) + 1;
    const max = this.#o.maxStarts ?? 3;
    const previous = (await readInstall(dir)).previous;
    if (starts <= max || !previous || previous !== marker.from) return writeMarker(dir, { ...marker, starts });
    const reason = `${this.version} started ${starts - 1} times without confirming, with no predecessor to watch it`;
    await switchCurrent(dir, previous, null);
    await writeMarker(dir, { ...marker, starts, state: 'rolled_back', reason, at: new Date().toISOString() });
    this.#log.warn(`agent ${this.id}: ${reason}; current is ${previous} again, exiting for it to start`);
    process.exit(1);
  }

  async listen(name: string, server: Server, port: number, host?: string): Promise<void> {
    const fd = this.#handed.get(name);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const done = (): void => {
        server.off('error', reject);
        resolve();
      };
      if (fd !== undefined) server.listen({ fd }, done);
      else server.listen(port, host, done);
    });
    this.#listeners.set(name, server);
  }

  welcomed(): Promise<Welcome> {
    if (this.#welcome && this.protocol !== null) return Promise.resolve(this.#welcome);
    return new Promise((resolve) => this.#welcomeWaiters.push(resolve));
  }

  #connect(): void {
    if (this.#stopped || this.#upgrading) return;
    void import('ws').then(({ WebSocket }) => {
      if (this.#stopped) return;
      const url = `${this.#o.server.replace(/^http/, 'ws')}/connect`;
      const ws = new WebSocket(url, {
        headers: { authorization: `Bearer ${this.id}:${this.#credential}` },
        handshakeTimeout: 10_000,
      });
      this.#ws = ws;
      ws.on('open', () => void this.#hello(ws).catch((error) => this.#log.warn(`agent: hello: ${messageOf(error)}`)));
      ws.on('message', (data) => this.#message(ws, String(data)));
      ws.on('unexpected-response', (_req, res) => {
        this.#log.warn(`agent ${this.id}: the fleet refused the connection: ${res.statusCode}`);
        ws.terminate();
      });
      ws.on('close', (code, reason) => {
        if (this.#ws === ws) this.#ws = null;
        this.protocol = null;
        if (this.#stopped || this.#upgrading) return;
        const wait = backoff(this.#attempt++);
        if (code >= 4000)
          this.#log.warn(`agent ${this.id}: closed ${code} ${String(reason)}; again in ${Math.round(wait)} ms`);
        this.#retry = setTimeout(() => this.#connect(), wait);
      });
      ws.on('error', () => undefined);
    });
  }

  async #hello(ws: WebSocket): Promise<void> {
    const marker = await readMarker(this.#o.dir);
    const hello: Hello = {
      agentId: this.id,
      version: this.version,
      commit: this.#o.commit ?? null,
      host: hostname(),
      os: platform(),
      arch: arch(),
      group: this.#o.group ?? null,
      updateSource: this.#o.updateSource ?? 'online',
      protocols: this.#protocols,
      ...(marker ? { lastUpgrade: lastUpgradeOf(marker, this.version) } : {}),
    };
    // The hello goes at the lowest version this agent speaks, so any server that speaks it reads it; the welcome says
    // which version the rest of the conversation uses.
    ws.send(JSON.stringify(envelope(this.#protocols.min, 'hello', hello)));
  }

  #send(type: string, payload: unknown): void {
    const ws = this.#ws;
    if (ws && ws.readyState === 1 && this.protocol !== null)
      ws.send(JSON.stringify(envelope(this.protocol, type, payload)));
  }

  #message(ws: WebSocket, text: string): void {
    let message: Envelope;
    try {
      message = parseEnvelope(text, this.#protocols);
    } catch (error) {
      if (error instanceof EnvelopeError) {
        this.#log.warn(`agent ${this.id}: refused a message: ${error.message}`);
        ws.close(error.closeCode, error.problem);
        return;
      }
      throw error;
    }
    if (message.type === 'welcome') {
      const welcome = message.payload as unknown as Welcome;
      this.protocol = welcome.protocol;
      this.#welcome = welcome;
      this.#attempt = 0;
      void this.#confirmed();
      for (const waiter of this.#welcomeWaiters.splice(0)) waiter(welcome);
    } else if (message.type === 'upgrade') {
      void this.#upgrade(message.payload as unknown as UpgradeOrder);
    } else if (message.type === 'error') {
      this.#log.warn(`agent ${this.id}: the fleet said: ${String((message.payload as { message?: unknown }).message)}`);
    }
  }

  /** Welcomed on the version a trial installed: confirmed; the predecessor may step back. */
  async #confirmed(): Promise<void> {
    const marker = await readMarker(this.#o.dir);
    if (!marker || marker.state !== 'trial' || marker.to !== this.version) return;
    await writeMarker(this.#o.dir, { ...marker, state: 'confirmed', at: new Date().toISOString() });
    if (process.send) process.send(CONFIRMED_MESSAGE, () => process.disconnect?.());
  }

  #status(status: UpgradeStatus): void {
    this.#send('upgrade.status', status);
  }

  async #upgrade(order: UpgradeOrder): Promise<void> {
    if (this.#upgrading) return;
    this.#upgrading = true;
    const partial = join(this.#o.dir, 'versions', `.partial-${order.dispatchId}`);
    try {
      checkVersionName(order.version);
      this.#status({ dispatchId: order.dispatchId, state: 'accepted' });
      this.#status({ dispatchId: order.dispatchId, state: 'downloading' });
      await mkdir(join(this.#o.dir, 'versions'), { recursive: true });
      let reported = 0;
      const actual = await download(order.url, partial, {
        maxBytes: this.#o.maxArtifactBytes ?? DEFAULT_MAX_ARTIFACT_BYTES,
        expectedSize: order.size,
        onProgress: (bytes) => {
          if (this.protocol !== null && this.protocol >= 2 && bytes - reported >= 256 * 1024) {
            reported = bytes;
            this.#send('upgrade.progress', { dispatchId: order.dispatchId, bytes, total: order.size });
          }
        },
      });
      checkArtifact(order, actual, this.#o.publicKey ?? null);
      const entry = await installVersion(this.#o.dir, order.version, partial);
      this.#status({ dispatchId: order.dispatchId, state: 'installed' });
      await this.#handover(entry, order.version, order.dispatchId, 'dispatch', order.confirmWithinMs);
    } catch (error) {
      await rm(partial, { force: true });
      const reason = error instanceof ArtifactError ? error.problem : 'install_failed';
      const detail =
        error instanceof MoltError ? { ...error.details, message: error.message } : { message: messageOf(error) };
      this.#log.warn(`agent ${this.id}: upgrade to ${order.version} failed: ${messageOf(error)}`);
      this.#upgrading = false;
      if (this.#ws?.readyState === 1) this.#status({ dispatchId: order.dispatchId, state: 'failed', reason, detail });
      else this.#connect();
    }
  }

  /** An operator installed a bundle and signalled this process: hand over to it as to a dispatched version. */
  async #installedByHand(): Promise<void> {
    const marker = await readMarker(this.#o.dir);
    if (!marker || marker.state !== 'trial' || marker.to === this.version || this.#upgrading) return;
    this.#upgrading = true;
    await this.#handover(entryOf(this.#o.dir, marker.to), marker.to, null, 'bundle', 5 * 60_000).catch((error) => {
      this.#upgrading = false;
      this.#log.warn(`agent ${this.id}: the bundle's version did not start: ${messageOf(error)}`);
    });
  }

  /**
   * Switches `current`, starts the new version on the same listening sockets, and waits for its confirmation: then
   * stops accepting, lets open connections finish and exits. A new version that exits `maxStarts` times or does not
   * confirm in time is stopped, `current` goes back, and this version reconnects and reports `rolled_back`.
   */
  async #handover(
    entry: string,
    to: string,
    dispatchId: string | null,
    source: 'dispatch' | 'bundle',
    confirmWithinMs: number,
  ): Promise<void> {
    const dir = this.#o.dir;
    const previous = await readCurrent(dir);
    const marker: UpgradeMarker = {
      dispatchId,
      from: this.version,
      to,
      state: 'trial',
      source,
      previousEntry: process.argv[1] ?? '',
      at: new Date().toISOString(),
    };
    await writeMarker(dir, marker);
    await switchCurrent(dir, to, previous !== to ? previous : null);
    this.#ws?.close(1000, 'upgrading');
    const maxStarts = this.#o.maxStarts ?? 3;
    const deadline = Date.now() + confirmWithinMs;
    let failure = '';
    for (let start = 1; start <= maxStarts && !failure.startsWith('no confirmation'); start++) {
      const child = spawnSuccessor(entry, this.#listeners, process.argv.slice(2), process.env);
      const outcome = await awaitConfirmation(child, deadline - Date.now());
      if (outcome === 'confirmed') return this.#stepBack(child);
      failure = outcome;
      this.#log.warn(`agent ${this.id}: ${to} start ${start} of ${maxStarts}: ${outcome}`);
    }
    const reason = failure.startsWith('no confirmation')
      ? failure
      : `${to} exited ${maxStarts} times before it confirmed (last: ${failure})`;
    if (previous && previous !== to) await switchCurrent(dir, previous, null);
    else await rm(join(dir, 'current'), { force: true });
    await writeMarker(dir, { ...marker, state: 'rolled_back', reason, at: new Date().toISOString() });
    this.#log.warn(`agent ${this.id}: back on ${this.version}: ${reason}`);
    this.#upgrading = false;
    this.#connect();
  }

  async #stepBack(child: ChildProcess): Promise<void> {
    this.#stopped = true;
    child.disconnect?.();
    child.unref();
    const grace = this.#o.handoverGraceMs ?? 30_000;
    // net's close, not http's: it stops accepting here only (the successor holds the socket too) and leaves the open
    // connections to finish on their own.
    const closing = [...this.#listeners.values()].map(
      (server) => new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve())),
    );
    await Promise.race([Promise.all(closing), new Promise((resolve) => setTimeout(resolve, grace).unref())]);
    this.#log.info(`agent ${this.id}: handed over to its successor (pid ${child.pid}); exiting`);
    process.exit(0);
  }

  async close(): Promise<void> {
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#ws?.close(1000, 'agent stopping');
  }
}

/** What a hello says of the last upgrade, from the marker. */
function lastUpgradeOf(marker: UpgradeMarker, version: string): Hello['lastUpgrade'] {
  if (marker.state === 'rolled_back' && marker.from === version)
    return { dispatchId: marker.dispatchId, result: 'rolled_back', reason: marker.reason, source: marker.source };
  if (marker.to === version) return { dispatchId: marker.dispatchId, result: 'confirmed', source: marker.source };
  return undefined;
}
