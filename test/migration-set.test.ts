import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalText, checksumOf, rawHashOf } from '../src/migrate/checksum.js';
import { parseDirectives } from '../src/migrate/directives.js';
import { loadMigrations } from '../src/migrate/set.js';
import { migrationsDir } from './helpers/cli.js';

describe('checksums', () => {
  it('ignore BOM, CRLF, CR, trailing white space and trailing blank lines, but not content', () => {
    const lf = 'CREATE TABLE a (id int);\nSELECT 1;';
    const variants = [
      '\uFEFF' + lf,
      lf.replace(/\n/g, '\r\n'),
      lf.replace(/\n/g, '\r'),
      'CREATE TABLE a (id int);   \nSELECT 1;\t\n\n\n',
    ];
    for (const v of variants) {
      assert.equal(checksumOf(v), checksumOf(lf));
      assert.notEqual(rawHashOf(v), rawHashOf(lf));
    }
    assert.notEqual(checksumOf('SELECT 2;'), checksumOf('SELECT 1;'));
    assert.notEqual(checksumOf('SELECT  1;'), checksumOf('SELECT 1;'), 'inner white space is content');
    assert.match(checksumOf(lf), /^sha256-c1:[0-9a-f]{64}$/);
    assert.equal(canonicalText('a \r\nb\t\r\n\r\n'), 'a\nb');
  });
});

describe('loadMigrations', () => {
  it('orders flat files by integer version and reads directives', () => {
    const set = loadMigrations({
      dir: migrationsDir({
        '10_c.sql': '',
        '2_b.sql': '-- molt:phase contract\n-- molt:transaction off\nSELECT 1;',
        '0001_a.sql': '-- just a comment',
      }),
    });
    assert.deepEqual(
      set.map((m) => [m.id, m.phase, m.transaction]),
      [
        ['0001_a', 'expand', 'auto'],
        ['2_b', 'contract', 'off'],
        ['10_c', 'expand', 'auto'],
      ],
    );
  });

  it('reads the Prisma layout, ordered by folder name, with two folders sharing a timestamp', () => {
    const set = loadMigrations({
      dir: migrationsDir({
        '20260630120000_drop_keys/migration.sql': 'SELECT 2;',
        '20260630120000_add_filter/migration.sql': 'SELECT 1;',
        '20250101000000_init/migration.sql': 'SELECT 0;',
        'migration_lock.toml': 'provider = "postgresql"',
      }),
    });
    assert.deepEqual(
      set.map((m) => m.id),
      ['20250101000000_init', '20260630120000_add_filter', '20260630120000_drop_keys'],
    );
  });

  it('reads the Diesel layout and ignores down migrations', () => {
    const set = loadMigrations({
      dir: migrationsDir({
        '2024-01-02-000000_users/up.sql': 'SELECT 1;',
        '2024-01-02-000000_users/down.sql': 'SELECT 0;',
      }),
    });
    assert.deepEqual(
      set.map((m) => [m.version, m.name]),
      [['20240102000000', 'users']],
    );
  });

  it('takes an embedded bundle as data', () => {
    const set = loadMigrations({ bundle: { '0002_b.sql': 'SELECT 2;', '0001_a.sql': 'SELECT 1;' } });
    assert.deepEqual(
      set.map((m) => [m.id, m.source]),
      [
        ['0001_a', 'bundle:0001_a.sql'],
        ['0002_b', 'bundle:0002_b.sql'],
      ],
    );
  });

  it('refuses a directive below the first statement, naming the line', () => {
    assert.throws(
      () => loadMigrations({ bundle: { '0001_a.sql': 'SELECT 1;\n-- molt:phase contract\n' } }),
      /bundle:0001_a\.sql:2: directive "molt:phase" stands after the first statement/,
    );
  });

  it('reads directives written as MySQL # comments, and molt:allow codes at the top and above statements', () => {
    const [m] = loadMigrations({
      bundle: {
        '0001_a.sql':
          '# molt:phase contract\n# molt:allow drop-table, drop-column -- both reviewed\nDROP TABLE t;\n-- molt:allow drop-view\nDROP VIEW v;\n',
      },
    });
    assert.equal(m.phase, 'contract');
    assert.deepEqual(parseDirectives(m.sql, m.source).allow, [
      { code: 'drop-table', line: 2 },
      { code: 'drop-column', line: 2 },
    ]);
    assert.throws(
      () => loadMigrations({ bundle: { '0001_a.sql': '-- molt:allow Drop Table\n' } }),
      /"molt:allow" takes lint rule codes separated by commas/,
    );
  });

  it('refuses a bad directive value and a missing directory', () => {
    assert.throws(
      () => loadMigrations({ bundle: { '0001_a.sql': '-- molt:phase later\n' } }),
      /"molt:phase" takes expand or contract, not "later"/,
    );
    assert.throws(
      () => loadMigrations({ dir: '/nonexistent/molt' }),
      /Migrations directory \/nonexistent\/molt does not exist/,
    );
  });
});
