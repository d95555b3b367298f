// What live instances cost: the statements one instance sends per minute (heartbeat only, and while a contract
// migration waits for it), counted at the driver's session, and the no-op boot with the registration against the
// same boot without it and against `molt migrate`, in interleaved rounds of whole processes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDriver } from '../src/drivers/index.js';
import type { Session } from '../src/drivers/types.js';
import { registerInstance } from '../src/releases/index.js';
import { BIN, ROOT, cleanEnv, writeFiles } from '../test/helpers/cli.js';
import type { TestDatabase } from '../test/helpers/databases.js';
import type { Server } from './apply.js';
import { stat, timed, type Stat } from './stats.js';

const BOOT = join(ROOT, 'dist', 'bench', 'boot-once.js');
const HOLD = join(ROOT, 'dist', 'bench', 'hold-instance.js');
/** The default heartbeat, which the per-minute figures are given for. */
const DEFAULT_HEARTBEAT_MS = 5000;
const BEAT_MS = 200;
const WINDOW_MS = 4000;

/** One server's figures. */
export interface InstanceRow {
  server: string;
  files: number;
  /** Statements per heartbeat, and per minute at the default 5 s heartbeat: a plain instance, and one whose contract migration waits. */
  perBeat: { plain: number; waiting: number };
  perMinute: { plain: number; waiting: number };
  noop: { cli: Stat; bootWithout: Stat; bootWith: Stat };
}

/** Counts every statement any session of the driver's kind sends, per session, by wrapping its class's methods. */
async function countStatements(
  url: string,
): Promise<{ counts: Map<Session, number>; beats: () => number; restore: () => void }> {
  const driver = await createDriver(url);
  const probe = await driver.connect({ create: true });
  const proto = Object.getPrototypeOf(probe) as Record<'query' | 'exec', (...args: unknown[]) => Promise<unknown>>;
  await probe.close();
  const counts = new Map<Session, number>();
  let beats = 0;
  const original = { query: proto.query, exec: proto.exec };
  for (const method of ['query', 'exec'] as const) {
    proto[method] = function (this: Session, ...args: unknown[]) {
      counts.set(this, (counts.get(this) ?? 0) + 1);
      // A heartbeat is the one UPDATE that moves heartbeat_at: the count of beats the statements are divided by.
      if (/^UPDATE .* SET state = .*heartbeat_at = /s.test(String(args[0]))) beats++;
      return original[method].apply(this, args);
    };
  }
  return {
    counts,
    beats: () => beats,
    restore: () => {
      Object.assign(proto, original);
      beats = 0;
    },
  };
}

/** Statements per heartbeat of one registered instance over a window, after its registration. */
async function perBeat(db: TestDatabase, dir: string, extra: Parameters<typeof registerInstance>[0]): Promise<number> {
  const { counts, beats, restore } = await countStatements(db.url);
  try {
    const settings = { db: db.url, dir, heartbeat: `${BEAT_MS}ms`, instanceTtl: '10s', logger: false as const };
    const instance = await registerInstance({ ...settings, ...extra });
    counts.clear();
    const before = beats();
    await sleep(WINDOW_MS);
    const sent = [...counts.values()].reduce((a, b) => a + b, 0);
    const beaten = beats() - before;
    await instance.leave();
    if (beaten === 0) throw new Error('the instance sent no heartbeat in the window');
    // Statements from the window's last beat that had not finished are cut off; whole beats only count.
    return Math.round((sent / beaten) * 100) / 100;
  } finally {
    restore();
  }
}

/** Measures one server: a 200-file set applied, then the statement counts and the no-op boots. */
export async function measureInstances(server: Server, rounds: number): Promise<InstanceRow> {
  const db = await server.create();
  const root = mkdtempSync(join(tmpdir(), 'molt-bench-instances-'));
  try {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 200; i++)
      files[`${String(i).padStart(4, '0')}_t${i}.sql`] = `CREATE TABLE t${i} (id int PRIMARY KEY, v varchar(20));\n`;
    const v1 = join(root, 'v1');
    const v2 = join(root, 'v2');
    writeFiles(v1, files);
    writeFiles(v2, { ...files, '0201_drop_v.sql': '-- molt:phase contract\nALTER TABLE t1 DROP COLUMN v;\n' });
    const env = cleanEnv({ MOLT_DATABASE_URL: db.url, ...server.moltEnv });
    timed(process.execPath, [BIN, 'migrate', '--dir', v1, ...server.moltArgs], { env });

    const plain = await perBeat(db, v1, { appVersion: '1.0.0' });
    // An old instance blocks the new release's contract migration: the new one also reads the instances every beat.
    // It lives in a process of its own (a process is one instance) and beats too rarely to add to the window.
    const old = spawn(process.execPath, [HOLD, v1], {
      env: { ...env, MOLT_HEARTBEAT: '60s', MOLT_INSTANCE_TTL: '120s' },
    });
    await new Promise<void>((resolve, reject) => {
      old.stdout.on('data', (d) => String(d).includes('registered') && resolve());
      old.on('exit', (code) => reject(new Error(`the old instance exited with ${code}`)));
    });
    const waitsFor = [
      {
        id: 'old',
        name: 'old',
        host: 'old',
        pid: old.pid!,
        appVersion: '1.0.0',
        state: 'serving' as const,
        heartbeatAgeMs: 0,
      },
    ];
    const waiting = await perBeat(db, v2, {
      appVersion: '2.0.0',
      waiting: [{ version: '0201', name: 'drop_v', phase: 'contract', why: 'waiting', waitsFor }],
      applyDeferred: async () => {
        throw new Error('the contract migration ran although an old instance is live');
      },
    });
    old.kill('SIGTERM');
    await new Promise((resolve) => old.on('exit', resolve));

    const cli: number[] = [];
    const bootWithout: number[] = [];
    const bootWith: number[] = [];
    for (let r = 0; r < rounds; r++) {
      cli.push(timed(process.execPath, [BIN, 'migrate', '--dir', v1, ...server.moltArgs], { env }));
      bootWithout.push(timed(process.execPath, [BOOT, v1], { env: { ...env, BOOT_INSTANCE: 'off' } }));
      bootWith.push(timed(process.execPath, [BOOT, v1], { env }));
    }
    const minute = 60_000 / DEFAULT_HEARTBEAT_MS;
    return {
      server: server.name,
      files: 200,
      perBeat: { plain, waiting },
      perMinute: { plain: plain * minute, waiting: waiting * minute },
      noop: { cli: stat(cli), bootWithout: stat(bootWithout), bootWith: stat(bootWith) },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
    await db.drop();
  }
}
