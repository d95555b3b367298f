import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { MoltError } from '../errors.js';
import type { Migration } from './migration.js';
import { isTemplateChecksum } from './template.js';

/** The integrity file's name, next to the migrations. */
export const SUM_FILE = 'molt.sum';
const HEADER = 'molt-sum v1';

/** One migration as the sum file records it. */
interface SumLine {
  key: string;
  checksum: string;
}

/** What the sum file says about the migrations: absent, matching, or which files differ. */
export interface SumCheck {
  status: 'ok' | 'missing' | 'mismatch';
  /** Where the sum file is (or would be). */
  path: string;
  /**
   * Files whose text changed, appeared, disappeared or moved since `molt sum` ran; `drafted`: written since `molt new`
   * recorded its empty template, so no database can have applied what it says now.
   */
  changed: { file: string; change: 'edited' | 'drafted' | 'added' | 'removed' | 'reordered' | 'sum-edited' }[];
}

/** The path of a migration relative to its directory: `0001_init.sql` or `0001_init/migration.sql`. */
function keyOf(dir: string, m: Migration): string {
  return relative(resolve(dir), resolve(m.source)).split('\\').join('/');
}

/**
 * The chained hash over every line in order: each link hashes the previous one with the next file's
 * name and checksum, so the total changes when any file changes, moves, appears or disappears.
 */
function chain(lines: readonly SumLine[]): string {
  let link = createHash('sha256').update(HEADER).digest('hex');
  for (const { key, checksum } of lines)
    link = createHash('sha256').update(`${link}\n${key}\n${checksum}`).digest('hex');
  return `sha256:${link}`;
}

function linesOf(dir: string, migrations: readonly Migration[]): SumLine[] {
  return migrations.map((m) => ({ key: keyOf(dir, m), checksum: m.checksum }));
}

/**
 * The sum file's text. The chained total stands on the first line, so two branches that each add a
 * migration both change that line (and the end of the file) and git reports a conflict.
 */
export function sumText(dir: string, migrations: readonly Migration[]): string {
  const lines = linesOf(dir, migrations);
  return [`${HEADER} ${chain(lines)}`, ...lines.map((l) => `${l.key} ${l.checksum}`), ''].join('\n');
}

/**
 * Writes molt.sum for the migrations of `dir` (atomically) and returns its path.
 * @example
 * writeSum('./migrations', loadMigrations({ dir: './migrations' }));
 */
export function writeSum(dir: string, migrations: readonly Migration[]): string {
  const path = join(dir, SUM_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, sumText(dir, migrations));
  renameSync(temporary, path);
  return path;
}

function parseSum(path: string, text: string): { total: string; lines: SumLine[] } {
  if (/^(<<<<<<<|=======|>>>>>>>)/m.test(text)) {
    throw new MoltError(
      'SUM_MISMATCH',
      `${path} holds git merge conflict markers: two branches each added migrations`,
      {
        hint: "Take the other branch's molt.sum, give your new migrations versions after theirs, then run `molt sum` and commit",
        details: { file: path },
      },
    );
  }
  const [first = '', ...rest] = text.split('\n').filter((l) => l.trim() !== '');
  const head = first.split(' ');
  if (`${head[0]} ${head[1]}` !== HEADER || !head[2]) {
    throw new MoltError('SUM_MISMATCH', `${path}:1: not a molt.sum file (expected "${HEADER} sha256:...")`, {
      hint: 'Run `molt sum` to write it again',
      details: { file: path, line: 1 },
    });
  }
  const lines = rest.map((line, i) => {
    const space = line.lastIndexOf(' ');
    if (space <= 0) {
      throw new MoltError('SUM_MISMATCH', `${path}:${i + 2}: expected "<file> <checksum>", found "${line}"`, {
        hint: 'Run `molt sum` to write it again',
        details: { file: path, line: i + 2 },
      });
    }
    return { key: line.slice(0, space), checksum: line.slice(space + 1) };
  });
  return { total: head[2], lines };
}

/**
 * Compares the migrations with molt.sum and names every file that differs; a missing sum file is not an error.
 * @example
 * const check = checkSum('./migrations', loadMigrations({ dir: './migrations' }));
 */
export function checkSum(dir: string, migrations: readonly Migration[]): SumCheck {
  const path = join(dir, SUM_FILE);
  if (!existsSync(path)) return { status: 'missing', path, changed: [] };
  const recorded = parseSum(path, readFileSync(path, 'utf8'));
  const actual = linesOf(dir, migrations);
  const changed: SumCheck['changed'] = [];
  const before = new Map(recorded.lines.map((l) => [l.key, l]));
  const now = new Set(actual.map((l) => l.key));
  // Files both lists hold must stand in the same order; a renumbered version moves one.
  const oldOrder = recorded.lines.filter((l) => now.has(l.key)).map((l) => l.key);
  const newOrder = actual.filter((l) => before.has(l.key)).map((l) => l.key);
  const moved = new Set(newOrder.filter((key, i) => oldOrder[i] !== key));
  for (const line of actual) {
    const old = before.get(line.key);
    if (!old) changed.push({ file: line.key, change: 'added' });
    else if (old.checksum !== line.checksum)
      changed.push({ file: line.key, change: isTemplateChecksum(old.checksum) ? 'drafted' : 'edited' });
    else if (moved.has(line.key)) changed.push({ file: line.key, change: 'reordered' });
  }
  for (const old of recorded.lines) if (!now.has(old.key)) changed.push({ file: old.key, change: 'removed' });
  if (changed.length === 0 && chain(recorded.lines) !== recorded.total)
    changed.push({ file: SUM_FILE, change: 'sum-edited' });
  return { status: changed.length === 0 ? 'ok' : 'mismatch', path, changed };
}

/** Throws SUM_MISMATCH naming the files when molt.sum exists and does not match; `migrate` calls it before touching the database. */
export function assertSum(dir: string, migrations: readonly Migration[], warn?: (line: string) => void): void {
  const check = checkSum(dir, migrations);
  if (check.status !== 'mismatch') return;
  // `molt new`, then writing the migration, then migrate: the usual way to write one, not an edit to refuse.
  if (warn && check.changed.every((c) => c.change === 'drafted')) {
    warn(
      `${check.changed.map((c) => c.file).join(', ')} changed since \`molt new\` recorded it in molt.sum; run \`molt sum\` before you commit`,
    );
    return;
  }
  const list = check.changed.map((c) => `${c.file} (${c.change})`).join(', ');
  throw new MoltError('SUM_MISMATCH', `${check.path} does not match the migrations: ${list}`, {
    hint: 'A migration was changed after `molt sum`. Restore it if any database applied it; otherwise run `molt sum` and commit molt.sum',
    details: { file: check.path, changed: check.changed },
  });
}
