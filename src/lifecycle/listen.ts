import { createServer } from 'node:http';
import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { MoltError } from '../errors.js';

/** The first file descriptor systemd (and `molt run`) pass listening sockets on. */
export const SD_LISTEN_FDS_START = 3;
/** The name of the private socket `molt run` passes each instance, so it can ask that one instance for `/readyz`. */
export const PROBE_SOCKET_NAME = 'molt-probe';
/** The request on the private socket that tells an instance to start serving the shared socket. */
export const SERVE_GATE_PATH = '/.molt/serve';

/** Options of `listen`. */
export interface ListenOptions {
  /** The port when no socket is inherited; default `PORT`, else 8080. 0 picks a free one. */
  port?: number;
  /** The address to bind when no socket is inherited; default all interfaces. */
  host?: string;
  /** Which inherited socket, by its name in `LISTEN_FDNAMES` (systemd `FileDescriptorName=`); default the first. */
  name?: string;
  /** Where `LISTEN_*` are read from and removed (so child processes do not take them for theirs); default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** Where a server listens, and whether the socket was inherited. */
export interface Listening {
  /** The inherited file descriptor; null when the server bound a port itself. */
  fd: number | null;
  /** The private socket `molt run` passed for its health checks, served by the same handler; null without one. */
  probeFd: number | null;
  port: number;
  address: string;
}

/** The sockets passed to this process, by name (unnamed ones as `fd3`, `fd4`...), in fd order. */
export type InheritedSockets = ReadonlyMap<string, number>;

const read = new WeakMap<NodeJS.ProcessEnv, InheritedSockets>();

/**
 * The sockets passed to this process after the systemd convention: `LISTEN_FDS` sockets from fd 3, for this process
 * when `LISTEN_PID` is absent or names it, named by `LISTEN_FDNAMES`. The variables are read once and removed, as
 * `sd_listen_fds(1)` does, so child processes do not take the sockets for theirs; later calls return the same map.
 */
export function inheritedSockets(env: NodeJS.ProcessEnv = process.env): InheritedSockets {
  const known = read.get(env);
  if (known) return known;
  const count = Number(env.LISTEN_FDS ?? 0);
  const forUs = env.LISTEN_PID === undefined || Number(env.LISTEN_PID) === process.pid;
  const names = (env.LISTEN_FDNAMES ?? '').split(':');
  for (const key of ['LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES']) delete env[key];
  const sockets = new Map<string, number>();
  if (forUs && Number.isInteger(count)) {
    for (let i = 0; i < count; i++) sockets.set(names[i] || `fd${SD_LISTEN_FDS_START + i}`, SD_LISTEN_FDS_START + i);
  }
  read.set(env, sockets);
  return sockets;
}

/** True when a supervisor or systemd passed this process a socket; reads as `inheritedSockets` does. */
export function hasInheritedSockets(env: NodeJS.ProcessEnv = process.env): boolean {
  return inheritedSockets(env).size > 0;
}

/**
 * The inherited socket this process should listen on: the one named `name`, else the first. Null when none was
 * passed.
 */
export function inheritedSocket(options: Pick<ListenOptions, 'name' | 'env'> = {}): number | null {
  const sockets = inheritedSockets(options.env ?? process.env);
  if (sockets.size === 0) return null;
  if (options.name === undefined) return SD_LISTEN_FDS_START;
  const fd = sockets.get(options.name);
  if (fd === undefined) {
    throw new MoltError(
      'CONFIG_INVALID',
      `no inherited socket is named "${options.name}" (LISTEN_FDNAMES: ${[...sockets.keys()].join(', ')})`,
      {
        hint: 'Name the socket in the unit (FileDescriptorName=) or in molt run, or leave the name out to take the first',
      },
    );
  }
  return fd;
}

/**
 * Starts `server` on the socket a supervisor or systemd passed (`LISTEN_FDS`), else on a port. An inherited socket
 * outlives this process, so a replacement takes over its waiting connections: nothing is refused or reset.
 * @example
 * const server = createServer(handler);
 * life.attach(server);
 * const { port } = await listen(server, { port: 8080 });
 */
export function listen(server: Server, options: ListenOptions = {}): Promise<Listening> {
  const env = options.env ?? process.env;
  const fd = inheritedSocket(options);
  const port = options.port ?? (env.PORT === undefined ? 8080 : Number(env.PORT));
  // A process that serves nothing but its probes (a worker) listens on the private socket itself.
  const private_ = fd === null ? undefined : inheritedSockets(env).get(PROBE_SOCKET_NAME);
  const probeFd = private_ === undefined || private_ === fd ? null : private_;
  return new Promise((resolve, reject) => {
    const failed = (error: Error): void =>
      reject(
        new MoltError(
          'CONFIG_INVALID',
          fd === null
            ? `cannot listen on port ${port}: ${error.message}`
            : `cannot listen on inherited fd ${fd}: ${error.message}`,
          { cause: error, hint: fd === null ? 'Choose a free port (PORT)' : 'Check the socket unit or molt run' },
        ),
      );
    if (fd !== null && probeFd !== null) {
      // Under molt run the shared socket is taken only once the supervisor has seen this instance ready, as a load
      // balancer adds a server to its rotation: an instance that never gets ready never receives a request.
      serveProbeSocket(server, probeFd, fd).then(
        () => resolve({ fd, port, address: options.host ?? '0.0.0.0', probeFd }),
        failed,
      );
      return;
    }
    server.once('error', failed);
    const done = (): void => {
      server.off('error', failed);
      const address = server.address() as AddressInfo;
      resolve({ fd, port: address.port, address: address.address, probeFd: null });
    };
    if (fd !== null) server.listen({ fd }, done);
    else server.listen(port, options.host, done);
  });
}

/**
 * Answers the supervisor's private socket with the server's own request handler: a probe there reaches this one
 * instance, while the shared socket hands connections to whichever instance accepts first. `POST /.molt/serve`
 * there starts serving the shared socket (once; refused after the server closed). Closes with the server.
 */
function serveProbeSocket(server: Server, fd: number, sharedFd: number): Promise<void> {
  let closed = false;
  server.once('close', () => {
    closed = true;
    probe.close();
  });
  const probe = createServer((req, res) => {
    if (req.url !== SERVE_GATE_PATH) return void server.emit('request', req, res);
    const answer = (status: number, text: string): void => void res.writeHead(status).end(`${text}\n`);
    if (req.method !== 'POST') return answer(405, 'POST only');
    if (server.listening) return answer(200, 'serving');
    if (closed) return answer(409, 'closed: this instance is draining');
    server.once('error', (error) => answer(500, error.message));
    server.listen({ fd: sharedFd }, () => {
      // From now on the shared socket keeps the process alive; the private one never does on its own.
      probe.unref();
      answer(200, 'serving');
    });
  });
  return new Promise((resolve, reject) => {
    probe.once('error', reject);
    probe.listen({ fd }, () => {
      probe.off('error', reject);
      probe.on('error', () => probe.close());
      resolve();
    });
  });
}
