import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { RULES, classLabel } from '../src/lint/index.js';
import { ROOT } from './helpers/cli.js';

it('the README lists every lint rule with its class and dialects, and no rule that does not exist', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const table = /<!-- rules:start -->([\s\S]*)<!-- rules:end -->/.exec(readme)?.[1] ?? '';
  const listed = new Map(
    [...table.matchAll(/^\| `([a-z0-9-]+)` \| ([^|]+) \| ([^|]+) \|/gm)].map((m) => [
      m[1],
      { cls: m[2].trim(), dialects: m[3].trim() },
    ]),
  );
  const short: Record<string, string> = { postgres: 'PG', mysql: 'MySQL', sqlite: 'SQLite' };
  for (const rule of RULES.values()) {
    const row = listed.get(rule.code);
    assert.ok(row, `README does not list ${rule.code}`);
    assert.ok(
      row.cls.startsWith(classLabel(rule)),
      `${rule.code}: README says ${row.cls}, the registry ${classLabel(rule)}`,
    );
    assert.equal(row.dialects, rule.dialects.map((d) => short[d]).join(', '), `${rule.code}: dialects differ`);
  }
  assert.deepEqual(
    [...listed.keys()].filter((code) => !RULES.has(code)),
    [],
    'README lists rules that do not exist',
  );
});
