// A live instance of an older release for bench/instances.ts, in a process of its own (one process is one instance):
// registers, prints "registered", heartbeats rarely, and leaves on SIGTERM.
// Argument: the migrations directory; the database comes from MOLT_DATABASE_URL.
import { registerInstance } from '../src/releases/index.js';

const instance = await registerInstance({ dir: process.argv[2], appVersion: '1.0.0', logger: false });
process.stdout.write('registered\n');
const hold = setInterval(() => undefined, 1000);
process.on('SIGTERM', () => {
  clearInterval(hold);
  void instance.leave().then(() => process.exit(0));
});
