// A small service the drain tests run as a child process: node:http, a `ws` WebSocket server on the same port,
// one drain participant that runs jobs, and three close hooks that print their order. Settings come from env.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { createLifecycle, type DrainReport } from '../../src/lifecycle/index.js';

const env = process.env;
const ms = (name: string): number | undefined => (env[name] === undefined ? undefined : Number(env[name]));
const say = (line: string): void => void process.stdout.write(`${line}\n`);

const life = createLifecycle({
  drainDelayMs: ms('DRAIN_DELAY_MS'),
  graceMs: ms('GRACE_MS'),
  idleGraceMs: ms('IDLE_GRACE_MS'),
  abortGraceMs: ms('ABORT_GRACE_MS'),
  hookTimeoutMs: ms('HOOK_TIMEOUT_MS'),
  hooksTotalMs: ms('HOOKS_TOTAL_MS'),
  killTimeoutMs: ms('KILL_TIMEOUT_MS'),
});
life.onDraining((reason) => say(`observer: draining (${reason}), phase ${life.phase}`));

// Jobs the participant drains: each finishes after its time, or is released as interrupted when the signal aborts.
const jobs = new Map<Promise<void>, () => void>();
life.register({
  name: 'jobs',
  async drain(signal) {
    say(`jobs: draining ${jobs.size}`);
    const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    const outcome = await Promise.race([
      Promise.all(jobs.keys()).then(() => 'done' as const),
      aborted.then(() => 'aborted' as const),
    ]);
    if (outcome === 'aborted') {
      await new Promise((resolve) => setTimeout(resolve, 50)); // the release is a database write
      say(`jobs: ${jobs.size} released as interrupted (${(signal.reason as Error).message})`);
      for (const finish of jobs.values()) finish();
    } else say('jobs: all done');
  },
});

for (const name of ['db', 'cache', 'metrics']) {
  life.onClose(name, async () => {
    say(`hook ${name}`);
    if (env.HANG_HOOK === name) await new Promise(() => {});
    if (env.FAIL_HOOK === name) throw new Error(`${name} refused to close`);
  });
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const wait = Number(url.searchParams.get('ms') ?? 0);
  switch (url.pathname) {
    case '/readyz':
      res.writeHead(life.phase === 'ready' ? 200 : 503).end(life.phase);
      return;
    case '/slow':
      say(`slow ${wait} started`);
      setTimeout(() => res.end(`slept ${wait} ms`), wait);
      return;
    case '/job': {
      let finish = (): void => {};
      const job = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        finish = () => (clearTimeout(timer), resolve());
      });
      jobs.set(job, finish);
      void job.then(() => jobs.delete(job));
      res.writeHead(202).end('job started');
      return;
    }
    case '/drain': {
      res.writeHead(202).end('draining');
      const first = life.drain(url.searchParams.get('reason') ?? undefined);
      say(`same promise: ${first === life.drain('again')}`);
      void first.then((report) => {
        say(`report ${JSON.stringify(report)}`);
        say(`phase ${life.phase}`);
      });
      return;
    }
    default:
      res.end('pass');
  }
});
life.attach(server);

const wss = new WebSocketServer({ server });
wss.on('connection', (socket) => socket.send('hello'));
life.addWebSocketServer(wss);

life.handleSignals({
  exit: (code: number, report?: DrainReport) => {
    say(`report ${JSON.stringify(report ?? null)}`);
    say(`exit ${code}`);
    process.exit(code);
  },
});

server.listen(0, '127.0.0.1', () => {
  life.markReady();
  const address = server.address();
  say(`settings ${JSON.stringify(life.settings)}`);
  say(`listening ${typeof address === 'object' && address ? address.port : 0}`);
});
