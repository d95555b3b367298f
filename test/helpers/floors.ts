import { tableNames } from '../../src/migrate/internal.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The migration files of a corpus folder in apply order: flat files, or `<folder>/migration.sql`. */
export function corpusFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map((name) => join(dir, name))
    .map((path) => (statSync(path).isDirectory() ? join(path, 'migration.sql') : path))
    .filter((path) => path.endsWith('.sql'));
}

const OUTSIDE_TX = /\bCONCURRENTLY\b/i;

/**
 * A psql script applying `files` in one session, one transaction per file, and bare for files that
 * cannot run in one: the floor the issue and BENCHMARKS.md compare against.
 */
export function psqlScript(files: string[], read: (path: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'molt-psql-'));
  const script = join(dir, 'apply.sql');
  const lines = ['\\set ON_ERROR_STOP 1', '\\set QUIET 1', 'SET client_min_messages = warning;'];
  for (const f of files) lines.push(OUTSIDE_TX.test(read(f)) ? `\\i '${f}'` : `BEGIN;\n\\i '${f}'\nCOMMIT;`);
  writeFileSync(script, `${lines.join('\n')}\n`);
  return script;
}

/** Runs psql on a script against `url`; throws with psql's output when it fails. */
export function runPsql(url: string, script: string): void {
  const r = spawnSync('psql', ['-X', '-q', '-d', url, '-f', script], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`psql failed (${r.status}): ${r.stderr.slice(-2000)}`);
}

/** `pg_dump --schema-only` without molt's own tables and without pg_dump's random restrict token. */
export function schemaDump(url: string): string {
  const out = execFileSync(
    'pg_dump',
    ['--schema-only', '--no-owner', '--no-privileges', '--exclude-table=_molt_migrations*', '-d', url],
    {
      encoding: 'utf8',
      maxBuffer: 256 << 20,
    },
  );
  return out
    .split('\n')
    .filter((line) => !line.startsWith('\\restrict') && !line.startsWith('\\unrestrict'))
    .join('\n');
}

/** The `mariadb` client's connection arguments for a mysql:// URL; the password goes by environment. */
export function mariadbArgs(url: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const args = [
    '-h',
    u.hostname,
    '-P',
    u.port || '3306',
    '-u',
    decodeURIComponent(u.username) || 'root',
    u.pathname.slice(1),
  ];
  return { args, env: { ...process.env, MYSQL_PWD: decodeURIComponent(u.password) } };
}

/**
 * Applies `files` with the `mariadb` client in one session, each through `source` (which honours
 * DELIMITER), stopping at the first error as the client does: the floor for MySQL histories.
 */
export function runMariadb(
  url: string,
  files: string[],
  initCommand?: string,
): { status: number | null; stderr: string } {
  const { args, env } = mariadbArgs(url);
  const input = files.map((f) => `source ${f}`).join('\n');
  const r = spawnSync(
    'mariadb',
    [...(initCommand ? [`--init-command=${initCommand}`] : []), '--batch', '--abort-source-on-error', ...args],
    { input, env, encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  return { status: r.status, stderr: r.stderr };
}

/** `mariadb-dump --no-data` without molt's own tables, comments or counters. */
export function mysqlSchemaDump(url: string): string {
  const { args, env } = mariadbArgs(url);
  const db = args.at(-1)!;
  // Every table molt keeps (its own migrations add more over time); index names are left out.
  const { jobsDue: _due, jobsLease: _lease, ...tables } = tableNames('_molt_migrations');
  const ignore = Object.values(tables).map((table) => `--ignore-table=${db}.${table}`);
  const out = execFileSync(
    'mariadb-dump',
    ['--no-data', '--skip-comments', '--skip-dump-date', '--routines', '--triggers', ...ignore, ...args],
    { env, encoding: 'utf8', maxBuffer: 256 << 20 },
  );
  return out.replace(/ AUTO_INCREMENT=\d+/g, '');
}
