import { createServer } from 'node:http';
import { MoltError } from '../../errors.js';
import { commonOptions, optionsHelp, parseFlags, DATABASE_FLAGS } from '../flags.js';

/** Usage of `molt console`. */
export const help = `Usage: molt console [--port N] [--host ADDR] [--server-version V] [options]

Serves the operator's console on its own, for a laptop, against a database URL: the Agents page (policy, Run now,
Upgrade, pin), Upgrades (the molt upgrade journal, live), Schema (applied, pending and deferred migrations, live
instances, rollback verdicts, backups) and Audit. Sign in with an admin token of the fleet
(MOLT_FLEET_ADMIN_TOKEN). Actions go through the database: an upgrade sent from here is delivered by the server
replica that holds the agent. --server-version is the version agents are compared with (default: the version of the
agent build the fleet has, else the service's). Ctrl-C stops it.

  --port N              where to listen (default 8070)
  --host ADDR           the address (default 127.0.0.1: only this machine)
  --server-version V    the version agents are compared with
${optionsHelp(DATABASE_FLAGS)}

Example:
  MOLT_FLEET_ADMIN_TOKEN=… molt console --db postgres://molt@db.internal/app --port 8070`;

/** The command stops on Ctrl-C (and SIGTERM) itself. */
export const handlesSignals = true;

/** Runs `molt console`. */
export async function run(argv: string[], signal: AbortSignal): Promise<number> {
  const { values } = parseFlags(
    argv,
    { port: { type: 'string' }, host: { type: 'string' }, 'server-version': { type: 'string' } },
    0,
    DATABASE_FLAGS,
  );
  const port = values.port === undefined ? 8070 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new MoltError('USAGE', `--port ${values.port} is not a port number`);
  const options = commonOptions(values);
  const [{ openFleet }, { createConsole }] = await Promise.all([
    import('../../fleet/index.js'),
    import('../../console/index.js'),
  ]);
  // The fleet's tables may be there or not: the console shows the schema either way.
  let fleet = null;
  try {
    const open = (serverVersion?: string) =>
      openFleet({ ...options, serverVersion, versionFromAgentBuild: true, start: false });
    fleet = await open(values['server-version'] as string | undefined).catch((error: unknown) => {
      if (!(error instanceof MoltError) || error.details.missing !== 'serverVersion') throw error;
      process.stderr.write(
        'molt: no --server-version, no agent build set and no app version: agents are compared with "unknown"\n',
      );
      return open('unknown');
    });
  } catch (error) {
    if (!(error instanceof MoltError) || error.code !== 'PENDING') throw error;
    process.stderr.write(`molt: the fleet's tables are not there (${error.message}); showing the schema only\n`);
  }
  const console = createConsole({ ...options, fleet });
  const server = createServer((_req, res) => {
    res.writeHead(302, { location: `${console.prefix}/agents` }).end();
  });
  console.attach(server);
  const host = (values.host as string | undefined) ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as { port: number };
  process.stderr.write(`molt: console on http://${host}:${address.port}${console.prefix}/ (Ctrl-C stops it)\n`);
  await new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await fleet?.close();
  return 0;
}
