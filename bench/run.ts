// `npm run bench`: molt against floors and peers on SQLite, PostgreSQL and MariaDB, medians of interleaved rounds; rewrites BENCHMARKS.md.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CORPORA, ROOT } from '../test/helpers/cli.js';
import { corpusFiles } from '../test/helpers/floors.js';
import { MARIADB, POSTGRES, SQLITE, measureApply, type ApplyRow, type Workload } from './apply.js';
import { measureBackup } from './backup.js';
import { measureInstances, type InstanceRow } from './instances.js';
import { measureLint } from './lint.js';
import { generated } from './peers/shared.js';
import { measurePeers } from './peers/index.js';
import { measureStampede } from './peers/stampede.js';
import { measureReplicas } from './replicas.js';
import { renderReport, type Figures } from './report.js';
import { measureUpgrade, type UpgradeRow } from './upgrade.js';
import { measureFleet, type FleetRow } from './fleet.js';
import { measureConsoleCost, type ConsoleCostRow } from './console-cost.js';

// Rounds per kind of figure, sized so that the whole run stays under 20 minutes on 2 cores: a round of the 10,000-file
// sets takes 40 s to 90 s per database, and one of backup and restore of 1 GiB a minute or two.
const rounds = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const ROUNDS = rounds('BENCH_ROUNDS', 3);
const PEER_ROUNDS = rounds('BENCH_PEER_ROUNDS', 2);
const LONG_ROUNDS = rounds('BENCH_LONG_ROUNDS', 2);
const HUGE_ROUNDS = rounds('BENCH_10K_ROUNDS', 1);
const started = Date.now();
const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(0)} s`;
const log = (what: string): boolean => process.stderr.write(`bench [${elapsed()}]: ${what}\n`);

/** The kratos MySQL history up to the last file MariaDB 10.11 accepts (file 345 needs MySQL 8), linked, not copied. */
function kratosForMariadb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'molt-kratos-mysql-'));
  for (const f of corpusFiles(join(CORPORA, 'ory-kratos', 'mysql-up')).slice(0, 344))
    symlinkSync(f, join(dir, basename(f)));
  return dir;
}

const gen1k = generated(1000);
const gen10k = generated(10_000);
const kratosMysql = kratosForMariadb();
const triggerDev = join(CORPORA, 'trigger-dev', 'migrations');
const kratos = (dialect: string): string => join(CORPORA, 'ory-kratos', `${dialect}-up`);

const GEN_1K = 'generated, 1,000 migrations';
const GEN_10K = 'generated, 10,000 migrations';
const workloads: Workload[] = [
  { server: SQLITE, name: GEN_1K, dir: gen1k, rounds: ROUNDS },
  { server: SQLITE, name: 'ory-kratos sqlite3-up (real)', dir: kratos('sqlite3'), rounds: ROUNDS },
  { server: SQLITE, name: GEN_10K, dir: gen10k, rounds: HUGE_ROUNDS },
  { server: POSTGRES, name: GEN_1K, dir: gen1k, rounds: ROUNDS },
  { server: POSTGRES, name: 'trigger-dev (real, Prisma layout)', dir: triggerDev, rounds: ROUNDS },
  { server: POSTGRES, name: 'ory-kratos postgres-up (real)', dir: kratos('postgres'), rounds: ROUNDS },
  { server: POSTGRES, name: GEN_10K, dir: gen10k, rounds: HUGE_ROUNDS },
  { server: MARIADB, name: GEN_1K, dir: gen1k, rounds: ROUNDS },
  { server: MARIADB, name: 'ory-kratos mysql-up, files 1–344 (real)', dir: kratosMysql, rounds: ROUNDS },
  { server: MARIADB, name: GEN_10K, dir: gen10k, rounds: HUGE_ROUNDS },
];

// BENCH_ONLY=apply,replicas,peers,stampede,lint,backup,instances,upgrade,fleet,console runs some sections: their figures go to bench/results/partial.json,
// and BENCHMARKS.md, which holds one whole run, is left alone.
const only = process.env.BENCH_ONLY?.split(',').map((x) => x.trim());
const wanted = (section: string): boolean => {
  if (only && !only.includes(section)) return false;
  log(section);
  return true;
};

const applied: ApplyRow[] = [];
if (wanted('apply')) {
  for (const w of workloads) {
    log(`${w.server.name}, ${w.name}`);
    applied.push(await measureApply(w));
  }
}
const replicas = wanted('replicas')
  ? await measureReplicas(LONG_ROUNDS, [
      {
        server: SQLITE.name,
        workload: 'ory-kratos sqlite3-up (real)',
        dir: kratos('sqlite3'),
        env: SQLITE.moltEnv,
        create: SQLITE.create,
      },
      {
        server: POSTGRES.name,
        workload: 'trigger-dev (real, Prisma layout)',
        dir: triggerDev,
        env: POSTGRES.moltEnv,
        create: POSTGRES.create,
      },
      {
        server: MARIADB.name,
        workload: 'ory-kratos mysql-up, files 1–344 (real)',
        dir: kratosMysql,
        env: MARIADB.moltEnv,
        create: MARIADB.create,
      },
    ])
  : [];
const peers = wanted('peers') ? await measurePeers(PEER_ROUNDS, { generatedDir: gen1k }) : [];
const stampede = wanted('stampede')
  ? await measureStampede([
      // Smaller sets than the apply figures: what counts here is how each tool copes, and six tools start sixteen times each.
      // Histories every peer applies alone: knex stops at kratos's comment-only files on PostgreSQL and MariaDB.
      { dialect: 'postgres', name: 'trigger-dev, first 120 (real)', files: corpusFiles(triggerDev).slice(0, 120) },
      { dialect: 'mysql', name: 'generated, first 120 migrations', files: corpusFiles(gen1k).slice(0, 120) },
      { dialect: 'sqlite', name: 'ory-kratos sqlite3-up (real)', files: corpusFiles(kratos('sqlite3')) },
    ])
  : [];
const lint = wanted('lint') ? measureLint(ROUNDS) : { rows: [], squawk: '' };
const backups = wanted('backup') ? await measureBackup(LONG_ROUNDS) : [];
const instances: InstanceRow[] = [];
if (wanted('instances'))
  for (const server of [SQLITE, POSTGRES, MARIADB]) instances.push(await measureInstances(server, ROUNDS + 2));
const upgrades: UpgradeRow[] = wanted('upgrade') ? await measureUpgrade(ROUNDS, log) : [];
const fleet: FleetRow[] = wanted('fleet') ? await measureFleet(10_000, log) : [];
const consoleCost: ConsoleCostRow[] = wanted('console') ? await measureConsoleCost(9) : [];
log('done');
for (const dir of [gen1k, gen10k, kratosMysql]) rmSync(dir, { recursive: true, force: true });

const figures: Figures = {
  rounds: ROUNDS,
  peerRounds: PEER_ROUNDS,
  longRounds: LONG_ROUNDS,
  hugeRounds: HUGE_ROUNDS,
  applied,
  replicas,
  peers,
  stampede,
  lint,
  backups,
  instances,
  upgrades,
  fleet,
  consoleCost,
  wallMs: Date.now() - started,
};
// Kept before rendering, so a report can be written again from a run's figures without running it again.
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', only ? 'partial.json' : 'latest.json'), JSON.stringify(figures, null, 1));
if (!only) {
  const md = await renderReport(figures);
  // The fault suite's section comes from `npm run faults`, which takes minutes of its own: kept as the last run left it.
  const previous = readFileSync(join(ROOT, 'BENCHMARKS.md'), 'utf8');
  const faults = previous.includes('\n## Fault suite') ? previous.slice(previous.indexOf('\n## Fault suite')) : '';
  writeFileSync(join(ROOT, 'BENCHMARKS.md'), md + faults);
  process.stdout.write(md);
}
