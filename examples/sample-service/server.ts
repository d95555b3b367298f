// The sample service: migrates on boot, before it listens, then serves notes over HTTP, with probes,
// a graceful drain and a background job on worker leases.
// SQLite file under ./data by default; PostgreSQL or MySQL when MOLT_DATABASE_URL or DATABASE_URL says so.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDriver, migrate, MoltError, resolveConfig } from '../../src/index.js';
import { openLeases } from '../../src/leases/index.js';
import { createLifecycle, listen } from '../../src/lifecycle/index.js';
import { createProbes } from '../../src/probes/index.js';

// The release this process runs: the directory `molt run` names (MOLT_RELEASE_DIR), else the sample's own folder.
// Release 2.0.0 (examples/sample-service-2) runs this same code with its own migrations and features.
const HOME =
  process.env.MOLT_RELEASE_DIR ?? fileURLToPath(new URL('../../../examples/sample-service/', import.meta.url));
const MIGRATIONS = join(HOME, 'migrations');
const PACKAGE_JSON = join(HOME, 'package.json');
const PACKAGE = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string; features?: string[] };
const VERSION = PACKAGE.version;
// From 2.0.0 on, word counts live in their own table (expand 0004); 1.x keeps them in notes.words, which 2.0.0's
// contract migration 0005 drops once no 1.x instance is live.
const NOTE_STATS = PACKAGE.features?.includes('note-stats') ?? false;
// `molt run` can run the web tier and the job worker as separate process types; by default one process does both.
const ROLE = process.env.SAMPLE_ROLE ?? 'all';
const PORT = Number(process.env.PORT ?? 8080);
const ms = (name: string): number | undefined =>
  process.env[name] === undefined ? undefined : Number(process.env[name]);

