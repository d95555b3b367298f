// graphile-migrate: its own CLI (`graphile-migrate migrate`) on `migrations/committed/<n>.sql` files with the hash chain it checks.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { needsNoTransaction, peerBin, seq, writeFile, type Peer } from './shared.js';

/**
 * graphile-migrate's hash of a committed migration: sha1 over the previous hash and the body, as its
 * `calculateHash` computes it (`graphile-migrate commit` would need a shadow database and re-run every file to write these).
 */
function chainHash(body: string, previous: string | null): string {
  return `sha1:${createHash('sha1')
    .update(`${`${previous ?? ''}\n${body.trim()}`.trim()}\n`)
    .digest('hex')}`;
}

/** graphile-migrate, PostgreSQL only: each file committed as `migrations/committed/<n>.sql` with `Previous` and `Hash` headers. */
export const graphileMigrate: Peer = {
  name: 'graphile-migrate',
  unsupported: {
    mysql: 'graphile-migrate is PostgreSQL-only',
    sqlite: 'graphile-migrate is PostgreSQL-only',
  },
  method:
    "`graphile-migrate migrate` (its CLI) on `migrations/committed/<n>.sql`: each file's text under the `--! Previous` / `--! Hash` headers its `commit` writes, " +
    'hashes chained as it computes them; one transaction per file (its default; `--! no-transaction` first line for CONCURRENTLY files), advisory lock per file',
  historyCount: { postgres: 'SELECT count(*) FROM graphile_migrate.migrations', mysql: '', sqlite: '' },
  prepare(files, workDir) {
    let previous: string | null = null;
    files.forEach((file, i) => {
      const sql = readFileSync(file, 'utf8');
      const body = `${needsNoTransaction(sql) ? '--! no-transaction\n' : ''}${sql}`.trim() + '\n';
      const hash = chainHash(body, previous);
      writeFile(
        join(workDir, 'migrations', 'committed', `${seq(i)}.sql`),
        `--! Previous: ${previous ?? '-'}\n--! Hash: ${hash}\n\n${body}`,
      );
      previous = hash;
    });
    writeFile(join(workDir, '.gmrc'), '{ "migrationsFolder": "./migrations" }\n');
    const bin = peerBin('graphile-migrate');
    return {
      apply: (url) => ({
        command: process.execPath,
        args: [bin, 'migrate'],
        cwd: workDir,
        env: { ...process.env, DATABASE_URL: url },
      }),
    };
  },
};
