// One release of a small service for the release tests: migrates on boot through molt (registering as a live
// instance), serves GET /users with the query its release uses, with probes, and drains on SIGTERM.
// Settings: MOLT_MIGRATIONS_DIR (its migrations), MOLT_APP_VERSION, SERVICE_QUERY, PORT (0: any), and molt's own
// MOLT_* variables (database, heartbeat, TTL, instance name).
import { createServer } from 'node:http';
import { createDriver, migrate, MoltError, resolveConfig } from '../../src/index.js';
import { createLifecycle, listen } from '../../src/lifecycle/index.js';
import { createProbes } from '../../src/probes/index.js';

async function boot(): Promise<void> {
  const life = createLifecycle({ drainDelayMs: 0, graceMs: 2000 });
  life.handleSignals();
  await migrate({ lifecycle: life });

  const driver = await createDriver(resolveConfig().db);
  const db = await driver.connect();
  life.onClose('database', () => db.close());
  const probes = createProbes({ lifecycle: life, database: {}, timings: { checkInterval: 200 } });
  life.onClose('probes', () => probes.close());

  const server = createServer(async (req, res) => {
    if (probes.handle(req, res)) return;
    try {
      const rows = await db.query(process.env.SERVICE_QUERY ?? 'SELECT 1 AS one');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(rows));
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
    }
  });
  life.attach(server);
  // An inherited socket (LISTEN_FDS, as systemd and `molt run` pass it) when there is one, else a free port.
  const { port, fd } = await listen(server, { port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
  life.markReady();
  process.stderr.write(
    `release ${process.env.MOLT_APP_VERSION} listening on ${port}${fd === null ? '' : ` (inherited fd ${fd})`}\n`,
  );
}

boot().catch((error: unknown) => {
  process.stderr.write(`refusing to start: ${error instanceof MoltError ? error.message : String(error)}\n`);
  process.exit(1);
});
