import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Puts `handle` in front of a server's request listeners: a request it takes (returns true) is its own, every other one
 * goes to the listeners the server had, as before. How the fleet and the console mount on a service's server.
 */
export function mountBefore(server: Server, handle: (req: IncomingMessage, res: ServerResponse) => boolean): void {
  const requests = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (handle(req, res)) return;
    for (const listener of requests) listener.call(server, req, res);
  });
}
