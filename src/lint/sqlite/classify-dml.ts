import type { Hit } from '../types.js';
import type { Step } from './apply.js';
import { isTempVariant, knownDef, replacement, type Context } from './context.js';
import { keyOf } from './schema.js';

/** The hits of a statement that changes rows or runs maintenance rather than changing the schema. */
export interface DmlVerdict {
  hits: Hit[];
  base: 'E' | 'N';
}

const SEQUENCE = 'sqlite_sequence';

function writesSequence(step: Step): boolean {
  return step.text.target !== undefined && keyOf(step.text.target.name) === SEQUENCE;
}

/** INSERT ... SELECT that carries a table's rows into its rebuilt copy. */
function rebuildCopy(ctx: Context, step: Step): Hit | undefined {
  const copy = step.copy;
  if (!copy || copy.holds === null) return undefined;
  const logical = copy.holds;
  const { target } = copy;
  if (target.holds === null || keyOf(target.holds) !== keyOf(logical)) return undefined;
  const replaced = replacement(ctx, logical, copy.source);
  const waiting = !target.dropped && isTempVariant(target.name, logical);
  if (!replaced && !waiting) return undefined;
  const into =
    keyOf(target.name) === keyOf(logical) && !target.dropped
      ? `the new ${logical}`
      : (step.text.target?.name ?? target.name);
  return {
    code: 'table-rebuild',
    message: `copies every row of ${logical} into ${into} to rebuild it, holding the database write lock for the whole copy`,
  };
}

/** Classifies INSERT, UPDATE, DELETE, VACUUM and REINDEX from the statement text and the tables they touch. */
export function classifyDml(ctx: Context, step: Step): DmlVerdict {
  const { text } = step;
  const hits: Hit[] = [];
  const table = step.table;
  const known = table ? knownDef(ctx, table) : undefined;
  const name = text.target?.name ?? '';
  switch (text.verb) {
    case 'insert': {
      if (writesSequence(step))
        hits.push({ code: 'alter-sequence', message: 'writes sqlite_sequence, the AUTOINCREMENT counters' });
      else if (text.insert?.upsert && known)
        hits.push({ code: 'upsert-rows', message: `may overwrite existing rows of ${name}` });
      const copy = rebuildCopy(ctx, step);
      if (copy) hits.push(copy);
      return { hits, base: 'E' };
    }
    case 'update': {
      if (writesSequence(step))
        hits.push({ code: 'alter-sequence', message: 'changes sqlite_sequence, the AUTOINCREMENT counters' });
      else if (known) {
        const columns = new Set(known.columns.map((c) => keyOf(c.name)));
        const fresh = (c: string): boolean => !columns.has(keyOf(c)) || (table?.addedColumns?.has(keyOf(c)) ?? false);
        const sets = text.sets ?? [];
        if (sets.length > 0 && sets.every(fresh)) {
          hits.push({
            code: 'backfill',
            message: `fills ${sets.map((c) => `${name}.${c}`).join(', ')} for every row at once`,
          });
        } else {
          hits.push({
            code: 'update-rows',
            message: `updates existing rows of ${name}${sets.length ? ` (${sets.join(', ')})` : ''}`,
          });
        }
      }
      return { hits, base: 'N' };
    }
    case 'delete':
      if (writesSequence(step))
        hits.push({
          code: 'alter-sequence',
          message: 'deletes from sqlite_sequence, resetting AUTOINCREMENT counters',
        });
      else if (known) hits.push({ code: 'delete-rows', message: `deletes rows of ${name}` });
      return { hits, base: 'N' };
    case 'vacuum':
      // VACUUM INTO writes a copy elsewhere and leaves the live database alone.
      if (text.tokens.some((t) => t.type === 'word' && t.value === 'INTO')) return { hits, base: 'N' };
      hits.push({
        code: 'table-rewrite',
        message: 'VACUUM rewrites the whole database file while holding an exclusive lock',
      });
      return { hits, base: 'N' };
    case 'reindex': {
      const target = text.target
        ? (ctx.model.table(text.target.name, text.target.schema) ??
          ctx.model.table(ctx.model.index(text.target.name)?.table ?? '', 'main'))
        : undefined;
      if (text.target && target && target.holds === null) return { hits, base: 'N' };
      hits.push({
        code: 'reindex-blocking',
        message: `REINDEX${text.target ? ` ${text.target.name}` : ''} rebuilds indexes while holding the database write lock`,
      });
      return { hits, base: 'N' };
    }
    case 'create': {
      const copy = rebuildCopy(ctx, step);
      return { hits: copy ? [copy] : [], base: 'N' };
    }
    default:
      return { hits, base: 'N' };
  }
}
