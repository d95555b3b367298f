#!/usr/bin/env node
import { EXIT } from './exit-codes.js';
import { fail } from './output.js';
import { MOLT_VERSION } from '../version.js';

interface Command {
  help: string;
  run(argv: string[], signal: AbortSignal): Promise<number>;
  renderReport?: (report: never) => string;
}

// Each command loads only when it is called.
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  migrate: { summary: 'apply pending migrations (after the drift check, under the lock)', load: () => import('./commands/migrate.js') },
  status: { summary: 'show applied, pending and unknown migrations, problems and the lock holder', load: () => import('./commands/status.js') },
  verify: { summary: 'startup gate: fail unless the database fits this binary; writes nothing', load: () => import('./commands/verify.js') },
  new: { summary: 'create the next migration file', load: () => import('./commands/new.js') },
  baseline: { summary: 'adopt an existing database at a version', load: () => import('./commands/baseline.js') },
  lint: { summary: 'check migrations for expand/contract safety and locks, and molt.sum', load: () => import('./commands/lint.js') },
  sum: { summary: 'write molt.sum, the integrity file over all migrations', load: () => import('./commands/sum.js') },
  backup: { summary: 'write a verified archive of the database and data directories; verify or list archives', load: () => import('./commands/backup.js') },
  restore: { summary: 'restore an archive, verified first, atomically', load: () => import('./commands/restore.js') },
  repair: { summary: 'realign checksums and settle failed migrations after a fix by hand', load: () => import('./commands/repair.js') },
};

const USAGE = `molt ${MOLT_VERSION}: safe schema upgrades for self-hosted services

Usage: molt <command> [options]

Commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`).join('\n')}

Run \`molt <command> --help\` for a command's options. Exit codes are listed in the README.
`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${MOLT_VERSION}\n`);
    return EXIT.ok;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`molt: error: unknown command "${name}"\n${USAGE}`);
    return EXIT.usage;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.help}\n`);
    return EXIT.ok;
  }
  // The first Ctrl-C lets the current migration finish and stops before the next, with a summary. The second one
  // gets the default action, so it ends the process at once even while a native call (SQLite) holds the thread;
  // the database rolls back what was not committed, and the history says nothing that did not happen.
  const controller = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('molt: interrupted; stopping after the current migration (press Ctrl-C again to stop at once)\n');
    controller.abort();
    process.removeAllListeners('SIGINT');
  });
  try {
    return await command.run(rest, controller.signal);
  } catch (error) {
    return fail(error, rest.includes('--json'), command.renderReport);
  }
}

process.exitCode = await main(process.argv.slice(2));
