// Lint throughput: `molt lint` on whole histories, against squawk on the same PostgreSQL files in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, CORPORA, ROOT } from '../test/helpers/cli.js';
import { corpusFiles } from '../test/helpers/floors.js';
import { stat, timed, type Stat } from './stats.js';

const BENCH = join(ROOT, 'bench');
const SQUAWK = join(BENCH, 'node_modules', '.bin', 'squawk');

// Lint tools exit non-zero when they find something, which is fine here.
const timedRun = (command: string, args: string[], accept: number[]): number => timed(command, args, { accept });

/** Installs the peer tools into bench/node_modules once; returns why squawk cannot run, or null. */
function ensureSquawk(): string | null {
  if (!existsSync(SQUAWK)) {
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', BENCH], { encoding: 'utf8' });
    if (r.status !== 0) return `npm install squawk-cli failed: ${r.stderr.trim().split('\n').at(-1)}`;
  }
  const v = spawnSync(SQUAWK, ['--version'], { encoding: 'utf8' });
  return v.status === 0 ? null : `squawk does not start here: ${v.stderr.trim()}`;
}

/** One lint workload: a directory for molt, the same files for squawk when the dialect is PostgreSQL. */
interface Workload {
  name: string;
  dir: string;
  dialect: 'postgres' | 'mysql' | 'sqlite';
}

/** A measured workload. */
export interface LintRow {
  name: string;
  files: number;
  molt: Stat;
  squawk: Stat | null;
  ratio: number | null;
}

const WORKLOADS: Workload[] = [
  {
    name: 'trigger-dev (PostgreSQL, largest history)',
    dir: join(CORPORA, 'trigger-dev', 'migrations'),
    dialect: 'postgres',
  },
  { name: 'ory-kratos postgres-up', dir: join(CORPORA, 'ory-kratos', 'postgres-up'), dialect: 'postgres' },
  { name: 'ory-kratos mysql-up', dir: join(CORPORA, 'ory-kratos', 'mysql-up'), dialect: 'mysql' },
  { name: 'ory-kratos sqlite3-up', dir: join(CORPORA, 'ory-kratos', 'sqlite3-up'), dialect: 'sqlite' },
];

/** Times every workload in interleaved rounds and returns the rows plus squawk's version or why it did not run. */
export function measureLint(rounds: number): { rows: LintRow[]; squawk: string } {
  const missing = ensureSquawk();
  const squawkVersion = missing ?? spawnSync(SQUAWK, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const rows: LintRow[] = [];
  for (const w of WORKLOADS) {
    process.stderr.write(`bench: lint ${w.name}...\n`);
    const files = corpusFiles(w.dir);
    const moltArgs = [BIN, 'lint', '--dialect', w.dialect, '--dir', w.dir, '--json'];
    const squawkArgs = ['--reporter', 'gcc', ...files];
    const useSquawk = w.dialect === 'postgres' && missing === null;
    const moltTimes: number[] = [];
    const squawkTimes: number[] = [];
    timedRun(process.execPath, moltArgs, [0, 10]); // warm the file cache for both tools
    for (let i = 0; i < rounds; i++) {
      moltTimes.push(timedRun(process.execPath, moltArgs, [0, 10]));
      if (useSquawk) squawkTimes.push(timedRun(SQUAWK, squawkArgs, [0, 1]));
    }
    const molt = stat(moltTimes);
    const squawk = useSquawk ? stat(squawkTimes) : null;
    rows.push({ name: w.name, files: files.length, molt, squawk, ratio: squawk ? molt.median / squawk.median : null });
  }
  return { rows, squawk: squawkVersion };
}
