import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { mysqlSql } from '../src/drivers/mysql/mysql-dialect.js';
import { postgresSql } from '../src/drivers/postgres/postgres-dialect.js';
import { sqliteSql } from '../src/drivers/sqlite/sqlite-dialect.js';
import type { DialectSql } from '../src/drivers/types.js';
import { splitStatements } from '../src/sql/index.js';

// The compiled test runs from dist/test, but the golden files live only in the source tree.
const GOLDEN = fileURLToPath(new URL('../../test/golden/split/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const DIALECTS: Record<string, DialectSql> = { postgres: postgresSql, mysql: mysqlSql, sqlite: sqliteSql };

const cases = readdirSync(GOLDEN)
  .filter((f) => f.endsWith('.sql'))
  .sort();

describe('splitStatements golden files', () => {
  it('has cases for every dialect', () => {
    const dialects = new Set(cases.map((f) => f.split('.').at(-2)));
    assert.deepEqual([...dialects].sort(), Object.keys(DIALECTS).sort());
  });

  for (const file of cases) {
    it(file, () => {
      const dialect = DIALECTS[file.split('.').at(-2) ?? ''];
      assert.ok(dialect, `${file}: name it <case>.<${Object.keys(DIALECTS).join('|')}>.sql`);
      const actual = splitStatements(readFileSync(GOLDEN + file, 'utf8'), dialect).map((s) => ({
        line: s.line,
        text: s.text,
      }));
      const expectedPath = GOLDEN + file.replace(/\.sql$/, '.json');
      if (UPDATE) {
        writeFileSync(expectedPath, `${JSON.stringify(actual, null, 2)}\n`);
        return;
      }
      assert.deepEqual(
        actual,
        JSON.parse(readFileSync(expectedPath, 'utf8')),
        `${file}: run with UPDATE_GOLDEN=1 to accept a deliberate change`,
      );
    });
  }
});
