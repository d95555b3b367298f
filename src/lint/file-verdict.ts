import type { Migration } from '../migrate/internal.js';
import type { Statement } from '../sql/index.js';
import type { Allowance } from './allow.js';
import { CLASS_ORDER, worse, type FileVerdict, type Finding, type StatementVerdict } from './report.js';
import { classLabel, RULES, type Rule } from './rules/index.js';
import type { Hit, Severity, StatementAnalysis } from './types.js';

/** Everything known about one file once its analyzer has run. */
export interface JudgedFile {
  migration: Migration;
  statements: readonly Statement[];
  analyses: readonly StatementAnalysis[];
  /** Findings the core made before the analyzer ran (a CONCURRENTLY statement in a transaction). */
  extra: readonly { statement: number; hit: Hit }[];
  fileAllow: readonly Allowance[];
  statementAllow: readonly Allowance[][];
}

const EXCERPT_LINES = 3;
const EXCERPT_CHARS = 240;

function excerpt(text: string): string {
  const lines = text.split('\n');
  let shown = lines.slice(0, EXCERPT_LINES).join('\n');
  if (shown.length > EXCERPT_CHARS) shown = `${shown.slice(0, EXCERPT_CHARS)}…`;
  else if (lines.length > EXCERPT_LINES) shown += '\n…';
  return shown;
}

/** Maps offsets to 1-based line and column for one file. */
function positions(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  };
}

/** The severity a rule earns in a file of this phase, before acknowledgements. */
function severityOf(rule: Rule, phase: Migration['phase']): Severity {
  if (rule.severity) return rule.severity;
  if (rule.class === 'U') return 'error';
  if (rule.class === 'C' || rule.class === 'A') return phase === 'contract' && !rule.blocking ? 'note' : 'error';
  return 'note';
}

/** Says why the finding fails, in the terms of the file it stands in. */
function reason(rule: Rule, phase: Migration['phase'], severity: Severity): string {
  if (rule.severity) return rule.title;
  if (severity !== 'error')
    return (rule.class === 'C' || rule.class === 'A') && phase === 'contract'
      ? 'a contract change, in a contract migration'
      : rule.title;
  if (rule.class === 'U')
    return (
      'blocks the running service; use the safe recipe (`molt lint --explain ' + rule.code + '`) or acknowledge it'
    );
  if (phase === 'contract')
    return 'blocks the running service while it runs, even in a contract migration; acknowledge it or use the safe recipe';
  if (rule.class === 'A')
    return 'its effect on the previous release cannot be read from the SQL; tag the file `-- molt:phase contract` or acknowledge it after review';
  return 'breaks the previous release; tag the file `-- molt:phase contract` so it runs after the rollout';
}

/** Classifies a file's statements and turns rule hits into findings according to its phase and acknowledgements. */
export function judgeFile(input: JudgedFile): { verdict: FileVerdict; findings: Finding[] } {
  const m = input.migration;
  const at = positions(m.sql);
  const findings: Finding[] = [];
  const used = new Set<Allowance>();
  const statements: StatementVerdict[] = input.statements.map((statement, index) => {
    const analysis = input.analyses[index] ?? { base: 'N', hits: [] };
    const hits = [...analysis.hits, ...input.extra.filter((e) => e.statement === index).map((e) => e.hit)];
    let cls: StatementVerdict['class'] = analysis.base;
    let dataDependent = false;
    for (const hit of hits) {
      const rule = RULES.get(hit.code);
      if (!rule) throw new Error(`analyzer reported unknown rule code "${hit.code}"`);
      cls = worse(cls, rule.class);
      dataDependent ||= rule.dataDependent === true;
      const allowance = [...input.statementAllow[index], ...input.fileAllow].find((a) => a.code === hit.code);
      let severity = severityOf(rule, m.phase);
      if (allowance) {
        used.add(allowance);
        severity = 'note';
      }
      const where = at(statement.offset + Math.max(0, Math.min(hit.at ?? 0, statement.text.length)));
      findings.push({
        file: m.source,
        ...where,
        code: rule.code,
        severity,
        class: classLabel(rule),
        message: `${hit.message}: ${allowance ? `acknowledged by \`molt:allow\` on line ${allowance.line}` : reason(rule, m.phase, severity)}`,
        statement: excerpt(statement.text),
        ...(allowance ? { acknowledged: true } : {}),
      });
    }
    return { line: statement.line, class: cls, dataDependent, codes: hits.map((h) => h.code) };
  });
  const fileClass = statements.reduce<StatementVerdict['class']>((c, s) => worse(c, s.class), 'N');
  if (m.phase === 'contract' && CLASS_ORDER.indexOf(fileClass) > CLASS_ORDER.indexOf('A')) {
    const line = m.sql.split('\n').findIndex((l) => /molt:phase\s+contract/.test(l)) + 1;
    findings.push(
      metaFinding(
        m,
        'contract-without-contract-change',
        line || 1,
        'this file is tagged `-- molt:phase contract` but changes nothing the previous release relies on',
      ),
    );
  }
  for (const allowance of [...input.fileAllow, ...input.statementAllow.flat()]) {
    if (!RULES.has(allowance.code)) {
      findings.push(metaFinding(m, 'unknown-allow', allowance.line, `\`molt:allow ${allowance.code}\` names no rule`));
    } else if (!used.has(allowance)) {
      findings.push(
        metaFinding(m, 'unused-allow', allowance.line, `\`molt:allow ${allowance.code}\` acknowledges nothing here`),
      );
    }
  }
  const verdict: FileVerdict = {
    file: m.source,
    version: m.version,
    phase: m.phase,
    class: fileClass,
    dataDependent: statements.some((s) => s.dataDependent),
    statements,
  };
  return { verdict, findings };
}

/** A finding about the file rather than one statement. */
export function metaFinding(m: Pick<Migration, 'source'>, code: string, line: number, message: string): Finding {
  const rule = RULES.get(code)!;
  return {
    file: m.source,
    line,
    column: 1,
    code,
    severity: rule.severity ?? 'error',
    class: classLabel(rule),
    message,
  };
}
