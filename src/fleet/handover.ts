import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:net';

/** The environment variable naming the listening sockets a new version inherits: `{"http": 4}`. */
export const HANDOVER_ENV = 'MOLT_AGENT_LISTEN_FDS';

/** The message a new version sends its predecessor once the fleet confirmed it. */
export const CONFIRMED_MESSAGE = 'molt-agent-confirmed';

/** The listening sockets handed to this process by its predecessor, by name. */
export function handedSockets(env: NodeJS.ProcessEnv = process.env): Map<string, number> {
  const found = new Map<string, number>();
  const text = env[HANDOVER_ENV];
  if (!text) return found;
  try {
    for (const [name, fd] of Object.entries(JSON.parse(text) as Record<string, unknown>))
      if (Number.isInteger(fd) && (fd as number) > 2) found.set(name, fd as number);
  } catch {
    // A malformed value hands nothing over: the agent binds its ports itself.
  }
  return found;
}

/** The file descriptor of a listening server, to pass on. */
function fdOf(server: Server): number {
  const fd = (server as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new Error('the listening socket has no file descriptor to hand over');
  return fd;
}

/**
 * Starts the next version with the listening sockets inherited (Node 20 has no execve): both processes accept on the
 * same sockets until the old one steps back, so no connection is refused. An IPC channel carries the confirmation.
 */
export function spawnSuccessor(
  entry: string,
  listeners: Map<string, Server>,
  args: string[],
  env: NodeJS.ProcessEnv,
): ChildProcess {
  const names = [...listeners.keys()];
  const fds = names.map((name) => fdOf(listeners.get(name)!));
  // stdio: 0–2 inherited, 3 the IPC channel, 4… the listening sockets in `names` order.
  const mapping = Object.fromEntries(names.map((name, i) => [name, i + 4]));
  return spawn(process.execPath, [entry, ...args], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc', ...fds],
    env: { ...env, [HANDOVER_ENV]: JSON.stringify(mapping) },
  });
}

/** Waits for a new version's confirmation, its exit, or the deadline. */
export function awaitConfirmation(child: ChildProcess, withinMs: number): Promise<'confirmed' | string> {
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => {
        child.kill('SIGKILL');
        resolve(`no confirmation within ${Math.round(withinMs / 1000)} s`);
      },
      Math.max(0, withinMs),
    );
    child.on('message', (message) => {
      if (message !== CONFIRMED_MESSAGE) return;
      clearTimeout(timer);
      resolve('confirmed');
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(signal ? `killed by ${signal}` : `exit code ${code}`);
    });
  });
}
