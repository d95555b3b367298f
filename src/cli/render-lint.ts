import type { Finding, LintReport, Rule } from '../lint/index.js';
import { classLabel } from '../lint/index.js';

const indent = (text: string): string =>
  text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

/** A one-line summary of a lint run: files per class, counts, and the sum file's state. */
function summaryLine(r: LintReport): string {
  const classes = (['C', 'A', 'U', 'E', 'N'] as const).map((c) => `${c} ${r.classes[c]}`).join(', ');
  const sum =
    r.sum.status === 'missing'
      ? 'no molt.sum (run `molt sum` to start one)'
      : `molt.sum ${r.sum.status === 'ok' ? 'matches' : 'does not match'}`;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `molt lint: ${plural(r.files.length, 'file')} (${classes}); ${plural(r.counts.errors, 'error')}, ${plural(r.counts.warnings, 'warning')}; ${sum}\n`;
}

/** Renders findings for people: location, severity, code, class, message, then the statement. */
export function renderLint(r: LintReport, verbose = false): string {
  const shown = r.findings.filter((f) => verbose || f.severity !== 'note');
  const lines = shown.map((f) => {
    const head = `${f.file}:${f.line}:${f.column}: ${f.severity} ${f.code} [${f.class}]${f.acknowledged ? ' (acknowledged)' : ''} ${f.message}`;
    return f.statement ? `${head}\n${indent(f.statement)}\n` : `${head}\n`;
  });
  return `${lines.join('')}${summaryLine(r)}`;
}

// GitHub's workflow-command escaping: data escapes %, CR, LF; properties also escape : and ,.
const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** Renders findings as GitHub Actions annotations, so they show on the pull request's diff. */
export function renderGithub(r: LintReport): string {
  const level = (f: Finding): string =>
    f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
  const lines = r.findings
    .filter((f) => f.severity !== 'note')
    .map(
      (f) =>
        `::${level(f)} file=${escapeProperty(f.file)},line=${f.line},col=${f.column},title=${escapeProperty(`molt lint ${f.code} [${f.class}]`)}::${escapeData(f.message)}\n`,
    );
  return `${lines.join('')}${summaryLine(r)}`;
}

/** Renders a rule for `--explain`. */
export function renderRule(rule: Rule): string {
  return [
    `${rule.code} [${classLabel(rule)}]${rule.severity ? ` (always ${rule.severity === 'error' ? 'an error' : 'a warning'})` : ''}: ${rule.title}`,
    `dialects: ${rule.dialects.join(', ')}`,
    '',
    rule.why,
    '',
    `Instead: ${rule.instead}`,
    ...(rule.seeAlso ? ['', `See also: ${rule.seeAlso}`] : []),
    '',
  ].join('\n');
}

/** Lists every rule, one line each. */
export function renderRuleList(rules: Iterable<Rule>): string {
  return [...rules].map((r) => `${r.code.padEnd(34)} ${classLabel(r).padEnd(6)} ${r.title}\n`).join('');
}
