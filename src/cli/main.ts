#!/usr/bin/env node
import { EXIT } from './exit-codes.js';
import { fail } from './output.js';
import { MOLT_VERSION } from '../version.js';

interface Command {
  help: string;
  /** The command handles SIGINT (and SIGTERM) itself. */
  handlesSignals?: boolean;
  run(argv: string[], signal: AbortSignal): Promise<number>;
  renderReport?: (report: never) => string;
}

// Each command loads only when it is called.
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  migrate: {
    summary: 'apply pending migrations (after the drift check, under the lock)',
    load: () => import('./commands/migrate.js'),
  },
  status: {
    summary: 'show applied, pending and unknown migrations, problems and the lock holder',
    load: () => import('./commands/status.js'),
  },
  verify: {
    summary: 'startup gate: fail unless the database fits this binary; writes nothing',
    load: () => import('./commands/verify.js'),
  },
  new: { summary: 'create the next migration file', load: () => import('./commands/new.js') },
  'create-database': {
    summary: 'create the database the URL names, when it does not exist yet',
    load: () => import('./commands/create-database.js'),
  },
  baseline: { summary: 'adopt an existing database at a version', load: () => import('./commands/baseline.js') },
  lint: {
    summary: 'check migrations for expand/contract safety and locks, and molt.sum',
    load: () => import('./commands/lint.js'),
  },
  sum: { summary: 'write molt.sum, the integrity file over all migrations', load: () => import('./commands/sum.js') },
  backup: {
    summary: 'write a verified archive of the database and data directories; verify or list archives',
    load: () => import('./commands/backup.js'),
  },
  restore: { summary: 'restore an archive, verified first, atomically', load: () => import('./commands/restore.js') },
  repair: {
    summary: 'realign checksums and settle failed migrations after a fix by hand',
    load: () => import('./commands/repair.js'),
  },
  plan: {
    summary:
      'what upgrading to a release runs before and after the roll, whether it is rolling-safe, rollback verdicts',
    load: () => import('./commands/plan.js'),
  },
  rollback: {
    summary: 'whether an earlier release may be started again, or which archive to restore (--restore runs it)',
    load: () => import('./commands/rollback.js'),
  },
  upgrade: {
    summary: 'upgrade what molt run runs to a new release: plan, backup, expand, roll, validate, contract, journalled',
    load: () => import('./commands/upgrade.js'),
  },
  fleet: {
    summary: "the agents' builds: signing keys, signatures, offline bundles for air-gapped hosts",
    load: () => import('./commands/fleet.js'),
  },
  console: {
    summary: 'serve the operator console (agents, upgrades, schema, audit) against a database, for a laptop',
    load: () => import('./commands/console.js'),
  },
  agent: {
    summary: "on an agent's host: install an offline bundle (verified), show the installed versions",
    load: () => import('./commands/agent.js'),
  },
  run: {
    summary: 'run a release under a supervisor that holds the socket: instances replaced without a refused connection',
    load: () => import('./commands/run.js'),
  },
};

const USAGE = `molt ${MOLT_VERSION}: safe schema upgrades for self-hosted services

Usage: molt <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(16)}${c.summary}`)
  .join('\n')}

  help            show a command's options and examples: molt help migrate
  version         print molt's version

Run \`molt help <command>\` (or \`molt <command> --help\`) for a command's options. Exit codes are listed in the README.
`;

/** The command nearest to a mistyped one, by edit distance, when it is near enough to be what was meant. */
function nearest(name: string): string | null {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let diagonal = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const above = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
        diagonal = above;
      }
    }
    return row[b.length];
  };
  const [best] = [...Object.keys(COMMANDS), 'help', 'version']
    .map((c) => ({ c, d: c.startsWith(name) && name.length >= 2 ? 0 : distance(name, c) }))
    .sort((x, y) => x.d - y.d);
  return best && best.d <= Math.max(2, Math.floor(best.c.length / 3)) ? best.c : null;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' && rest[0]) return main([rest[0], '--help']);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`${MOLT_VERSION}\n`);
    return EXIT.ok;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    const guess = nearest(name);
    process.stderr.write(
      `molt: error: unknown command "${name}"${guess ? `; did you mean \`molt ${guess}\`?` : ''}\nmolt: hint: \`molt help\` lists the commands\n`,
    );
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
  if (!command.handlesSignals)
    process.once('SIGINT', () => {
      process.stderr.write(
        'molt: interrupted; stopping after the current migration (press Ctrl-C again to stop at once)\n',
      );
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
