import { createInterface } from 'node:readline/promises';
import type { ArchiveSummary } from '../backup/index.js';
import { MoltError } from '../errors.js';

/**
 * Asks a yes/no question on the terminal (stderr), after `preface` lines; false when the answer is not yes. Null
 * when there is no terminal to ask on, so the caller can say `--yes` is needed instead of guessing.
 */
export async function askYesNo(question: string, preface: readonly string[] = []): Promise<boolean | null> {
  if (!process.stdin.isTTY) return null;
  if (preface.length > 0) process.stderr.write(`${preface.join('\n')}\n`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

function describeArchive(s: ArchiveSummary): string[] {
  return [
    `archive: ${s.file}`,
    `  created ${s.createdAt} on ${s.host}, app ${s.appVersion ?? 'unknown'}`,
    `  database: ${s.database.kind} ${s.database.serverVersion}, schema ${s.schemaVersion ?? 'empty'} (${s.migrations} migrations)`,
    `  replaces the database ${s.target}`,
    ...s.destinations.map((d) => `  replaces data directory ${d.name}: ${d.path}`),
    ...(s.unknownMigrations.length ? [`  newer than this binary: ${s.unknownMigrations.join(', ')}`] : []),
  ];
}

/** Shows what an archive holds and asks before a restore replaces anything; refuses when there is no terminal. */
export async function confirmRestore(summary: ArchiveSummary): Promise<boolean> {
  const answer = await askYesNo(`Replace ${summary.target} with this archive?`, describeArchive(summary));
  if (answer !== null) return answer;
  throw new MoltError(
    'RESTORE_REFUSED',
    'restore replaces the database and asks first, but there is no terminal to ask on',
    {
      hint: 'Pass --yes to restore without asking',
      details: { summary },
    },
  );
}
