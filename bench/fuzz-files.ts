// Fuzzed migration files: random bytes, NULs, comment and quote openers, line-ending mixes and directive spellings,
// placed around one marker statement per file, so that what the history says can be checked against the schema.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrationsDir, molt } from '../test/helpers/cli.js';
import { queryDb, type TestDatabase } from '../test/helpers/databases.js';
import { DOCUMENTED_EXITS, pick, type FuzzFinding, type Random } from './fuzz-common.js';

const ENDINGS = ['\n', '\r\n', '\r'];
const HEADER_LINES = [
  '-- a note',
  '-- molt:phase contract',
  '-- MOLT:PHASE contract',
  '-- molt: phase expand',
  '--Molt : Phase CONTRACT',
  '-- molt:phase bogus',
  '-- molt:phaze contract',
  '-- molt:transaction off',
  '# molt:phase expand',
  '-- molt:allow drop-table -- reviewed',
  '',
  '/* a closed comment */',
  '-- caf\u00e9 \u2713',
];
const TRAILERS = [
  '\0',
  '/*',
  '/* x',
  '*/',
  '--',
  '#',
  "'",
  '"',
  '`',
  '$$',
  '$tag$',
  "E'\\",
  '\\',
  ';',
  ';;',
  'BEGIN;',
  'COMMIT;',
  'LOCK TABLES x WRITE;',
  'SELECT 1;',
  'CREATE TABLE',
  'DELIMITER $$',
  '\uFEFF',
  '\r',
  '\r\n',
  '\n',
];

/** One fuzzed file: a header of comment and directive lines, the marker statement, then a random trailer. */
function fuzzedFile(random: Random, marker: string): Buffer {
  const ending = (): string => pick(random, ENDINGS);
  let text = random() < 0.1 ? '\uFEFF' : '';
  const headerLines = Math.floor(random() * 4);
  for (let i = 0; i < headerLines; i++) text += pick(random, HEADER_LINES) + ending();
  text += `CREATE TABLE ${marker} (x int);${ending()}`;
  const parts: Buffer[] = [Buffer.from(text, 'utf8')];
  const trailerParts = Math.floor(random() * 4);
  for (let i = 0; i < trailerParts; i++) {
    const r = random();
    if (r < 0.15)
      parts.push(Buffer.from(Array.from({ length: 1 + Math.floor(random() * 6) }, () => Math.floor(random() * 256))));
    else parts.push(Buffer.from(pick(random, TRAILERS) + (random() < 0.5 ? ending() : ''), 'utf8'));
  }
  return Buffer.concat(parts);
}

/** Whether a marker table exists, case-insensitively (MySQL on some systems keeps the case it was given). */
async function tableExists(db: TestDatabase, table: string): Promise<boolean> {
  const sql = {
    sqlite: `SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND lower(name) = '${table}'`,
    postgres: `SELECT count(*)::int AS n FROM pg_class WHERE relkind = 'r' AND relname = '${table}'`,
    mysql: `SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND lower(table_name) = '${table}'`,
  }[db.kind];
  return Number((await queryDb<{ n: unknown }>(db, sql))[0].n) > 0;
}

/**
 * One case: a set of one to three fuzzed files migrated twice (the second run is what a restart does). The history
 * must agree with the schema: a file recorded as applied, or as having applied its first statement, has made its marker
 * table, and a marker table exists only for such a file.
 */
export async function fuzzFilesCase(db: TestDatabase, random: Random, id: string): Promise<FuzzFinding[]> {
  const findings: FuzzFinding[] = [];
  const count = 1 + Math.floor(random() * 3);
  const dir = migrationsDir({});
  const markers: string[] = [];
  for (let i = 1; i <= count; i++) {
    const marker = `fz${id}_${i}`;
    markers.push(marker);
    writeFileSync(join(dir, `000${i}_m${i}.sql`), fuzzedFile(random, marker));
  }
  const table = `fz${id}_history`;
  for (let run = 1; run <= 2; run++) {
    const r = await molt(['migrate', '--json', '--allow-non-empty', '--table', table, '--db', db.url, '--dir', dir], {
      timeoutMs: 60_000,
    });
    if (r.code === null || !DOCUMENTED_EXITS.has(r.code))
      findings.push({
        kind: 'exit',
        id,
        detail: `migrate run ${run} exited ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').at(-1)}`,
        dir,
      });
  }
  const rows = await queryDb<{ version: string; status: string; statements_applied: unknown }>(
    db,
    `SELECT version, status, statements_applied FROM ${table}`,
  ).catch(() => []);
  for (const [i, marker] of markers.entries()) {
    const row = rows.find((r) => Number(r.version) === i + 1);
    const recorded = row !== undefined && (row.status === 'success' || Number(row.statements_applied ?? 0) >= 1);
    const exists = await tableExists(db, marker);
    if (recorded !== exists) {
      findings.push({
        kind: 'history',
        id,
        detail: `file ${i + 1}: history ${row ? `${row.status}, ${row.statements_applied} applied` : 'no row'} but table ${marker} ${exists ? 'exists' : 'is missing'}`,
        dir,
      });
    }
  }
  return findings;
}
