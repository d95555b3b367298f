import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { MoltError } from '../errors.js';

/** The first file descriptor systemd (and `molt run`) pass listening sockets on. */
export const SD_LISTEN_FDS_START = 3;

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
  port: number;
  address: string;
}

/**
 * The inherited socket this process should listen on, after the systemd convention: `LISTEN_FDS` sockets from fd 3,
 * for this process when `LISTEN_PID` is absent or names it. Null when none was passed. Reads the variables once and
 * removes them, as `sd_listen_fds(1)` does.
 */
export function inheritedSocket(options: Pick<ListenOptions, 'name' | 'env'> = {}): number | null {
  const env = options.env ?? process.env;
  const count = Number(env.LISTEN_FDS ?? 0);
  const forUs = env.LISTEN_PID === undefined || Number(env.LISTEN_PID) === process.pid;
  const names = (env.LISTEN_FDNAMES ?? '').split(':');
  for (const key of ['LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES']) delete env[key];
  if (!forUs || !Number.isInteger(count) || count < 1) return null;
  if (options.name === undefined) return SD_LISTEN_FDS_START;
  const index = names.indexOf(options.name);
  if (index === -1 || index >= count) {
    throw new MoltError(
      'CONFIG_INVALID',
      `no inherited socket is named "${options.name}" (LISTEN_FDNAMES: ${names.join(', ') || 'none'})`,
      {
        hint: 'Name the socket in the unit (FileDescriptorName=) or in molt run, or leave the name out to take the first',
      },
    );
  }
  return SD_LISTEN_FDS_START + index;
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
    server.once('error', failed);
    const done = (): void => {
      server.off('error', failed);
      const address = server.address() as AddressInfo;
      resolve({ fd, port: address.port, address: address.address });
    };
    if (fd !== null) server.listen({ fd }, done);
    else server.listen(port, options.host, done);
  });
}
