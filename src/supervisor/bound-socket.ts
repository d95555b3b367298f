import * as net from 'node:net';
import { MoltError } from '../errors.js';

/** A TCP socket bound to an address, held open by this process, which never accepts on it. */
export interface BoundSocket {
  /** The descriptor children inherit. */
  readonly fd: number;
  readonly host: string;
  readonly port: number;
  /** Closes this process's copy; the socket lives on in children that hold theirs. */
  close(): void;
}

interface ServerHandle {
  fd: number;
  getsockname(out: { address?: string; port?: number }): number;
  close(): void;
}

type CreateHandle = (
  address: string | null,
  port: number | null,
  addressType: number | null,
  fd?: number,
  flags?: number,
) => ServerHandle | number;

/**
 * Binds a TCP socket without listening on it. Children start listening on their inherited copy, and since the socket
 * is one kernel object, it keeps listening, with its queue of waiting connections, for as long as any copy is open:
 * an instance that exits leaves its waiting connections to the next. Node's cluster module binds its shared handles
 * the same way (`net._createServerHandle`); listening here would make this process accept too.
 */
export function bindSocket(host: string, port: number): BoundSocket {
  const handle = createHandle()(host, port, net.isIPv6(host) ? 6 : 4);
  if (typeof handle === 'number') {
    const code = handle === -98 ? 'EADDRINUSE' : handle === -13 ? 'EACCES' : `errno ${handle}`;
    throw new MoltError('CONFIG_INVALID', `cannot bind ${host}:${port}: ${code}`, {
      hint:
        code === 'EADDRINUSE'
          ? 'Another process listens there: stop it or choose another --port'
          : 'Choose another --port or --host',
      details: { host, port },
    });
  }
  const name: { address?: string; port?: number } = {};
  handle.getsockname(name);
  return { fd: handle.fd, host, port: name.port ?? port, close: () => handle.close() };
}

/**
 * The listening socket systemd (socket activation) passed this process as `fd`, to hand on to children as a bound
 * one is: systemd keeps it open across restarts of the supervisor itself. Its address is read from the socket.
 */
export function adoptSocket(fd: number): BoundSocket {
  const handle = createHandle()(null, null, null, fd);
  if (typeof handle === 'number') {
    throw new MoltError('CONFIG_INVALID', `the inherited fd ${fd} is not a TCP socket (errno ${handle})`, {
      hint: 'Check the socket unit: ListenStream= gives a TCP socket',
    });
  }
  const name: { address?: string; port?: number } = {};
  handle.getsockname(name);
  // Never closed here: systemd owns it, and the children hold their own copies.
  return { fd, host: name.address ?? 'inherited', port: name.port ?? 0, close: () => undefined };
}

function createHandle(): CreateHandle {
  const create = (net as unknown as { _createServerHandle?: CreateHandle })._createServerHandle;
  if (typeof create !== 'function') {
    throw new MoltError(
      'RUNTIME_UNAVAILABLE',
      `this Node.js (${process.version}) has no way to bind a socket for children`,
      {
        hint: 'Run molt with Node.js 20 or 22',
      },
    );
  }
  return create;
}
