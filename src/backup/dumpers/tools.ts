import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { MoltError } from '../../errors.js';
import { redactUrl } from '../../config/url.js';

/** A client tool found on this machine: its name, where it is and what `--version` says. */
export interface Tool {
  name: string;
  path: string;
  version: string;
}

/** The first executable file called `name` in the `PATH` list, or undefined. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory; the next one may have it.
    }
  }
  return undefined;
}

/** The first line `TOOL --version` prints, e.g. `pg_dump (PostgreSQL) 15.19`. */
export async function readVersion(path: string): Promise<string> {
  const { stdout } = await promisify(execFile)(path, ['--version'], { timeout: 15_000, encoding: 'utf8' });
  return stdout.split('\n')[0].trim();
}

/** Finds the first of `names` on PATH and reads its version; throws BACKUP_TOOL_MISSING naming the package. */
export async function locateTool(names: readonly string[], install: string, purpose: string): Promise<Tool> {
  for (const name of names) {
    const path = findOnPath(name);
    if (!path) continue;
    try {
      return { name, path, version: await readVersion(path) };
    } catch (cause) {
      throw new MoltError(
        'BACKUP_TOOL_MISSING',
        `${path} is there but \`${name} --version\` fails, so molt cannot ${purpose}`,
        {
          cause,
          hint: `Reinstall the client tools: apt install ${install}`,
          details: { tool: name, path, package: install },
        },
      );
    }
  }
  const which = names.length > 1 ? `none of ${names.join(', ')} is` : `${names[0]} is not`;
  throw new MoltError('BACKUP_TOOL_MISSING', `${which} on PATH, so molt cannot ${purpose}`, {
    hint: `Install the client tools: apt install ${install}`,
    details: { tools: [...names], package: install },
  });
}

/**
 * The major version in a PostgreSQL version text ("15.19", "PostgreSQL 16.2 (Debian...)",
 * "pg_dump (PostgreSQL) 9.6.24"); before 10 the major is two numbers, so 9.6 is returned as 9.6.
 */
export function postgresMajor(text: string): number | undefined {
  const m = /(\d+)(?:\.(\d+))?/.exec(text.replace(/^[^\d]*/, ''));
  if (!m) return undefined;
  const first = Number(m[1]);
  return first >= 10 || m[2] === undefined ? first : Number(`${first}.${m[2]}`);
}

/** The Debian package holding the client tools for a PostgreSQL server version. */
export function postgresPackage(serverVersion: string): string {
  const major = postgresMajor(serverVersion);
  return major === undefined ? 'postgresql-client' : `postgresql-client-${major}`;
}

/** Side-by-side installs (Debian's /usr/lib/postgresql/N/bin, PGDG's /usr/pgsql-N/bin), newest first. */
function versionedPostgresBins(name: string): string[] {
  const found: { major: number; path: string }[] = [];
  const roots: [string, (entry: string) => string][] = [
    ['/usr/lib/postgresql', (e) => join('/usr/lib/postgresql', e, 'bin')],
    ['/usr', (e) => (e.startsWith('pgsql-') ? join('/usr', e, 'bin') : '')],
  ];
  for (const [root, binOf] of roots) {
    let entries: string[] = [];
    try {
      entries = readdirSync(root);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const bin = binOf(entry);
      const major = postgresMajor(entry);
      const path = bin && findOnPath(name, bin);
      if (path && major !== undefined) found.push({ major, path });
    }
  }
  return found.sort((a, b) => b.major - a.major).map((f) => f.path);
}

/**
 * Finds `pg_dump` or `pg_restore` no older than the server: the one on PATH, else a newer side-by-side
 * install. Throws BACKUP_TOOL_MISSING with both versions and the package to install.
 */
export async function postgresTool(name: 'pg_dump' | 'pg_restore', serverVersion: string): Promise<Tool> {
  const install = postgresPackage(serverVersion);
  const shown = /^postgresql/i.test(serverVersion) ? serverVersion : `PostgreSQL ${serverVersion}`;
  const purpose = name === 'pg_dump' ? `back up ${shown}` : `restore into ${shown}`;
  const tool = await locateTool([name], install, purpose);
  const server = postgresMajor(serverVersion);
  const own = postgresMajor(tool.version);
  if (server === undefined || own === undefined || own >= server) return tool;
  for (const path of versionedPostgresBins(name)) {
    const version = await readVersion(path).catch(() => '');
    const major = postgresMajor(version);
    if (major !== undefined && major >= server) return { name, path, version };
  }
  throw new MoltError(
    'BACKUP_TOOL_MISSING',
    `${tool.path} is ${tool.version}, older than the server (${shown}); ${name} must be at least version ${server} to ${purpose}`,
    {
      hint: `Install the matching client tools: apt install ${install}`,
      details: { tool: name, path: tool.path, toolVersion: tool.version, serverVersion, package: install },
    },
  );
}

