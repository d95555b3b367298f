import type { Statement } from '../sql/index.js';
import { allowedCodes } from '../migrate/internal.js';

/** One `molt:allow` code and the line that wrote it. */
export interface Allowance {
  code: string;
  line: number;
}

// `-- molt:allow a, b -- reason`, `# molt:allow a` (MySQL) or `/* molt:allow a */`.
const ALLOW = /(?:--|#|\/\*)\s*molt\s*:\s*allow\s+([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/gi;

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * The `molt:allow` codes that stand in the comments right above each statement (between it and the
 * previous one). The comment block at the top of the file belongs to the file, not to the first
 * statement, so the first statement's gap is skipped; `parseDirectives` reads that one.
 */
export function statementAllowances(text: string, statements: readonly Statement[]): Allowance[][] {
  return statements.map((statement, index) => {
    if (index === 0) return [];
    const from = statements[index - 1].end;
    const gap = text.slice(from, statement.offset);
    if (!/molt\s*:\s*allow/i.test(gap)) return [];
    const found: Allowance[] = [];
    for (const match of gap.matchAll(ALLOW)) {
      const line = lineAt(text, from + match.index);
      for (const code of allowedCodes(match[1].toLowerCase())) found.push({ code, line });
    }
    return found;
  });
}
