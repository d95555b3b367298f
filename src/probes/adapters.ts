import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProbeKind, Probes } from './probes.js';

// Structural types only: the adapters never load a framework, so the core stays free of them.

/** Express (or Connect) middleware: answers the probe paths and passes every other request on. */
export function expressProbes(
  probes: Probes,
): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void {
  return (req, res, next) => {
    if (!probes.handle(req, res)) next();
  };
}

/** The part of a Fastify instance the plugin uses. */
export interface FastifyLike {
  route(route: {
    method: string[];
    url: string;
    handler: (request: { raw: IncomingMessage }, reply: { raw: ServerResponse; hijack(): unknown }) => void;
  }): unknown;
}

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const HANDLER = { health: 'healthz', ready: 'readyz', version: 'version' } as const;

/** A Fastify plugin (`app.register(fastifyProbes(probes))`) that routes the three paths to the probes. */
export function fastifyProbes(probes: Probes): (fastify: FastifyLike) => Promise<void> {
  return async (fastify) => {
    for (const kind of Object.keys(HANDLER) as ProbeKind[]) {
      const handler = probes[HANDLER[kind]];
      fastify.route({
        method: ALL_METHODS,
        url: probes.paths[kind],
        handler: (request, reply) => {
          // The probes write the raw response themselves, so every framework sends the same bytes.
          reply.hijack();
          handler(request.raw, reply.raw);
        },
      });
    }
  };
}

/** The part of a Hono context the middleware uses. */
export interface HonoContextLike {
  req: { path: string; method: string };
}

/** Hono middleware (`app.use(honoProbes(probes))`): answers the probe paths and passes every other request on. */
export function honoProbes(
  probes: Probes,
): (c: HonoContextLike, next: () => Promise<void>) => Promise<Response | void> {
  return async (c, next) => {
    const kind = probes.kindOf(c.req.path);
    if (!kind) return next();
    const r = await probes.respond(kind, c.req.method);
    return new Response(r.body === '' ? null : r.body, { status: r.status, headers: r.headers });
  };
}
