/**
 * A second process that loads a URL with autocannon and prints what each request ended as.
 *
 * Usage: `node load.js URL CONNECTIONS SECONDS`. Prints `started` on stdout when the load begins,
 * then, at the end, one JSON line: `{"statuses": {"200": n, ...}, "errors": {"ECONNREFUSED": n, ...}}`.
 */
import autocannon from 'autocannon';

const [url, connections, seconds] = process.argv.slice(2);
const statuses: Record<string, number> = {};
const errors: Record<string, number> = {};
const instance = autocannon(
  { url, connections: Number(connections), duration: Number(seconds), timeout: 20 },
  () => undefined,
);
instance.on('response', (_client: unknown, status: number) => {
  statuses[status] = (statuses[status] ?? 0) + 1;
});
instance.on('reqError', (error: NodeJS.ErrnoException) => {
  const key = error.code ?? error.message;
  errors[key] = (errors[key] ?? 0) + 1;
});
instance.on('done', () => {
  process.stdout.write(`${JSON.stringify({ statuses, errors })}\n`);
});
process.stdout.write('started\n');
