// One replica of a service as bench/replicas.ts starts sixteen of them at once: it migrates on boot through the
// library, as a service built with molt does, then listens with the probes and answers /readyz.
// Argument: the migrations directory; the database comes from MOLT_DATABASE_URL. Prints one JSON line when it listens.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { migrate } from '../src/index.js';
import { createProbes } from '../src/probes/index.js';

const dir = process.argv[2];
const report = await migrate({ dir, logger: false, appVersion: '1.0.0' });
const probes = createProbes({ dir, database: {}, appVersion: '1.0.0', timings: { checkInterval: '1s' } });
probes.markReady();
const server = createServer((req, res) => {
  if (!probes.handle(req, res)) res.writeHead(404).end();
});
server.listen(0, '127.0.0.1', () => {
  const applied = report.migrations.filter((m) => m.status === 'applied').length;
  process.stdout.write(
    `${JSON.stringify({ port: (server.address() as AddressInfo).port, applied, status: report.status })}\n`,
  );
});
process.on('SIGTERM', () => {
  server.close();
  void probes.close().then(() => process.exit(0));
});
