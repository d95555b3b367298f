// What mounting the console costs a service, and that not mounting it costs nothing: the sample service booted on a
// fresh SQLite file, timed to its "listening" line, with its resident memory then; medians of interleaved rounds.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, cleanEnv } from '../test/helpers/cli.js';

/** One way of booting, measured. */
export interface ConsoleCostRow {
  mode: string;
  bootMs: number;
  rssMb: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function boot(env: Record<string, string>, dir: string): Promise<{ ms: number; rss: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [join(ROOT, 'dist/examples/sample-service/server.js')], {
    env: cleanEnv({ PORT: '0', MOLT_DATABASE_URL: `sqlite:${join(dir, 'app.db')}`, ...env }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  while (!/listening on/.test(err)) {
    if (child.exitCode !== null) throw new Error(err);
    await new Promise((r) => setTimeout(r, 2));
  }
  const ms = Date.now() - started;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  return { ms, rss };
}

/** Boot time and memory without the console, and with the fleet and console mounted, `rounds` each, interleaved. */
export async function measureConsoleCost(rounds: number): Promise<ConsoleCostRow[]> {
  const modes: [string, Record<string, string>][] = [
    ['not mounted', {}],
    ['fleet and console mounted', { MOLT_FLEET_ADMIN_TOKEN: 'a-long-admin-token-for-the-bench' }],
  ];
  const seen = new Map<string, { ms: number[]; rss: number[] }>(modes.map(([m]) => [m, { ms: [], rss: [] }]));
  for (let i = 0; i < rounds; i++) {
    for (const [mode, env] of modes) {
      const dir = mkdtempSync(join(tmpdir(), 'molt-cost-'));
      try {
        const { ms, rss } = await boot(env, dir);
        seen.get(mode)!.ms.push(ms);
        seen.get(mode)!.rss.push(rss);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  return modes.map(([mode]) => ({
    mode,
    bootMs: median(seen.get(mode)!.ms),
    rssMb: Math.round(median(seen.get(mode)!.rss) * 10) / 10,
  }));
}

/** The section of BENCHMARKS.md. */
export function consoleCostSection(rows: ConsoleCostRow[] | undefined, rounds: number): string {
  if (!rows?.length) return '';
  return `
## What the console costs a service

The sample service booted on a fresh SQLite file (it migrates, then listens), timed from spawn to its "listening" line,
with its resident memory then; ${rounds} interleaved rounds, medians. Not mounted, no module of the console, the fleet or
\`ws\` is loaded (test/console-cost.test.ts checks the module graph), so those figures are the service's own.

| the service | boot | memory |
|---|---|---|
${rows.map((r) => `| ${r.mode} | ${r.bootMs} ms | ${r.rssMb} MiB |`).join('\n')}
`;
}

if (process.argv[1]?.endsWith('console-cost.js')) {
  const rounds = Number(process.argv[2] ?? 9);
  process.stdout.write(consoleCostSection(await measureConsoleCost(rounds), rounds));
}
