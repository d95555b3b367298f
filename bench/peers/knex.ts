// Knex: its own CLI (`knex migrate:latest`) on a folder of generated migration modules, one per SQL file, each `knex.raw(sql)`.
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sqliteSql } from '../../src/drivers/sqlite/sqlite-dialect.js';
import { splitStatements } from '../../src/sql/split.js';
import {
  MARIADB_SQL_MODE,
  migrationName,
  needsNoTransaction,
  peerBin,
  peerPackageJson,
  seq,
  sqlitePath,
  writeFile,
  type Dialect,
  type Peer,
} from './shared.js';

// Knex's client names, and how each takes a test-helper URL.
const CLIENT: Record<Dialect, { client: string; connection: (url: string) => unknown }> = {
  postgres: { client: 'pg', connection: (url) => url },
  mysql: { client: 'mysql2', connection: (url) => `${url}?multipleStatements=true` },
  sqlite: { client: 'better-sqlite3', connection: (url) => ({ filename: sqlitePath(url) }) },
};

// better-sqlite3 prepares one statement per call, so on SQLite a module runs the file's statements one `knex.raw` each,
// split when the layout is written (by molt's splitter, which stands in for whatever splitting a Knex user would write).
const ONE_STATEMENT_PER_CALL: Record<Dialect, boolean> = { postgres: false, mysql: false, sqlite: true };

// Session settings each new connection of the pool gets (the same sql_mode molt and the client floor get on MariaDB).
const AFTER_CREATE: Record<Dialect, string> = {
  postgres: '',
  mysql: `SET SESSION sql_mode = '${MARIADB_SQL_MODE}'`,
  sqlite: '',
};

/** Knex on all three databases: `<n>_<name>.cjs` modules that read the same SQL file and pass it to `knex.raw`. */
export const knex: Peer = {
  name: 'knex',
  unsupported: {},
  method:
    '`knex migrate:latest --knexfile` (its CLI) on generated `<n>_<name>.cjs` modules, each reading its SQL file and calling `knex.raw(sql)` ' +
    '(on SQLite one `knex.raw` per statement: better-sqlite3 takes one at a time); ' +
    'each migration in its own transaction (its default; `config.transaction = false` for CONCURRENTLY files), lock row in `knex_migrations_lock`',
  historyCount: {
    postgres: 'SELECT count(*) FROM knex_migrations',
    mysql: 'SELECT count(*) FROM knex_migrations',
    sqlite: 'SELECT count(*) FROM knex_migrations',
  },
  prepare(files, workDir, dialect) {
    const dir = join(workDir, 'migrations');
    files.forEach((file, i) => {
      const sql = readFileSync(file, 'utf8');
      const up = ONE_STATEMENT_PER_CALL[dialect]
        ? `const statements = ${JSON.stringify(splitStatements(sql, sqliteSql).map((s) => s.text))};\n` +
          'exports.up = async (knex) => { for (const s of statements) await knex.raw(s); };\n'
        : `const sql = require('node:fs').readFileSync(${JSON.stringify(file)}, 'utf8');\nexports.up = (knex) => knex.raw(sql);\n`;
      writeFile(
        join(dir, `${seq(i)}_${migrationName(file)}.cjs`),
        `${up}exports.down = () => {};\n${needsNoTransaction(sql) ? 'exports.config = { transaction: false };\n' : ''}`,
      );
    });
    const knexfile = join(workDir, 'knexfile.cjs');
    const { client } = CLIENT[dialect];
    const afterCreate = AFTER_CREATE[dialect];
    writeFile(
      knexfile,
      `module.exports = {\n  client: ${JSON.stringify(client)},\n  connection: JSON.parse(process.env.PEER_CONNECTION),\n  useNullAsDefault: true,\n` +
        (afterCreate
          ? `  pool: { afterCreate: (conn, done) => conn.query(${JSON.stringify(afterCreate)}, (err) => done(err, conn)) },\n`
          : '') +
        `  migrations: { directory: ${JSON.stringify(dir)}, loadExtensions: ['.cjs'] },\n};\n`,
    );
    // The CLI runs the knex it finds beside the knexfile, as in a project that installed it.
    mkdirSync(join(workDir, 'node_modules'));
    symlinkSync(dirname(peerPackageJson('knex')), join(workDir, 'node_modules', 'knex'));
    const bin = peerBin('knex');
    return {
      apply: (url) => ({
        command: process.execPath,
        args: [bin, 'migrate:latest', '--knexfile', knexfile],
        env: { ...process.env, PEER_CONNECTION: JSON.stringify(CLIENT[dialect].connection(url)) },
      }),
    };
  },
};
