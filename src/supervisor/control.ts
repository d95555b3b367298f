import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createConnection } from 'node:net';
import { createServer, request, type Server } from 'node:http';
import { messageOf, MoltError } from '../errors.js';
import { readRelease } from './release.js';
import type { ReplaceReport, Supervisor, SupervisorStatus } from './supervisor.js';

/** The control socket's file name in the state directory. */
export const CONTROL_SOCKET = 'control.sock';

/** What `molt upgrade` and `molt status` ask a running supervisor. */
export interface ControlClient {
  readonly path: string;
  status(): Promise<SupervisorStatus>;
  /** Replaces (or starts) one slot with an instance of the release in `dir`; waits until it is done. */
  replace(
    type: string,
    slot: number,
    dir: string,
    waits?: { readyTimeoutMs?: number; soakMs?: number },
  ): Promise<ReplaceReport>;
  retire(type: string, slot: number): Promise<void>;
  /** Makes the release in `dir` the one restarts use. */
  setCurrent(dir: string): Promise<void>;
}

/**
 * Serves the supervisor's control API on a Unix socket only its user can open (HTTP with JSON bodies). A socket file
 * left by a supervisor that died is replaced; one a live supervisor answers on is refused.
 */
export async function serveControl(supervisor: Supervisor, path: string): Promise<Server> {
  if (existsSync(path)) {
    if (await answers(path)) {
      throw new MoltError('USAGE', `another molt run is running on ${path}`, {
        hint: 'Stop it first, or give this one its own --state directory',
        details: { path },
      });
    }
    unlinkSync(path);
  }
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d));
    req.on('end', () => {
      const send = (status: number, body: unknown): void =>
        void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? null));
      route(supervisor, `${req.method} ${req.url}`, text).then(
        (body) => send(200, body),
        (error: unknown) =>
          send(error instanceof MoltError ? 400 : 500, {
            error: error instanceof MoltError ? error.toJSON() : { code: 'INTERNAL', message: messageOf(error) },
          }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return server;
}

async function route(supervisor: Supervisor, call: string, text: string): Promise<unknown> {
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  switch (call) {
    case 'GET /status':
      return supervisor.status();
    case 'POST /replace':
      return supervisor.replace(String(body.type), Number(body.slot), readRelease(String(body.release)), {
        readyTimeoutMs: body.readyTimeoutMs as number | undefined,
        soakMs: body.soakMs as number | undefined,
      });
    case 'POST /retire':
      return supervisor.retire(String(body.type), Number(body.slot));
    case 'POST /current':
      return supervisor.setCurrent(readRelease(String(body.release)));
    default:
      throw new MoltError('USAGE', `the control socket has no ${call}`);
  }
}

/**
 * A client of the control socket in a state directory; every call fails with RUNTIME_UNAVAILABLE when no supervisor
 * answers there.
 * @example
 * const run = controlClient('/var/lib/app/molt/control.sock');
 * (await run.status()).instances.map((i) => `${i.name} ${i.version}`);
 */
export function controlClient(path: string): ControlClient {
  const call = <T>(method: string, route: string, body?: unknown): Promise<T> =>
    new Promise((resolve, reject) => {
      const req = request(
        { socketPath: path, method, path: route, headers: { 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            const parsed = text ? (JSON.parse(text) as unknown) : null;
            if (res.statusCode === 200) return resolve(parsed as T);
            const error = (parsed as { error?: { code?: string; message?: string; hint?: string } } | null)?.error;
            reject(
              new MoltError(
                error?.code === 'CONFIG_INVALID' ? 'CONFIG_INVALID' : 'USAGE',
                `molt run: ${error?.message ?? `HTTP ${res.statusCode}`}`,
                {
                  hint: error?.hint,
                },
              ),
            );
          });
        },
      );
      req.on('error', (error) =>
        reject(
          new MoltError('RUNTIME_UNAVAILABLE', `no molt run answers on ${path}: ${error.message}`, {
            cause: error,
            hint: 'Start the service with molt run, and pass the same --state directory',
            details: { path },
          }),
        ),
      );
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  return {
    path,
    status: () => call('GET', '/status'),
    replace: (type, slot, dir, waits = {}) => call('POST', '/replace', { type, slot, release: dir, ...waits }),
    retire: (type, slot) => call('POST', '/retire', { type, slot }),
    setCurrent: (dir) => call('POST', '/current', { release: dir }),
  };
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
