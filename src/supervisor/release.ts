import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseDuration } from '../config/duration.js';
import { MoltError } from '../errors.js';

/** The file a release directory declares itself in. */
export const RELEASE_FILE = 'molt.release.json';

/** How the supervisor knows an instance is ready: its probes answer, or it merely stays up. */
export type Readiness = 'probes' | 'running';

/** One process type of a release, as a Procfile line with its count and drain budget. */
export interface ProcessType {
  name: string;
  /** The program and its arguments; `node` means the Node.js running molt. */
  command: string[];
  /** How many instances run. */
  instances: number;
  /** Whether it serves the shared listening socket (`LISTEN_FDS`); otherwise it only gets its private probe socket. */
  serves: boolean;
  /** How long it gets to drain after SIGTERM before SIGKILL. */
  graceMs: number;
  readiness: Readiness;
  /** Extra environment for this type's instances. */
  env: Record<string, string>;
}

/** A release: a directory holding the service, its migrations and `molt.release.json`. */
export interface Release {
  /** The absolute directory. */
  dir: string;
  version: string;
  /** The commit its `/api/version` must report, when the release names one. */
  commit: string | null;
  /** Its migrations directory (absolute), or null when it has none. */
  migrations: string | null;
  /** Process types in roll order. */
  processes: ProcessType[];
  /** How long a new instance may take to become ready. */
  readyTimeoutMs: number;
  /** How long a ready new instance must stay up and ready before an old one is drained. */
  soakMs: number;
  /** Notes the operator must read before upgrading to it. */
  breaking: string[];
}

const DEFAULT_READY_TIMEOUT = '60s';
const DEFAULT_SOAK = '2s';
const DEFAULT_GRACE = '30s';

/**
 * Reads and checks `molt.release.json` in a release directory; every mistake names the file, the key and what to do.
 * @example
 * const release = readRelease('/srv/app/releases/2.0.0');
 * release.processes.map((p) => p.name); // ['worker', 'web']: the roll order
 */
export function readRelease(dir: string): Release {
  const home = resolve(dir);
  const file = join(home, RELEASE_FILE);
  if (!existsSync(file)) {
    throw invalid(file, `${home} is not a release: it has no ${RELEASE_FILE}`, 'Point at the release directory');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw invalid(file, `${file} is not valid JSON: ${(error as Error).message}`, 'Fix the JSON');
  }
  if (!isObject(raw)) throw invalid(file, `${file} must hold a JSON object`, 'See the README for its keys');
  const known = ['version', 'commit', 'migrations', 'processes', 'order', 'readyTimeout', 'soak', 'breaking'];
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) throw invalid(file, `${file}: unknown key "${key}"`, `Use only ${known.join(', ')}`);
  }
  const version = str(raw.version, file, 'version') ?? packageVersion(home);
  if (!version) {
    throw invalid(file, `${file} names no version and ${home} has no package.json version`, 'Add "version"');
  }
  const migrations =
    str(raw.migrations, file, 'migrations') ?? (existsSync(join(home, 'migrations')) ? 'migrations' : null);
  const processes = readProcesses(raw.processes, raw.order, file);
  const breaking = raw.breaking === undefined ? [] : raw.breaking;
  if (!Array.isArray(breaking) || breaking.some((b) => typeof b !== 'string')) {
    throw invalid(file, `${file}: "breaking" must be a list of strings`, 'List each breaking change as a sentence');
  }
  return {
    dir: home,
    version,
    commit: str(raw.commit, file, 'commit') ?? commitFile(home),
    migrations: migrations === null ? null : isAbsolute(migrations) ? migrations : join(home, migrations),
    processes,
    readyTimeoutMs: duration(raw.readyTimeout ?? DEFAULT_READY_TIMEOUT, file, 'readyTimeout'),
    soakMs: duration(raw.soak ?? DEFAULT_SOAK, file, 'soak'),
    breaking: breaking as string[],
  };
}

