import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { hashFile, signArtifact } from '../../src/fleet/index.js';

const DIST = fileURLToPath(new URL('../../', import.meta.url));
const SAMPLE_SERVER = join(DIST, 'examples/sample-service/server.js');
const SAMPLE_AGENT = join(DIST, 'examples/sample-agent/agent.js');
const FLEET_INDEX = pathToFileURL(join(DIST, 'src/fleet/index.js')).href;

export const ADMIN_TOKEN = 'admin-token-for-the-fleet-tests-0123456789';
export const ENROL_TOKEN = 'enrol-token-for-the-fleet-tests-0123456789';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a truthy value or `ms` pass; fails with `what` and the last value seen. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  ms = 20_000,
  every = 100,
): Promise<NonNullable<T>> {
  const until = Date.now() + ms;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last as NonNullable<T>;
    if (Date.now() > until)
      throw new Error(`timed out after ${ms} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    await sleep(every);
  }
}

/** A process with its output kept. */
export interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function run(file: string, env: NodeJS.ProcessEnv, cwd?: string): Proc {
  const child = spawn(process.execPath, [file], {
    env: { ...process.env, ...env },
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** A workspace: temporary directory, the fleet server, agents and their artifacts; `stop()` ends every process. */
export class FleetWorld {
  readonly root = mkdtempSync(join(tmpdir(), 'molt-fleet-'));
  readonly artifacts = join(this.root, 'artifacts');
  readonly servers: Proc[] = [];
  readonly agents: Proc[] = [];
  readonly agentDirs: string[] = [];
  url = '';

  constructor() {
    mkdirSync(this.artifacts);
  }

  /** Starts the sample service with the fleet mounted (version 1.1.0 of the sample). */
  async startServer(db: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
    const proc = run(SAMPLE_SERVER, {
      MOLT_DATABASE_URL: db,
      PORT: '0',
      MOLT_FLEET_ADMIN_TOKEN: ADMIN_TOKEN,
      MOLT_FLEET_ENROL_TOKEN: ENROL_TOKEN,
      SAMPLE_ARTIFACTS_DIR: this.artifacts,
      MOLT_LOG: 'warn',
      ...env,
    });
    this.servers.push(proc);
    const line = await waitFor(
      'the server to listen',
      () =>
        /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(proc.output())?.[1] ??
        (proc.child.exitCode !== null ? 'exited' : null),
      30_000,
    );
    if (line === 'exited') throw new Error(`the server exited: ${proc.output()}`);
    this.url ||= line;
    return line;
  }

  /** Writes an agent build of `version` (the sample agent with its version line changed); returns its path. */
  buildAgent(version: string, name = `agent-${version}.mjs`): string {
    const text = readFileSync(SAMPLE_AGENT, 'utf8')
      .replace(/from '\.\.\/\.\.\/src\/fleet\/index\.js'/, `from '${FLEET_INDEX}'`)
      .replace(/const AGENT_VERSION = '[^']*'/, `const AGENT_VERSION = '${version}'`);
    const path = join(this.artifacts, name);
    writeFileSync(path, text);
    return path;
  }

  /** The artifact body the API takes for a build under /artifacts/. */
  async artifact(
    version: string,
    name = `agent-${version}.mjs`,
    privateKey?: string,
  ): Promise<Record<string, unknown>> {
    const { sha256, size } = await hashFile(join(this.artifacts, name));
    return {
      version,
      url: `${this.url}/artifacts/${name}`,
      sha256,
      size,
      ...(privateKey ? { signature: signArtifact({ version, sha256, size }, privateKey) } : {}),
    };
  }

  /** Starts one agent process from a build, enrolling it with the token. */
  startAgent(id: string, build: string, env: NodeJS.ProcessEnv = {}, server = this.url): { proc: Proc; dir: string } {
    const dir = join(this.root, `agent-${id}`);
    this.agentDirs.push(dir);
    const proc = run(build, {
      MOLT_FLEET_URL: `${server}/fleet`,
      MOLT_AGENT_ID: id,
      MOLT_AGENT_DIR: dir,
      MOLT_FLEET_ENROL_TOKEN: ENROL_TOKEN,
      AGENT_PORT: '0',
      ...env,
    });
    this.agents.push(proc);
    return { proc, dir };
  }

  /** The admin API. */
  async api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    token: string | null = ADMIN_TOKEN,
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.url}/fleet/api${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  async agentsNow(): Promise<AgentView[]> {
    return (await this.api<{ agents: AgentView[] }>('GET', '/agents')).body.agents;
  }

  async audit(query = ''): Promise<AuditView[]> {
    return (await this.api<{ entries: AuditView[] }>('GET', `/audit${query}`)).body.entries;
  }

  /** Every process: the servers, the agents and the successors their upgrades started (from their pid files). */
  async stop(): Promise<void> {
    const pids = new Set<number>();
    for (const p of [...this.agents, ...this.servers])
      if (p.child.pid && p.child.exitCode === null) pids.add(p.child.pid);
    for (const dir of this.agentDirs) {
      const file = join(dir, 'agent.pid');
      if (existsSync(file)) pids.add(Number(readFileSync(file, 'utf8').split(' ')[0]));
    }
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await Promise.all(this.servers.map((s) => s.exited));
    rmSync(this.root, { recursive: true, force: true });
  }
}

export interface AgentView {
  id: string;
  version: string | null;
  drift: boolean;
  online: boolean;
  state: string;
  reason: string | null;
  detail: Record<string, unknown> | null;
  protocol: number | null;
  dispatchId: string | null;
}

export interface AuditView {
  action: string;
  actor: string;
  agentId: string | null;
  detail: Record<string, unknown>;
}

/** The pid serving an agent's HTTP port now. */
export async function servedBy(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } });
  return (await response.text()).trim();
}

/** The port an agent process printed. */
export async function agentPort(proc: Proc): Promise<number> {
  const m = await waitFor('the agent to serve', () => /serving on (\d+)/.exec(proc.output()));
  return Number(m[1]);
}

export { readdirSync };