async function boot(): Promise<void> {
  // Signals are handled from the first moment: a SIGTERM during a long migration still drains cleanly.
  const life = createLifecycle({ drainDelayMs: ms('DRAIN_DELAY_MS'), graceMs: ms('DRAIN_GRACE_MS') });
  life.handleSignals();

  // MOLT_AUTO_MIGRATE=off turns automatic migration into a check: a replica that must not migrate.
  const mode = process.env.MOLT_AUTO_MIGRATE === 'off' ? 'verify' : 'migrate';
  await migrate({ dir: MIGRATIONS, mode, appVersion: VERSION, lifecycle: life });

  const driver = await createDriver(resolveConfig().db);
  const db = await driver.connect();
  life.onClose('database', () => db.close());
  const p = driver.sql.param;
  // Within one instance, notes are written one at a time: the id pick and the insert are two queries on one
  // connection, and two requests interleaving them would pick the same id.
  let writing: Promise<unknown> = Promise.resolve();
  const oneNoteAtATime = <T>(write: () => Promise<T>): Promise<T> => {
    const done = writing.then(write, write);
    writing = done.catch(() => undefined);
    return done;
  };

  const probes = createProbes({
    lifecycle: life,
    database: {},
    dir: MIGRATIONS,
    appVersion: VERSION,
    version: { packageJson: PACKAGE_JSON },
  });
  life.onClose('probes', () => probes.close());

  // The background job: count each new note's words, on a lease, so a crashed instance's work is redone elsewhere.
  const leases = await openLeases();
  life.onClose('leases', () => leases.close());
  if (ROLE !== 'web') {
    const worker = leases.work(
      'note-words',
      async (job) => {
        const { id } = job.payload as { id: number };
        const [note] = await db.query<{ body: string }>(`SELECT body FROM notes WHERE id = ${p(1)}`, [id]);
        const words = note ? note.body.split(/\s+/).filter(Boolean).length : 0;
        // A plain INSERT on purpose: a job that ran twice would fail on the primary key, not pass unnoticed.
        if (NOTE_STATS)
          await db.query(`INSERT INTO note_stats (note_id, words) VALUES (${p(1)}, ${p(2)})`, [id, words]);
        else await db.query(`UPDATE notes SET words = ${p(1)} WHERE id = ${p(2)}`, [words, id]);
        return { words };
      },
      { pollMs: 200 },
    );
    life.register(worker);
  }
  if (ROLE === 'worker') {
    // A worker serves nothing but its probes: on the private socket molt run passes, else on a port of its own.
    const server = createServer((req, res) => {
      if (!probes.handle(req, res)) res.writeHead(404).end();
    });
    life.attach(server);
    await listen(server, { port: Number(process.env.WORKER_PORT ?? 0) });
    life.markReady();
    process.stderr.write(`sample: version ${VERSION} worker running\n`);
    return;
  }

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
  };
  const readBody = async (req: IncomingMessage): Promise<string> => {
    let text = '';
    for await (const chunk of req) text += chunk;
    return text;
  };
  let served = 0;

  const server = createServer(async (req, res) => {
    if (probes.handle(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://sample');
    try {
      if (req.method === 'GET' && url.pathname === '/notes') {
        // ?delay=ms makes the request slow on purpose, to watch a drain finish it.
        const delay = Math.min(Number(url.searchParams.get('delay') ?? 0) || 0, 10_000);
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        // ?limit=N answers the newest N notes only, as a paged list would.
        const limit = Number(url.searchParams.get('limit'));
        const columns = NOTE_STATS
          ? 'n.id, n.body, s.words, n.created_at FROM notes n LEFT JOIN note_stats s ON s.note_id = n.id'
          : 'n.id, n.body, n.words, n.created_at FROM notes n';
        const notes = await db.query(
          Number.isInteger(limit) && limit > 0
            ? `SELECT ${columns} ORDER BY n.id DESC LIMIT ${Math.min(limit, 1000)}`
            : `SELECT ${columns} ORDER BY n.id`,
        );
        served++;
        return send(res, 200, notes);
      }
      if (req.method === 'POST' && url.pathname === '/notes') {
        const body = (await readBody(req)).trim();
        if (!body) return send(res, 400, { error: 'send the note text as the request body' });
        const next = await oneNoteAtATime(async () => {
          // The next id is max + 1. Another instance may pick the same one at once, so the loser picks again after a
          // random pause that grows with each loss (losers retrying in lock step would collide again).
          for (let attempt = 1; ; attempt++) {
            const [row] = await db.query<{ next: number }>('SELECT coalesce(max(id), 0) + 1 AS next FROM notes');
            try {
              await db.query(`INSERT INTO notes (id, body, created_at) VALUES (${p(1)}, ${p(2)}, ${p(3)})`, [
                Number(row!.next),
                body,
                new Date().toISOString(),
              ]);
              return Number(row!.next);
            } catch (error) {
              if (attempt >= 20 || !/unique|duplicate/i.test((error as Error).message)) throw error;
              await new Promise((r) => setTimeout(r, Math.random() * attempt * 5));
            }
          }
        });
        await leases.submit('note-words', { id: next });
        served++;
        return send(res, 201, { id: next, body });
      }
      if (req.method === 'GET' && url.pathname === '/jobs') return send(res, 200, await leases.stats());
      send(res, 404, {
        error: 'try GET /notes, POST /notes, GET /jobs, GET /healthz, GET /readyz or GET /api/version',
      });
    } catch (error) {
      send(res, 500, { error: (error as Error).message });
    }
  });
  life.attach(server);
  // The fleet, when an admin token is set: agents connect to /fleet/connect, admins use /fleet/api.
  if (process.env.MOLT_FLEET_ADMIN_TOKEN) {
    const { openFleet } = await import('../../src/fleet/index.js');
    const fleet = await openFleet({ serverVersion: VERSION });
    fleet.attach(server);
    life.onClose('fleet', () => fleet.close());
    // The operator's console, behind the same admin token: /molt/.
    const { createConsole } = await import('../../src/console/index.js');
    createConsole({ fleet, dir: MIGRATIONS }).attach(server);
    // Agent builds for download, when a directory of them is named: GET /artifacts/<file>.
    const artifacts = process.env.SAMPLE_ARTIFACTS_DIR;
    if (artifacts) serveArtifacts(server, artifacts);
  }
  // Registered last, so it runs first: what this instance answered, for the operator and the drain test.
  life.onClose('summary', () => void process.stderr.write(`sample: answered ${served} note requests\n`));

  // The socket systemd or `molt run` passed (LISTEN_FDS), else PORT.
  const { port } = await listen(server, { port: PORT });
  life.markReady();
  process.stderr.write(
    `sample: version ${VERSION} listening on http://127.0.0.1:${port} (GET /notes, POST /notes, GET /jobs, /healthz, /readyz, /api/version)\n`,
  );
}

/** Serves the files of `dir` under /artifacts/ (only plain names: no path reaches outside it). */
function serveArtifacts(server: ReturnType<typeof createServer>, dir: string): void {
  const requests = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/artifacts\/([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec((req.url ?? '').split('?', 1)[0]!);
    if (!match) return requests.forEach((listener) => listener.call(server, req, res));
    let body: Buffer;
    try {
      body = readFileSync(join(dir, match[1]!));
    } catch {
      return void res.writeHead(404).end();
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
  });
}

boot().catch((error: unknown) => {
  // Refuse to start: say what and what to do, and exit non-zero before listening.
  const e = error instanceof MoltError ? error : null;
  process.stderr.write(`sample: refusing to start: ${e ? e.message : String(error)}\n`);
  if (e?.hint) process.stderr.write(`sample: ${e.hint}\n`);
  process.exit(1);
});
