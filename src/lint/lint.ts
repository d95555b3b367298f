import { MoltError } from '../errors.js';
import { resolveConfig, type ConfigInput } from '../config/config.js';
import { parseDatabaseUrl } from '../config/url.js';
import { dialectFor } from '../drivers/index.js';
import {
  checkSum,
  compareVersions,
  executionMode,
  loadMigrations,
  type Migration,
  type MigrationBundle,
  type SumCheck,
} from '../migrate/internal.js';
import { splitStatements } from '../sql/index.js';
import { statementAllowances } from './allow.js';
import { loadAnalyzer } from './analyzers.js';
import { judgeFile, metaFinding } from './file-verdict.js';
import type { Finding, LintReport } from './report.js';
import type { AnalyzerOptions, Hit, LintDialect } from './types.js';

/** Options of `lint`. */
export interface LintOptions extends Pick<ConfigInput, 'dir' | 'db'> {
  /** The SQL dialect; read from the database URL's scheme when absent. `mariadb` reads MariaDB syntax. */
  dialect?: LintDialect | 'mariadb';
  /** The last version the previous release shipped; later files count as unreleased. Default: every file but none is new. */
  released?: string;
  cwd?: string;
}

/** Which dialect and parser flavour a lint run reads. */
function dialectOf(options: LintOptions, db: string): { dialect: LintDialect; flavour?: AnalyzerOptions['flavour'] } {
  if (options.dialect === 'mariadb') return { dialect: 'mysql', flavour: 'mariadb' };
  if (options.dialect) return { dialect: options.dialect };
  const parsed = parseDatabaseUrl(db);
  return { dialect: parsed.kind, ...('flavour' in parsed ? { flavour: parsed.flavour } : {}) };
}

/**
 * Checks every migration of the configured directory: expand/contract classes, lock safety, acknowledgements and molt.sum.
 * @example
 * const report = await lint({ dir: './migrations', dialect: 'postgres', released: '0042' });
 * if (report.status === 'errors') process.exitCode = 10;
 */
export async function lint(options: LintOptions = {}): Promise<LintReport> {
  const cwd = options.cwd ?? process.cwd();
  const config = resolveConfig({ dir: options.dir, db: options.db }, { cwd });
  const { dialect, flavour } = dialectOf(options, config.db);
  const migrations = loadMigrations({ dir: config.dir });
  return lintMigrations(migrations, {
    dialect,
    flavour,
    released: options.released,
    dir: config.dir,
    sum: checkSum(config.dir, migrations),
  });
}

/**
 * Lints migrations given as text, keyed like file names (`0001_init.sql`); no sum file is involved.
 * @example
 * const report = await lintFiles({ '0002_drop.sql': 'ALTER TABLE t DROP COLUMN a;' }, { dialect: 'postgres' });
 */
export async function lintFiles(
  files: MigrationBundle,
  options: { dialect: LintDialect | 'mariadb'; released?: string },
): Promise<LintReport> {
  const { dialect, flavour } = dialectOf(options, '');
  const migrations = loadMigrations({ bundle: files });
  return lintMigrations(migrations, {
    dialect,
    flavour,
    released: options.released,
    dir: '(bundle)',
    sum: { status: 'missing', path: '', changed: [] },
  });
}

interface RunOptions {
  dialect: LintDialect;
  flavour?: AnalyzerOptions['flavour'];
  released?: string;
  dir: string;
  sum: SumCheck;
}

async function lintMigrations(migrations: Migration[], run: RunOptions): Promise<LintReport> {
  if (run.released !== undefined && !/^\d+$/.test(run.released)) {
    throw new MoltError('USAGE', `--released takes a migration version (digits), not "${run.released}"`, {
      hint: 'Example: molt lint --released 0042',
    });
  }
  const { sql, capabilities } = await dialectFor(run.dialect);
  const analyzer = await loadAnalyzer(run.dialect, { flavour: run.flavour });
  const report: LintReport = {
    dialect: run.dialect,
    dir: run.dir,
    released: run.released ?? null,
    files: [],
    findings: [],
    counts: { errors: 0, warnings: 0, notes: 0 },
    classes: { C: 0, A: 0, U: 0, E: 0, N: 0 },
    sum: run.sum,
    status: 'clean',
    ok: true,
  };
  try {
    for (const m of migrations) {
      const statements = splitStatements(m.sql, sql);
      const extra: { statement: number; hit: Hit }[] = [];
      let outsideTransaction = false;
      try {
        outsideTransaction = executionMode(m, sql, capabilities, statements).mode !== 'transaction';
      } catch (error) {
        if (!(error instanceof MoltError) || error.code !== 'MIGRATION_MIXED_TRANSACTION') throw error;
        const index = statements.findIndex((s) => sql.nonTransactional.some((re) => re.test(s.head)));
        extra.push({
          statement: index,
          hit: {
            code: 'concurrently-in-transaction',
            message: `${statements[index].text.split(/\s+/).slice(0, 4).join(' ')} cannot share a transaction with the file's other statements`,
          },
        });
      }
      const released = run.released === undefined || compareVersions(m.version, run.released) <= 0;
      const analyses = analyzer.file({ source: m.source, text: m.sql, statements, outsideTransaction, released });
      const { verdict, findings } = judgeFile({
        migration: m,
        statements,
        analyses,
        extra,
        fileAllow: m.allow,
        statementAllow: statementAllowances(m.sql, statements),
      });
      report.files.push(verdict);
      report.findings.push(...findings);
    }
  } finally {
    analyzer.close?.();
  }
  report.findings.push(...sumFindings(run.sum));
  for (const f of report.findings) report.counts[`${f.severity}s`]++;
  for (const f of report.files) report.classes[f.class]++;
  report.ok = report.counts.errors === 0;
  report.status = !report.ok ? 'errors' : report.findings.length > 0 ? 'warnings' : 'clean';
  return report;
}

function sumFindings(sum: SumCheck): Finding[] {
  return sum.changed.map((c) =>
    metaFinding(
      { source: c.file === 'molt.sum' ? sum.path : c.file },
      'sum-mismatch',
      1,
      c.change === 'sum-edited'
        ? `${sum.path} was edited by hand: its total does not match its lines`
        : `${c.file} was ${c.change} after \`molt sum\``,
    ),
  );
}