function readProcesses(value: unknown, order: unknown, file: string): ProcessType[] {
  if (!isObject(value) || Object.keys(value).length === 0) {
    throw invalid(
      file,
      `${file}: "processes" must name at least one process type`,
      'Add "processes": {"web": {"command": "node server.js", "instances": 2}}',
    );
  }
  const types = Object.entries(value).map(([name, spec]) => readProcess(name, spec, file));
  if (order === undefined) return types;
  if (!Array.isArray(order) || order.some((o) => typeof o !== 'string')) {
    throw invalid(file, `${file}: "order" must be a list of process type names`, 'List the types in roll order');
  }
  const names = types.map((t) => t.name);
  const missing = names.filter((n) => !order.includes(n));
  const unknown = (order as string[]).filter((n) => !names.includes(n));
  if (missing.length > 0 || unknown.length > 0 || new Set(order).size !== order.length) {
    throw invalid(
      file,
      `${file}: "order" must list every process type once (types: ${names.join(', ')}; order: ${order.join(', ')})`,
      'Name each type of "processes" exactly once',
    );
  }
  return (order as string[]).map((name) => types.find((t) => t.name === name)!);
}

function readProcess(name: string, spec: unknown, file: string): ProcessType {
  const at = `processes.${name}`;
  if (!/^[a-z][a-z0-9-]*$/.test(name)) {
    throw invalid(file, `${file}: process type "${name}" is not a name`, 'Use lower-case letters, digits and dashes');
  }
  if (!isObject(spec)) throw invalid(file, `${file}: ${at} must be an object`, 'Give it at least "command"');
  const allowed = ['command', 'instances', 'serves', 'grace', 'readiness', 'env'];
  for (const key of Object.keys(spec)) {
    if (!allowed.includes(key))
      throw invalid(file, `${file}: ${at} has unknown key "${key}"`, `Use ${allowed.join(', ')}`);
  }
  const command = typeof spec.command === 'string' ? spec.command.trim().split(/\s+/) : spec.command;
  if (!Array.isArray(command) || command.length === 0 || command.some((c) => typeof c !== 'string' || c === '')) {
    throw invalid(file, `${file}: ${at}.command must be a command line`, 'Such as "node server.js"');
  }
  const instances = spec.instances ?? 1;
  if (!Number.isInteger(instances) || (instances as number) < 0 || (instances as number) > 64) {
    throw invalid(file, `${file}: ${at}.instances is ${String(instances)}`, 'Use a whole number from 0 to 64');
  }
  const readiness = spec.readiness ?? 'probes';
  if (readiness !== 'probes' && readiness !== 'running') {
    throw invalid(file, `${file}: ${at}.readiness is "${String(readiness)}"`, 'Use "probes" or "running"');
  }
  const env = spec.env ?? {};
  if (!isObject(env) || Object.values(env).some((v) => typeof v !== 'string')) {
    throw invalid(file, `${file}: ${at}.env must map names to strings`, 'Such as {"ROLE": "worker"}');
  }
  return {
    name,
    command: command as string[],
    instances: instances as number,
    serves: spec.serves === undefined ? true : spec.serves === true,
    graceMs: duration(spec.grace ?? DEFAULT_GRACE, file, `${at}.grace`),
    readiness,
    env: env as Record<string, string>,
  };
}

function packageVersion(home: string): string | null {
  try {
    const pkg = JSON.parse(readFileSync(join(home, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : null;
  } catch {
    return null;
  }
}

function commitFile(home: string): string | null {
  try {
    return readFileSync(join(home, 'COMMIT_SHA'), 'utf8').trim() || null;
  } catch {
    return null;
  }
}

function str(value: unknown, file: string, key: string): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value === '') throw invalid(file, `${file}: "${key}" must be a string`, 'Fix it');
  return value;
}

function duration(value: unknown, file: string, key: string): number {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw invalid(file, `${file}: "${key}" must be a duration`, 'Such as "30s"');
  }
  return parseDuration(value, `${file}: "${key}"`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(file: string, message: string, hint: string): MoltError {
  return new MoltError('CONFIG_INVALID', message, { hint, details: { file } });
}
