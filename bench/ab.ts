// `node dist/bench/ab.js OTHER_CHECKOUT`: this build against another build of molt (a checkout with dist/ built), on
// the same machine in the same run, interleaved round by round: `molt migrate` from empty and the no-op start, on
// SQLite, PostgreSQL and MariaDB. For a change that should not move the figures, where BENCHMARKS.md's medians of a
// few rounds on a VM with steal are too coarse. Rounds: AB_ROUNDS (default 9). Prints a markdown table to stdout.
import { join, resolve } from 'node:path';
import { CORPORA, ROOT } from '../test/helpers/cli.js';
import { MARIADB, POSTGRES, SQLITE, type Server } from './apply.js';
import { generated } from './peers/shared.js';
import { cell, stat, timed } from './stats.js';

const other = process.argv[2];
if (!other) {
  process.stderr.write('usage: node dist/bench/ab.js OTHER_CHECKOUT (with its dist/ built)\n');
  process.exit(2);
}
const ROUNDS = Number(process.env.AB_ROUNDS ?? 9);
const builds = {
  this: join(ROOT, 'dist', 'src', 'cli', 'main.js'),
  other: join(resolve(other), 'dist', 'src', 'cli', 'main.js'),
};
const env: NodeJS.ProcessEnv = { ...process.env, MOLT_BACKUP_BEFORE_MIGRATE: 'never' };
delete env.DATABASE_URL;
delete env.MOLT_DATABASE_URL;

const gen1k = generated(1000);
const workloads: { server: Server; name: string; dir: string }[] = [
  { server: SQLITE, name: 'generated, 1,000', dir: gen1k },
  { server: SQLITE, name: 'ory-kratos sqlite3-up', dir: join(CORPORA, 'ory-kratos', 'sqlite3-up') },
  { server: POSTGRES, name: 'generated, 1,000', dir: gen1k },
  { server: POSTGRES, name: 'trigger-dev', dir: join(CORPORA, 'trigger-dev', 'migrations') },
  { server: MARIADB, name: 'generated, 1,000', dir: gen1k },
];

const run = (bin: string, server: Server, url: string, dir: string): number =>
  timed(process.execPath, [bin, 'migrate', '--db', url, '--dir', dir, ...server.moltArgs], { env });

const rows: string[] = [];
for (const w of workloads) {
  const apply = { this: [] as number[], other: [] as number[] };
  const noop = { this: [] as number[], other: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which build goes first, so neither always meets a warmer server.
    const order = round % 2 === 0 ? (['this', 'other'] as const) : (['other', 'this'] as const);
    for (const which of order) {
      const db = await w.server.create();
      try {
        apply[which].push(run(builds[which], w.server, db.url, w.dir));
        noop[which].push(run(builds[which], w.server, db.url, w.dir));
      } finally {
        await db.drop();
      }
    }
    process.stderr.write(`ab: ${w.server.name}, ${w.name}: round ${round + 1}/${ROUNDS}\n`);
  }
  for (const [what, times] of [
    ['apply from empty', apply],
    ['no-op start', noop],
  ] as const) {
    const a = stat(times.this);
    const b = stat(times.other);
    rows.push(
      `| ${w.server.name} | ${w.name} | ${what} | ${cell(a)} | ${cell(b)} | **${(a.median / b.median).toFixed(2)}x** |`,
    );
  }
}
process.stdout.write(
  `| database | workload | run | this build | other build | this / other |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n\n${ROUNDS} rounds, interleaved.\n`,
);
