// The sample service: migrates on boot, before it listens, then serves notes over HTTP.
// SQLite file under ./data by default; PostgreSQL when MOLT_DATABASE_URL or DATABASE_URL says so.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createDriver, migrate, MoltError, resolveConfig } from '../../src/index.js';

const MIGRATIONS = fileURLToPath(new URL('../../../examples/sample-service/migrations', import.meta.url));
const PORT = Number(process.env.PORT ?? 8080);
const VERSION = '1.0.0';

async function boot(): Promise<void> {
  // MOLT_AUTO_MIGRATE=off turns automatic migration into a check: a replica that must not migrate.
  const mode = process.env.MOLT_AUTO_MIGRATE === 'off' ? 'verify' : 'migrate';
  await migrate({ dir: MIGRATIONS, mode, appVersion: VERSION });

  const driver = await createDriver(resolveConfig().db);
  const db = await driver.connect();
  const p = driver.sql.param;

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
  };
  const readBody = async (req: IncomingMessage): Promise<string> => {
    let text = '';
    for await (const chunk of req) text += chunk;
    return text;
  };

  const server = createServer(async (req, res) => {
    try {
      if (req.method === 'GET' && req.url === '/healthz') return send(res, 200, { status: 'pass' });
      if (req.method === 'GET' && req.url === '/api/version') return send(res, 200, { version: VERSION, major: 1 });
      if (req.method === 'GET' && req.url === '/notes') {
        return send(res, 200, await db.query('SELECT id, body, created_at FROM notes ORDER BY id'));
      }
      if (req.method === 'POST' && req.url === '/notes') {
        const body = (await readBody(req)).trim();
        if (!body) return send(res, 400, { error: 'send the note text as the request body' });
        const [{ next }] = await db.query<{ next: number }>('SELECT coalesce(max(id), 0) + 1 AS next FROM notes');
        await db.query(`INSERT INTO notes (id, body, created_at) VALUES (${p(1)}, ${p(2)}, ${p(3)})`, [Number(next), body, new Date().toISOString()]);
        return send(res, 201, { id: Number(next), body });
      }
      send(res, 404, { error: 'try GET /notes, POST /notes, GET /healthz or GET /api/version' });
    } catch (error) {
      send(res, 500, { error: (error as Error).message });
    }
  });

  server.listen(PORT, () => process.stderr.write(`sample: listening on http://127.0.0.1:${PORT} (GET /notes, POST /notes)\n`));
  const stop = (): void => {
    server.close(() => void db.close().then(() => process.exit(0)));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

boot().catch((error: unknown) => {
  // Refuse to start: say what and what to do, and exit non-zero before listening.
  const e = error instanceof MoltError ? error : null;
  process.stderr.write(`sample: refusing to start: ${e ? e.message : String(error)}\n`);
  if (e?.hint) process.stderr.write(`sample: ${e.hint}\n`);
  process.exit(1);
});
