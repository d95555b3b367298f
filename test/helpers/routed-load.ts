/**
 * A second process that acts as a client behind a load balancer: it sends a steady rate of reads and writes to its
 * targets, and (with polling on) routes only to targets whose `/readyz` last answered 200, as HAProxy or a
 * Kubernetes Service does. A target whose probe answers 503 or refuses leaves the rotation at once.
 *
 * Environment: `LOAD_TARGETS` (ports, comma separated), `LOAD_RATE` (requests per second, default 200),
 * `LOAD_POLL_MS` (readiness poll interval; 0 routes to every target without polling, default 0),
 * `LOAD_WRITE_EVERY` (every Nth request is a `POST /notes`; 0 for reads only; default 5).
 * Prints `started` once the first request is answered; on SIGTERM (or stdin closing) it stops sending, waits for
 * what is in flight and prints one JSON line: `{sent, statuses, errors, failed, unroutable, created, longestGapMs,
 * firstErrors}` (`failed`: connection errors and 5xx answers; `longestGapMs`: the longest time between two successful
 * answers, the downtime this client saw).
 */
import { Agent, request } from 'node:http';

const ports = (process.env.LOAD_TARGETS ?? '').split(',').filter(Boolean).map(Number);
const rate = Number(process.env.LOAD_RATE ?? 200);
const pollMs = Number(process.env.LOAD_POLL_MS ?? 0);
const writeEvery = Number(process.env.LOAD_WRITE_EVERY ?? 5);
// With a timeout, Node's agent honours the server's `Keep-Alive: timeout=N` and drops a pooled socket a second before
// the server would: as browsers and proxies do, it never sends on a socket the server is closing as idle.
const agent = new Agent({ keepAlive: true, maxSockets: 64, timeout: 60_000 });
const inRotation = new Set(pollMs > 0 ? [] : ports);
const statuses: Record<string, number> = {};
const errors: Record<string, number> = {};
const firstErrors: string[] = [];
const started = Date.now();
let sent = 0;
let unroutable = 0;
let created = 0;
let inFlight = 0;
let announced = false;
// The longest time between two successful answers: the downtime as this client saw it.
let lastOkAt = 0;
let longestGapMs = 0;
let stopping = false;
let next = 0;

function call(
  port: number,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; text: string } | Error> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, timeout: 20_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', (e) => resolve(e));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (e) => resolve(e));
    req.end(body);
  });
}

function note(error: string): void {
  errors[error] = (errors[error] ?? 0) + 1;
  if (firstErrors.length < 10) firstErrors.push(`${Date.now() - started} ms: ${error}`);
}

async function one(): Promise<void> {
  const targets = [...inRotation];
  if (targets.length === 0) {
    unroutable++;
    return;
  }
  const port = targets[next++ % targets.length]!;
  const write = writeEvery > 0 && sent % writeEvery === 0;
  sent++;
  inFlight++;
  const result = write
    ? await call(port, 'POST', '/notes', `note ${sent} from the load`)
    : await call(port, 'GET', '/notes?limit=20');
  inFlight--;
  if (result instanceof Error) return note((result as NodeJS.ErrnoException).code ?? result.message);
  statuses[result.status] = (statuses[result.status] ?? 0) + 1;
  if (result.status >= 500) note(`HTTP ${result.status} ${result.text.slice(0, 200)}`);
  else {
    const now = Date.now();
    if (lastOkAt > 0) longestGapMs = Math.max(longestGapMs, now - lastOkAt);
    lastOkAt = now;
  }
  if (write && result.status === 201) created++;
  if (!announced && result.status < 500) {
    announced = true;
    process.stdout.write('started\n');
  }
}

async function poll(port: number): Promise<void> {
  while (!stopping) {
    const result = await call(port, 'GET', '/readyz');
    if (!(result instanceof Error) && result.status === 200) inRotation.add(port);
    else inRotation.delete(port);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

if (pollMs > 0) for (const port of ports) void poll(port);
// A steady rate: every tick sends what the elapsed time owes, so a slow answer does not slow the client down.
let owed = 0;
const tick = setInterval(() => {
  owed += rate / 200;
  while (owed >= 1) {
    owed--;
    void one();
  }
}, 5);

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(tick);
  while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  const failed = Object.values(errors).reduce((a, b) => a + b, 0);
  process.stdout.write(
    `${JSON.stringify({ sent, statuses, errors, failed, unroutable, created, longestGapMs, firstErrors })}\n`,
  );
  agent.destroy();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
