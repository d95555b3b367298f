// The no-op floor: the least any tool must do on boot — read and hash every file, select the history.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const [url, dir] = process.argv.slice(2);
const hashes = readdirSync(dir)
  .sort()
  .map((name) => {
    const path = statSync(join(dir, name)).isDirectory() ? join(dir, name, 'migration.sql') : join(dir, name);
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  });
const SELECT = 'SELECT version, name, checksum FROM _molt_migrations';
let rows: unknown[];
if (url.startsWith('postgres')) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  rows = (await client.query(SELECT)).rows;
  await client.end();
} else if (url.startsWith('sqlite:')) {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(url.slice('sqlite:'.length), { readonly: true });
  rows = db.prepare(SELECT).all();
  db.close();
} else {
  const { default: mysql } = await import('mysql2/promise');
  const conn = await mysql.createConnection(url.replace(/^mariadb:/, 'mysql:'));
  rows = (await conn.query(SELECT))[0] as unknown[];
  await conn.end();
}
if (rows.length !== hashes.length) throw new Error(`expected ${hashes.length} rows, got ${rows.length}`);
