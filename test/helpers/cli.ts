import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The built CLI, as package.json's `bin` names it. */
export const BIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
/** Real migration histories beside the repository. */
export const CORPORA = process.env.MOLT_CORPORA ?? join(ROOT, '..', 'shared', 'corpora');

/** What a finished CLI run printed and returned. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Environment without the database variables a developer's shell may carry. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.MOLT_DATABASE_URL;
  delete env.MOLT_MIGRATIONS_DIR;
  // Automatic backups before migrating are on for SQLite; keep them out of the repository.
  env.MOLT_BACKUP_DIR ??= join(tmpdir(), `molt-test-backups-${process.pid}`);
  return { ...env, ...extra };
}

/** Runs the real CLI as a child process. */
export function molt(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env: cleanEnv(options.env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Writes migration files into a fresh directory and returns its path. */
export function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'molt-migrations-'));
  writeFiles(dir, files);
  return dir;
}

/** Writes (or overwrites) files under `dir`, creating folders as needed. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/**
 * Starts `molt ARGS`, waits until `atWork()` sees the moment to strike (polling every 20 ms, failing after
 * `timeoutMs` with `what` in the message), then kills it with SIGKILL and resolves once it has exited.
 */
export async function killMoltWhen(
  args: string[],
  atWork: () => Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(), stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + timeoutMs;
  while (!(await atWork())) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${what} never happened within ${timeoutMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await exited;
}

/** The report a `--json` run printed: every command prints `{report, error?}`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function reportOf(stdout: string): any {
  const parsed = JSON.parse(stdout) as { report?: unknown };
  if (!parsed || typeof parsed !== 'object' || !('report' in parsed))
    throw new Error(`--json printed no {report}: ${stdout.slice(0, 500)}`);
  return parsed.report;
}
