// `npm run demo:upgrade`: the sample service upgraded from 1.1.0 to 2.0.0 with no failed request, end to end.
// `molt run` serves three 1.1.0 instances on one socket; a client reads and writes notes at 200 requests a second;
// `molt upgrade` stages 2.0.0, plans, backs up, applies its expand migration, replaces the instances one at a time,
// validates, and runs its contract migration once the last 1.1.0 instance is gone. SQLite under a temporary
// directory by default; MOLT_DATABASE_URL picks another database.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { controlClient } from '../../src/supervisor/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const work = mkdtempSync(join(tmpdir(), 'molt-demo-'));
const env = {
  ...process.env,
  MOLT_DATABASE_URL: process.env.MOLT_DATABASE_URL ?? `sqlite:${join(work, 'app.db')}`,
  MOLT_BACKUP_DIR: join(work, 'backups'),
};
const state = join(work, 'state');
const say = (line: string): void => void process.stdout.write(`demo: ${line}\n`);

function start(args: string[], quiet = false): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: work,
    env,
    stdio: ['ignore', 'pipe', quiet ? 'ignore' : 'inherit'],
  });
}

async function main(): Promise<number> {
  say(`molt run: 3 instances of 1.1.0 on one socket (state in ${state})`);
  const run = start(
    [
      'run',
      join(ROOT, 'examples', 'sample-service'),
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--state',
      state,
      '--instances',
      'web=3',
    ],
    true,
  );
  const control = controlClient(join(state, 'control.sock'));
  let port = 0;
  for (let i = 0; i < 300 && port === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const status = await control.status().catch(() => null);
    if (status && status.instances.filter((x) => x.state === 'ready').length === 3) port = status.port;
  }
  if (port === 0) throw new Error('molt run did not get 3 instances ready in 30 s');

  say(`a client sends 200 requests a second to 127.0.0.1:${port} (4 reads for each write)`);
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const counts = { sent: 0, ok: 0, failed: 0, reads: 0, writes: 0 };
  const failures: string[] = [];
  const send = (): void => {
    const write = counts.sent++ % 5 === 0;
    const req = request(
      { host: '127.0.0.1', port, agent, method: write ? 'POST' : 'GET', path: write ? '/notes' : '/notes?limit=20' },
      (res) => {
        res.resume();
        res.on('end', () => {
          if ((res.statusCode ?? 500) < 500) counts.ok++;
          else (counts.failed++, failures.push(`HTTP ${res.statusCode}`));
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      counts.failed++;
      failures.push(error.code ?? error.message);
    });
    req.end(write ? `note ${counts.sent}` : undefined);
    if (write) counts.writes++;
    else counts.reads++;
  };
  const tick = setInterval(() => {
    send();
  }, 5);

  await new Promise((r) => setTimeout(r, 1_000));
  say('molt upgrade --to examples/sample-service-2');
  const started = Date.now();
  const upgrade = start([
    'upgrade',
    '--to',
    join(ROOT, 'examples', 'sample-service-2'),
    '--state',
    state,
    '--soak',
    '1s',
  ]);
  upgrade.stdout!.resume();
  const code = await new Promise<number | null>((resolve) => upgrade.on('exit', resolve));
  const tookMs = Date.now() - started;
  await new Promise((r) => setTimeout(r, 1_000));
  clearInterval(tick);
  await new Promise((r) => setTimeout(r, 500));

  const versions: Record<string, number> = {};
  for (const instance of (await control.status()).instances) {
    const body = (await (await fetch(`http://127.0.0.1:${instance.probePort}/api/version`)).json()) as {
      version: string;
    };
    versions[body.version] = (versions[body.version] ?? 0) + 1;
  }
  say(`molt upgrade exited ${code} after ${(tookMs / 1000).toFixed(1)} s`);
  say(
    `${counts.sent} requests (${counts.reads} reads, ${counts.writes} writes), ${counts.failed} failed${failures.length ? `: ${failures.slice(0, 5).join(', ')}` : ''}`,
  );
  say(
    `instances now: ${Object.entries(versions)
      .map(([v, n]) => `${n} on ${v}`)
      .join(', ')}`,
  );
  run.kill('SIGTERM');
  await new Promise((resolve) => run.on('exit', resolve));
  agent.destroy();
  rmSync(work, { recursive: true, force: true });
  return code === 0 && counts.failed === 0 && versions['2.0.0'] === 3 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
