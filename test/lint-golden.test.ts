import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lintFiles, RULES, type LintDialect, type LintReport } from '../src/lint/index.js';

// The compiled test runs from dist/test, but the golden files live only in the source tree.
const GOLDEN = fileURLToPath(new URL('../../test/golden/lint/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const DIALECTS: LintDialect[] = ['postgres', 'mysql', 'sqlite'];
const SECTION = /^-- file: (\S+)\s*$/;
const RELEASED = /^-- released: (\d+)\s*$/;

/** Splits a golden case into migration files: `-- file: NAME` starts one; `-- released: N` in the header sets the release. */
export function readCase(text: string): { files: Record<string, string>; released?: string } {
  const files: Record<string, string> = {};
  let released: string | undefined;
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const section = SECTION.exec(line);
    if (section) {
      current = section[1];
      files[current] = '';
      continue;
    }
    if (current === undefined) {
      released = RELEASED.exec(line)?.[1] ?? released;
      continue;
    }
    files[current] += `${line}\n`;
  }
  return { files, released };
}

/** The report in the form a reviewer reads: one line per statement and per finding. */
function summary(report: LintReport): unknown {
  const name = (file: string): string => file.replace(/^bundle:/, '');
  return {
    files: report.files.map((f) => ({
      file: name(f.file),
      phase: f.phase,
      class: f.class + (f.dataDependent ? '+D' : ''),
      statements: f.statements.map(
        (s) => `${s.line}: ${s.class}${s.dataDependent ? '+D' : ''}${s.codes.length ? ` ${s.codes.join(', ')}` : ''}`,
      ),
    })),
    findings: report.findings.map(
      (f) => `${name(f.file)}:${f.line}:${f.column} ${f.severity} ${f.code} [${f.class}] ${f.message}`,
    ),
  };
}

// Rules only a directory can break; test/lint-cli.test.ts covers them through the CLI.
const DIRECTORY_ONLY = new Set(['sum-mismatch']);

const cases = (dialect: LintDialect): string[] =>
  existsSync(GOLDEN + dialect)
    ? readdirSync(GOLDEN + dialect)
        .filter((f) => f.endsWith('.sql'))
        .sort()
    : [];

for (const dialect of DIALECTS) {
  describe(`lint golden files: ${dialect}`, () => {
    const seen = new Set<string>();
    for (const file of cases(dialect)) {
      it(file, async () => {
        const { files, released } = readCase(readFileSync(`${GOLDEN}${dialect}/${file}`, 'utf8'));
        const report = await lintFiles(files, { dialect, released });
        for (const f of report.findings) seen.add(f.code);
        const actual = summary(report);
        const expectedPath = `${GOLDEN}${dialect}/${file.replace(/\.sql$/, '.json')}`;
        if (UPDATE) {
          writeFileSync(expectedPath, `${JSON.stringify(actual, null, 2)}\n`);
          return;
        }
        assert.deepEqual(
          actual,
          JSON.parse(readFileSync(expectedPath, 'utf8')),
          `${dialect}/${file}: run with UPDATE_GOLDEN=1 to accept a deliberate change`,
        );
      });
    }
    it(`every rule that names ${dialect} is found by one of its golden cases`, () => {
      const missing = [...RULES.values()]
        .filter((r) => r.dialects.includes(dialect) && !DIRECTORY_ONLY.has(r.code) && !seen.has(r.code))
        .map((r) => r.code);
      assert.deepEqual(missing, [], `rules without a ${dialect} golden case that reports them`);
    });
  });
}
