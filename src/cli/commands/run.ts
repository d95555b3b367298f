import { MoltError } from '../../errors.js';
import { runSupervisor } from '../../supervisor/index.js';
import { parseFlags } from '../flags.js';

/** Usage of `molt run`. */
export const help = `Usage: molt run [RELEASE_DIR] [--port N] [--host ADDR] [--state DIR] [--instances TYPE=N ...]

Runs a release as a supervisor: holds the listening socket and runs every process type the release's
molt.release.json declares, as child processes that inherit the socket (LISTEN_FDS, the systemd convention) and
a private probe socket each. An instance takes the shared socket only once its /readyz answers 200 and its
/api/version reports the release; a crashed instance restarts with a backoff (0.5 s doubling up to 30 s). The
socket never closes, so replacing an instance, even the only one, refuses and resets no connection.
molt upgrade and molt status talk to it on the control socket in the state directory.

  RELEASE_DIR         the release to run (default: the one --state names as current)
  --port N            the shared socket's port (default PORT, else 8080; 0 picks one)
  --host ADDR         the address to bind (default all interfaces)
  --state DIR         where the control socket and the current release are kept (default ./.molt)
  --instances TYPE=N  run N instances of a process type instead of the release's count, repeatable

SIGTERM or SIGINT drains every instance (each within its grace), then exits 0; a second signal kills them and
exits 1. Exit codes: 0 stopped cleanly, 2 bad usage or release, 18 cannot bind or start.

Examples:
  molt run ./releases/1.0.0 --port 8080 --state /var/lib/app/molt
  molt run --state /var/lib/app/molt --instances web=3`;

/** `molt run` handles SIGINT and SIGTERM itself: both drain. */
export const handlesSignals = true;

/** Runs `molt run` until a signal. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      port: { type: 'string' },
      host: { type: 'string' },
      state: { type: 'string' },
      instances: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    1,
    [],
  );
  const port = Number(values.port ?? process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new MoltError('USAGE', `--port ${String(values.port)} is not a port`, { hint: 'Use 0 to 65535' });
  }
  const instances: Record<string, number> = {};
  for (const pair of (values.instances as string[] | undefined) ?? []) {
    const m = /^([a-z][a-z0-9-]*)=(\d+)$/.exec(pair);
    if (!m) throw new MoltError('USAGE', `--instances ${pair} is not TYPE=N`, { hint: 'Such as --instances web=3' });
    instances[m[1]!] = Number(m[2]);
  }
  const running = await runSupervisor({
    release: positionals[0],
    stateDir: (values.state as string | undefined) ?? '.molt',
    port,
    host: values.host as string | undefined,
    instances,
  });
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  process.stderr.write(`molt: run: ${signal}: draining every instance (a second signal kills them)\n`);
  const again = (): void => {
    for (const instance of running.supervisor.status().instances)
      if (instance.pid) process.kill(instance.pid, 'SIGKILL');
    process.exit(1);
  };
  process.once('SIGTERM', again);
  process.once('SIGINT', again);
  await running.stop();
  process.stderr.write('molt: run: every instance has stopped\n');
  return 0;
}
