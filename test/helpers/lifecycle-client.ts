import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest, type Agent } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { DrainReport } from '../../src/lifecycle/index.js';
import { cleanEnv, ROOT } from './cli.js';

const SERVICE = join(ROOT, 'dist', 'test', 'helpers', 'lifecycle-service.js');

/** A running `lifecycle-service` child and what it printed. */
export interface Service {
  child: ChildProcess;
  port: number;
  stdout(): string;
  stderr(): string;
  /** Lines of stdout that start with `prefix`, in order. */
  lines(prefix: string): string[];
  /** Resolves once `pattern` shows on the stream. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<void>;
  /** The exit code (or signal) and the time it came, once all output is read. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** The drain report the service printed, once it has. */
  report(): DrainReport | null;
}

/** Starts the drain fixture with the given settings and resolves once it listens. */
export function startService(env: Record<string, string> = {}): Promise<Service> {
  const child = spawn(process.execPath, [SERVICE], { env: cleanEnv(env) });
  const out = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]!.on('data', (data) => {
      out[stream] += data;
      for (const check of waiters) check();
    });
  }
  // Resolved on `close`, once stdout and stderr are read to the end; the time is the exit's.
  let exitedAt = 0;
  child.on('exit', () => (exitedAt = Date.now()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, at: exitedAt })),
  );
  const waitFor = (pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout', timeoutMs = 10_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`${pattern} did not show on ${stream}:\n${out.stdout}\n${out.stderr}`));
      }, timeoutMs);
      const check = (): void => {
        if (!pattern.test(out[stream])) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  const lines = (prefix: string): string[] => out.stdout.split('\n').filter((line) => line.startsWith(prefix));
  return waitFor(/^listening \d+$/m).then(() => ({
    child,
    port: Number(/^listening (\d+)$/m.exec(out.stdout)![1]),
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    lines,
    waitFor,
    exit,
    report: () => {
      const line = lines('report ').at(-1);
      return line === undefined ? null : (JSON.parse(line.slice('report '.length)) as DrainReport);
    },
  }));
}

/** What one HTTP request ended with: a response, or the error code and whether the socket had connected. */
export type Outcome =
  | { ok: true; status: number; connection: string | undefined; body: string; at: number; reused: boolean }
  | { ok: false; error: string; connected: boolean; at: number };

/** One GET with node:http (fetch hides `Connection` and pools on its own); never rejects. */
export function get(port: number, path: string, agent: Agent | false = false): Promise<Outcome> {
  return new Promise((resolve) => {
    let connected = false;
    let reused = false;
    const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({
          ok: true,
          status: res.statusCode!,
          connection: res.headers.connection,
          body,
          at: Date.now(),
          reused,
        }),
      );
      res.on('error', (error: NodeJS.ErrnoException) =>
        resolve({ ok: false, error: error.code ?? error.message, connected, at: Date.now() }),
      );
    });
    req.on('socket', (socket) => {
      reused = req.reusedSocket;
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, error: error.code ?? error.message, connected, at: Date.now() }),
    );
    req.end();
  });
}

/**
 * Opens a WebSocket by hand and never answers a close frame, like a client that has hung;
 * resolves the close code the server sent, or null when the socket ended without one.
 */
export function stubbornWebSocket(
  port: number,
): Promise<{ opened: Promise<void>; closeCode: Promise<number | null>; ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    let openedResolve!: () => void;
    let codeResolve!: (code: number | null) => void;
    const opened = new Promise<void>((r) => (openedResolve = r));
    const closeCode = new Promise<number | null>((r) => (codeResolve = r));
    const ended = new Promise<void>((r) => socket.on('close', () => (codeResolve(null), r())));
    socket.on('error', () => {});
    socket.on('connect', () => {
      socket.write(
        'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
      resolve({ opened, closeCode, ended });
    });
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      const head = buffer.indexOf('\r\n\r\n');
      if (head < 0) return;
      openedResolve();
      // Server frames are unmasked and short here: [opcode byte, length byte, payload...].
      let frames = buffer.subarray(head + 4);
      while (frames.length >= 2) {
        const length = frames[1]! & 0x7f;
        if (frames.length < 2 + length) break;
        if ((frames[0]! & 0x0f) === 0x8) codeResolve(frames.readUInt16BE(2));
        frames = frames.subarray(2 + length);
      }
    });
  });
}
