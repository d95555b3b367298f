import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { cleanEnv, ROOT } from './cli.js';

/** The probe fixture service, built. */
export const PROBE_SERVICE = join(ROOT, 'dist', 'test', 'helpers', 'probe-service.js');

/** A running fixture service. */
export interface Service {
  child: ChildProcess;
  port: number;
  output: () => string;
  exit: Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** Starts the fixture in `cwd` and resolves once it listens on its ephemeral port. */
export function startService(cwd: string, env: Record<string, string> = {}): Promise<Service> {
  const base = cleanEnv(env);
  for (const name of ['COMMIT_SHA', 'GIT_COMMIT', 'SOURCE_COMMIT', 'MOLT_APP_VERSION'])
    if (!(name in env)) delete base[name];
  const child = spawn(process.execPath, [PROBE_SERVICE], { cwd, env: base });
  running.add(child);
  let output = '';
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the probe service did not start: ${output}`)), 15_000);
    const seen = (d: Buffer): void => {
      output += d;
      const match = /listening on (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]), output: () => output, exit });
      }
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    void exit.then((code) => reject(new Error(`the probe service exited with ${code}: ${output}`)));
  });
}

/** Kills every fixture still running; for `after`. */
export function stopServices(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** One probe answer as a client sees it. */
export interface ProbeAnswer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

/** Sends one request to a local port. */
export async function request(port: number, path: string, method = 'GET'): Promise<ProbeAnswer> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** Polls `path` until `accept` holds for an answer; throws with the last answer after `timeoutMs`. */
export async function waitFor(
  port: number,
  path: string,
  accept: (a: ProbeAnswer) => boolean,
  timeoutMs = 8_000,
): Promise<ProbeAnswer> {
  const deadline = Date.now() + timeoutMs;
  let last: ProbeAnswer | null = null;
  while (Date.now() < deadline) {
    last = await request(port, path);
    if (accept(last)) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(
    `${path} did not reach the expected state in ${timeoutMs} ms; last answer ${last?.status} ${last?.text}`,
  );
}
