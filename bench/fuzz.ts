// The bounded fuzz of `npm run faults` (and its short seeded form in CI): migration files on each database, URLs with
// every password form on each server, hostile archives restored into a watched sandbox.
import {
  createMysqlDatabase,
  createPostgresDatabase,
  createSqliteDatabase,
  type TestDatabase,
} from '../test/helpers/databases.js';
import { seeded, type FuzzFinding } from './fuzz-common.js';
import { archiveBase, fuzzArchiveCase } from './fuzz-archives.js';
import { fuzzFilesCase } from './fuzz-files.js';
import { fuzzUrlCase } from './fuzz-urls.js';

/** How many cases of each family a run makes. */
export interface FuzzOptions {
  seed: number;
  /** File sets per database. */
  files: number;
  /** URLs per server; every fourth one also writes and searches a backup. */
  urls: number;
  /** Hostile archives. */
  archives: number;
  kinds?: readonly ('sqlite' | 'postgres' | 'mysql')[];
  log?: (line: string) => void;
}

/** What a fuzz run did and found. */
export interface FuzzSummary {
  cases: { family: string; database: string; count: number }[];
  findings: FuzzFinding[];
  wallMs: number;
}

const CREATE = { sqlite: createSqliteDatabase, postgres: createPostgresDatabase, mysql: createMysqlDatabase };

/** Runs every family; the databases it makes are dropped at the end, whatever happens. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const kinds = options.kinds ?? ['sqlite', 'postgres', 'mysql'];
  const summary: FuzzSummary = { cases: [], findings: [], wallMs: 0 };
  const made: TestDatabase[] = [];
  try {
    for (const kind of kinds) {
      const random = seeded(options.seed * 31 + kind.length);
      const db = await CREATE[kind]();
      made.push(db);
      for (let i = 0; i < options.files; i++) summary.findings.push(...(await fuzzFilesCase(db, random, `${i}`)));
      summary.cases.push({ family: 'migration files', database: kind, count: options.files });
      log(`fuzz: ${options.files} file sets on ${kind}`);
      if (kind === 'sqlite') continue;
      for (let i = 0; i < options.urls; i++)
        summary.findings.push(...(await fuzzUrlCase(db.url, random, `${i}`, i % 4 === 0)));
      summary.cases.push({ family: 'URLs with a password', database: kind, count: options.urls });
      log(`fuzz: ${options.urls} URLs on ${kind}`);
    }
    if (options.archives > 0) {
      const base = await archiveBase();
      const random = seeded(options.seed * 17);
      for (let i = 0; i < options.archives; i++)
        summary.findings.push(...(await fuzzArchiveCase(base, random, `${i}`)));
      summary.cases.push({ family: 'hostile archives', database: 'sqlite', count: options.archives });
      log(`fuzz: ${options.archives} archives`);
    }
  } finally {
    for (const db of made) await db.drop().catch(() => undefined);
  }
  summary.wallMs = Math.round(performance.now() - started);
  return summary;
}
