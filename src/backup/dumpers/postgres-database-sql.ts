import { quoteIdent } from './postgres-env.js';

/** An archive's database-level SQL, renamed for the database it will fill, in the order a restore needs it. */
export interface DatabaseStatements {
  /** CREATE DATABASE with the archive's encoding and locale, or undefined when the archive has none. */
  create?: string;
  /** ALTER DATABASE ... OWNER TO, before the objects are restored. */
  owner: string[];
  /** Settings, comment, grants and security labels: after the restore, so a setting such as default_transaction_read_only cannot get in its way. */
  properties: string[];
}

/**
 * Splits the SQL script pg_restore writes into statements: psql meta-commands (`\connect`) and
 * comments are skipped, and `;` inside quotes does not end a statement.
 */
export function splitScript(text: string): string[] {
  const statements: string[] = [];
  let current = '';
  let quote: string | null = null;
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === null && lineStart && (c === '\\' || text.startsWith('--', i))) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
      continue;
    }
    lineStart = c === '\n';
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === ';') {
      if (current.trim()) statements.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}

const DATABASE_NAME = /(\bDATABASE\s+)("(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*)/;

/**
 * Keeps the database-level statements of `pg_restore --create` output and points them at `database`
 * instead of the archive's own name.
 */
export function databaseStatements(script: string, database: string): DatabaseStatements {
  const out: DatabaseStatements = { owner: [], properties: [] };
  for (const statement of splitScript(script)) {
    if (!/^(CREATE DATABASE|ALTER DATABASE|COMMENT ON DATABASE|GRANT|REVOKE|SECURITY LABEL)\b/i.test(statement))
      continue;
    if (!DATABASE_NAME.test(statement)) continue;
    const renamed = statement.replace(DATABASE_NAME, (_m, keyword: string) => `${keyword}${quoteIdent(database)}`);
    if (/^CREATE DATABASE/i.test(renamed)) out.create = renamed;
    else if (/^ALTER DATABASE\s+("(?:[^"]|"")*"|\S+)\s+OWNER TO/i.test(renamed)) out.owner.push(renamed);
    else out.properties.push(renamed);
  }
  return out;
}
