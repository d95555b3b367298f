import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CORPORA, molt, reportOf } from './helpers/cli.js';

const missing = existsSync(CORPORA) ? false : `the corpora are not at ${CORPORA} (set MOLT_CORPORA)`;

const HISTORIES = [
  { name: 'trigger-dev', dir: join(CORPORA, 'trigger-dev', 'migrations'), dialect: 'postgres', files: 820 },
  { name: 'ory-kratos postgres-up', dir: join(CORPORA, 'ory-kratos', 'postgres-up'), dialect: 'postgres', files: 346 },
  { name: 'ory-kratos mysql-up', dir: join(CORPORA, 'ory-kratos', 'mysql-up'), dialect: 'mysql', files: 352 },
  { name: 'ory-kratos sqlite3-up', dir: join(CORPORA, 'ory-kratos', 'sqlite3-up'), dialect: 'sqlite', files: 694 },
];

interface Report {
  files: { file: string; class: string; statements: { class: string }[] }[];
  findings: { file: string; line: number; code: string; severity: string }[];
  classes: Record<string, number>;
}

describe('molt lint reads every real history without a crash', { skip: missing }, () => {
  for (const h of HISTORIES) {
    it(`${h.name} (${h.dialect}, ${h.files} files)`, async (t) => {
      const r = await molt(['lint', '--json', '--dialect', h.dialect, '--dir', h.dir]);
      assert.ok(r.code === 0 || r.code === 10, `exit ${r.code}: ${r.stderr.slice(-2000)}`);
      assert.equal(r.stderr, '', 'lint wrote to stderr');
      const report = reportOf(r.stdout) as Report;
      assert.equal(report.files.length, h.files);
      const statements = report.files.reduce((n, f) => n + f.statements.length, 0);
      assert.ok(statements > h.files, `only ${statements} statements classified`);
      // Real histories drop and rename things; a linter that finds no contract change in them is broken.
      assert.ok(report.classes.C > 0, 'no contract file found');
      assert.ok(report.classes.E > report.files.length / 4, 'too few expand files');
      const byCode = new Map<string, number>();
      for (const f of report.findings) byCode.set(f.code, (byCode.get(f.code) ?? 0) + 1);
      t.diagnostic(
        `files by class: ${JSON.stringify(report.classes)}; findings by code: ${JSON.stringify(Object.fromEntries([...byCode].sort((a, b) => b[1] - a[1])))}`,
      );
    });
  }
});
