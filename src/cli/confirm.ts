import { createInterface } from 'node:readline/promises';

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
