// Sixteen copies of each tool started at once on one empty database, as sixteen replicas that migrate on boot: how many
// exit with an error, whether every file was applied exactly once, and whether one more run alone then finishes the job.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import {
  CREATE,
  DIALECT_NAMES,
  PEERS,
  firstLine,
  historyCount,
  installedVersion,
  referenceColumns,
  schemaDifference,
} from './index.js';
import { moltPeer } from './molt.js';
import { ensurePeersInstalled, lastLines, timed, workDir, type Dialect, type Invocation, type Peer } from './shared.js';
import type { TestDatabase } from '../../test/helpers/databases.js';
import { MOLT_VERSION } from '../../src/version.js';

/** How many copies start together. */
export const STAMPEDE = 16;

/** One tool on one workload, started sixteen times at once. */
export interface StampedeRow {
  tool: string;
  version: string;
  dialect: Dialect;
  workload: string;
  files: number;
  /** From the start until the last copy exited. */
  ms: number;
  /** Copies that exited non-zero, and the first one's last words. */
  failed: number;
  firstError?: string;
  /** History rows after the stampede, or why they could not be read. */
  history: number | string;
  /** Tables and columns missing or extra against the database's own client. */
  schemaDiff: number;
  /** One more run alone afterwards: 'ok' with the history then, or its error. */
  after: string;
  /** Why the tool was not run here. */
  reason?: string;
}

interface Exit {
  code: number | null;
  out: string;
}

// A copy still running after this long is taken as stuck, killed, and counted as failed.
const STUCK_MS = 180_000;

function run(inv: Invocation): Promise<Exit> {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(inv.command, inv.args, {
      env: inv.env ?? process.env,
      cwd: inv.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => {
      out += `\nstill running after ${STUCK_MS / 1000} s: killed`;
      child.kill('SIGKILL');
    }, STUCK_MS);
    child.on('exit', () => clearTimeout(timer));
    child.stdout.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
    child.stderr.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
    child.on('error', (e) => resolve({ code: -1, out: e.message }));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

async function historyRows(peer: Peer, db: TestDatabase): Promise<number | string> {
  try {
    return await historyCount(peer, db);
  } catch (e) {
    return `unreadable: ${firstLine(e).slice(0, 120)}`;
  }
}

async function stampede(
  peer: Peer,
  dialect: Dialect,
  workload: string,
  files: string[],
  reference: string[],
): Promise<StampedeRow> {
  const version = peer === moltPeer ? MOLT_VERSION : installedVersion(peer.name);
  const row: StampedeRow = {
    tool: peer.name,
    version,
    dialect,
    workload,
    files: files.length,
    ms: 0,
    failed: 0,
    history: 0,
    schemaDiff: 0,
    after: '',
  };
  const dir = workDir(peer.name);
  const db = await CREATE[dialect]();
  try {
    const prepared = peer.prepare(files, dir, dialect);
    const start = process.hrtime.bigint();
    const exits = await Promise.all(Array.from({ length: STAMPEDE }, () => run(prepared.apply(db.url))));
    row.ms = Number(process.hrtime.bigint() - start) / 1e6;
    const failed = exits.filter((e) => e.code !== 0);
    row.failed = failed.length;
    if (failed[0]) row.firstError = lastLines(failed[0].out, 2, 300);
    row.history = await historyRows(peer, db);
    const { missing, extra } = await schemaDifference(db, reference);
    row.schemaDiff = missing.length + extra.length;
    try {
      timed(prepared.apply(db.url));
      row.after = `ok, ${await historyRows(peer, db)} rows`;
    } catch (e) {
      row.after = `fails: ${firstLine(e).slice(0, 200)}`;
    }
    return row;
  } catch (e) {
    return { ...row, reason: firstLine(e) };
  } finally {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One workload per database, as the stampede runs them. */
export interface StampedeWorkload {
  dialect: Dialect;
  name: string;
  files: string[];
}

/** Runs molt and every peer that supports the dialect, sixteen at once, once per workload. */
export async function measureStampede(workloads: StampedeWorkload[]): Promise<StampedeRow[]> {
  const notInstalled = ensurePeersInstalled();
  const rows: StampedeRow[] = [];
  for (const w of workloads) {
    const reference = await referenceColumns(w.dialect, w.files);
    for (const peer of [moltPeer, ...PEERS]) {
      if (peer.unsupported[w.dialect]) continue;
      process.stderr.write(`bench: ${STAMPEDE} at once, ${DIALECT_NAMES[w.dialect]}, ${w.name}: ${peer.name}...\n`);
      if (notInstalled && peer !== moltPeer)
        rows.push({
          tool: peer.name,
          version: 'not installed',
          dialect: w.dialect,
          workload: w.name,
          files: w.files.length,
          ms: 0,
          failed: 0,
          history: 0,
          schemaDiff: 0,
          after: '',
          reason: notInstalled,
        });
      else rows.push(await stampede(peer, w.dialect, w.name, w.files, reference));
    }
  }
  return rows;
}