/** True when a MySQL-family version text (server or tool) is MariaDB's. */
export function isMariadb(versionText: string): boolean {
  return /mariadb/i.test(versionText);
}

/** The Debian package with the dump and client tools for a MySQL or MariaDB server. */
export function mysqlPackage(serverVersion: string): string {
  return isMariadb(serverVersion)
    ? 'mariadb-client'
    : 'default-mysql-client (or mysql-client from the MySQL APT repository)';
}

/**
 * The dump or client tool for a MySQL or MariaDB server, the server's own flavour's first:
 * `mariadb-dump` or else `mysqldump`, `mariadb` or else `mysql` (reversed for a MySQL server).
 */
export async function mysqlTool(role: 'dump' | 'client', serverVersion: string): Promise<Tool> {
  const mariadbFirst = isMariadb(serverVersion);
  const names = role === 'dump' ? ['mariadb-dump', 'mysqldump'] : ['mariadb', 'mysql'];
  const purpose = role === 'dump' ? `back up ${serverVersion}` : `restore into ${serverVersion}`;
  return locateTool(mariadbFirst ? names : [...names].reverse(), mysqlPackage(serverVersion), purpose);
}

/**
 * Why a tool of the other flavour is a risk (MySQL's mysqldump on MariaDB, or the reverse), or
 * undefined when tool and server match. molt proceeds either way; the caller may show this.
 */
export function mysqlFlavorWarning(toolVersion: string, serverVersion: string): string | undefined {
  if (isMariadb(toolVersion) === isMariadb(serverVersion)) return undefined;
  const [tool, server] = isMariadb(serverVersion) ? ['MySQL', 'MariaDB'] : ['MariaDB', 'MySQL'];
  return (
    `The dump tool is ${tool}'s (${toolVersion}) but the server is ${server} ${serverVersion}: tables and data round-trip, ` +
    `but ${server}-only objects (such as MariaDB sequences or MySQL invisible columns) may not; install ${mysqlPackage(serverVersion)}`
  );
}

/** A tool run that ended badly: its exit status and the end of what it wrote to stderr. */
export class ToolFailure extends Error {
  constructor(
    readonly tool: string,
    readonly exit: string,
    readonly stderr: string,
  ) {
    super(`${tool} ${exit}${stderr ? `: ${stderr}` : ''}`);
    this.name = 'ToolFailure';
  }
}

/** How a tool run is wired: environment, where stdin comes from and stdout goes. */
export interface RunOptions {
  env: NodeJS.ProcessEnv;
  /** Streamed into the tool's stdin; the tool gets /dev/null otherwise. */
  stdin?: Readable;
  /** A file descriptor, a stream, or discarded (the default). */
  stdout?: number | Writable | 'ignore';
  /** Called once the child runs, e.g. to poll its progress. */
  onSpawn?: (child: ChildProcess) => void;
}

const STDERR_KEEP = 8_192;

/**
 * util-linux's setpriv, where the machine has it: a dump or restore tool started through it gets SIGKILL when molt dies,
 * even by kill -9, instead of finishing a copy nobody will use. Without it the tool runs as before.
 */
const DEATH_WRAPPER =
  ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => process.platform === 'linux' && existsSync(path)) ?? null;

/** Runs a tool with arguments that hold no secret; resolves on exit 0, else rejects with ToolFailure. */
export async function runTool(tool: Tool, args: readonly string[], options: RunOptions): Promise<void> {
  const stdout = options.stdout ?? 'ignore';
  const [command, argv] = DEATH_WRAPPER
    ? [DEATH_WRAPPER, ['--pdeathsig', 'KILL', '--', tool.path, ...args]]
    : [tool.path, args];
  const child = spawn(command, argv, {
    env: options.env,
    stdio: [options.stdin ? 'pipe' : 'ignore', typeof stdout === 'object' ? 'pipe' : stdout, 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });
  const exited = new Promise<string | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve(code === 0 ? null : code !== null ? `exited with status ${code}` : `was killed by ${signal}`),
    );
  });
  options.onSpawn?.(child);
  const streams: Promise<void>[] = [];
  let inputError: unknown;
  // A tool that stops reading early (it failed) breaks the pipe: its exit status tells why. A tool that
  // exits 0 after an input error saw a short input, and that must not pass for success.
  if (options.stdin) streams.push(pipeline(options.stdin, child.stdin!).catch((e: unknown) => void (inputError = e)));
  if (typeof stdout === 'object') streams.push(pipeline(child.stdout!, stdout));
  const [failure] = await Promise.all([exited, ...streams]);
  if (failure) throw new ToolFailure(tool.name, failure, redactUrl(stderr.trim()));
  if (inputError) throw inputError;
}

/** Runs a tool and returns its stdout as text; for small outputs only (versions, lists). */
export async function captureTool(tool: Tool, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  await runTool(tool, args, { env, stdout: sink });
  return Buffer.concat(chunks).toString('utf8');
}

/** Calls `tick` every `ms` until the returned stop function runs; for progress by polling. */
export function every(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
}
