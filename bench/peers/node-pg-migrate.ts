// node-pg-migrate: its own CLI (`node-pg-migrate up`) on a folder of `<number>_<name>.sql` files, one transaction per file.
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { migrationName, needsNoTransaction, peerBin, seq, writeFile, type Peer } from './shared.js';

/** node-pg-migrate, PostgreSQL only: SQL files are linked as they are; the few that must run outside a transaction become a JS migration calling `pgm.noTransaction()`. */
export const nodePgMigrate: Peer = {
  name: 'node-pg-migrate',
  unsupported: {
    mysql: 'node-pg-migrate is PostgreSQL-only',
    sqlite: 'node-pg-migrate is PostgreSQL-only',
  },
  method:
    '`node-pg-migrate up --no-single-transaction --no-verbose`: one transaction per file (its default is one for the whole run); ' +
    '`<n>_<name>.sql` linked as is (a file without markers is all "up"); files with CONCURRENTLY become a `.cjs` migration with `pgm.noTransaction()` reading the same file; advisory lock',
  historyCount: { postgres: 'SELECT count(*) FROM pgmigrations', mysql: '', sqlite: '' },
  prepare(files, workDir) {
    const dir = join(workDir, 'migrations');
    mkdirSync(dir, { recursive: true });
    files.forEach((file, i) => {
      const base = join(dir, `${seq(i)}_${migrationName(file)}`);
      if (needsNoTransaction(readFileSync(file, 'utf8'))) {
        writeFile(
          `${base}.cjs`,
          `const sql = require('node:fs').readFileSync(${JSON.stringify(file)}, 'utf8');\n` +
            'exports.up = (pgm) => { pgm.noTransaction(); pgm.sql(sql); };\n',
        );
      } else {
        symlinkSync(file, `${base}.sql`);
      }
    });
    const bin = peerBin('node-pg-migrate');
    return {
      apply: (url) => ({
        command: process.execPath,
        args: [bin, 'up', '--migrations-dir', dir, '--no-single-transaction', '--no-verbose'],
        env: { ...process.env, DATABASE_URL: url },
      }),
    };
  },
};
