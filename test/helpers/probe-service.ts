// A service for the probe tests: node:http plus createProbes, its phase driven from outside.
// Settings from the environment; DATABASE_URL and MOLT_MIGRATIONS_DIR are read as molt reads them.
// Control: POST /control/phase/<phase>, POST /control/broken, POST /control/block?ms=N&times=K.
// SIGTERM: phase draining, keep serving PROBE_DRAIN_DELAY ms, then stop and exit 0.
import { createServer } from 'node:http';
import { createProbes, type LifecyclePhase } from '../../src/probes/index.js';

const env = process.env;
const lifecycle: { phase: LifecyclePhase } = { phase: 'starting' };
const num = (name: string): number | undefined => (env[name] ? Number(env[name]) : undefined);

const probes = createProbes({
  lifecycle,
  database: env.DATABASE_URL ? {} : undefined,
  timings: {
    checkInterval: num('PROBE_CHECK_INTERVAL'),
    queryTimeout: num('PROBE_QUERY_TIMEOUT'),
    lagInterval: num('PROBE_LAG_INTERVAL'),
    lagThreshold: num('PROBE_LAG_THRESHOLD'),
    lagSamples: num('PROBE_LAG_SAMPLES'),
  },
});

function busy(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

/** Blocks the event loop `times` times for `ms` each, one block per timer turn. */
function block(ms: number, times: number): void {
  if (times <= 0) return;
  setTimeout(() => {
    busy(ms);
    block(ms, times - 1);
  }, 1);
}

const server = createServer((req, res) => {
  if (probes.handle(req, res)) return;
  const url = new URL(req.url ?? '/', 'http://x');
  if (req.method === 'POST' && url.pathname.startsWith('/control/phase/')) {
    lifecycle.phase = url.pathname.slice('/control/phase/'.length) as LifecyclePhase;
  } else if (req.method === 'POST' && url.pathname === '/control/broken') {
    probes.markBroken('the test said so');
  } else if (req.method === 'POST' && url.pathname === '/control/block') {
    block(Number(url.searchParams.get('ms')), Number(url.searchParams.get('times')));
  } else if (url.pathname === '/hello') {
    res.end('hello');
    return;
  } else {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(204).end();
});

process.on('SIGTERM', () => {
  lifecycle.phase = 'draining';
  setTimeout(
    () => {
      lifecycle.phase = 'stopped';
      server.close(() => void probes.close().then(() => process.exit(0)));
      server.closeAllConnections();
    },
    num('PROBE_DRAIN_DELAY') ?? 1_500,
  );
});

server.listen(num('PORT') ?? 0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening on ${typeof address === 'object' && address ? address.port : '?'}\n`);
});
