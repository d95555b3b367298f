// One service boot as bench/instances.ts times it: the boot `migrate` through the library on a database where
// everything is applied (a no-op), registering as a live instance unless BOOT_INSTANCE=off, then exit.
// Argument: the migrations directory; the database comes from MOLT_DATABASE_URL.
import { migrate } from '../src/index.js';

const report = await migrate({
  dir: process.argv[2],
  logger: false,
  appVersion: '1.0.0',
  instance: process.env.BOOT_INSTANCE === 'off' ? false : undefined,
});
if (report.status !== 'up_to_date') throw new Error(`expected a no-op boot, got ${report.status}`);
