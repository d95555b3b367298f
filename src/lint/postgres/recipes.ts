import type { Hit } from '../types.js';
import type { Session } from './context.js';

/**
 * Settles findings that only the whole file can decide (research/lint.md §3.13): a statement may be
 * undone or completed by a later one, so some hits are dropped or restated at the end of a file.
 */
export function settleFile(session: Session): void {
  const { file, schema } = session;
  // A rename followed by a view under the old name keeps simple reads and writes working (T5).
  for (const { from, hits, hit } of file.renames) {
    if (file.views.has(from)) removeHit(hits, hit);
  }
  swappedTypes(session);
  // Prisma drops a default to retype its column, then sets it again: the same one, or another.
  for (const { table, column, before, hits, hit } of file.defaultDrops) {
    const after = schema.column(table, column)?.defaultKey;
    if (after === before) removeHit(hits, hit);
    else if (after !== undefined)
      Object.assign(hit, { code: 'change-default', message: `changes the default of ${table}.${column}` });
  }
}

/**
 * Prisma changes an enum by creating `T_new`, moving columns to it, renaming `T` away and `T_new`
 * to `T`. The name the previous release uses is back by the end of the file, so the rename is no
 * change of its own: the column moves already report what the values lost.
 */
function swappedTypes(session: Session): void {
  const { schema, file } = session;
  for (const rename of file.typeRenames) {
    const now = schema.enums.get(rename.from);
    if (!now && !schema.types.has(rename.from)) continue;
    const lost = (rename.values ?? []).filter((v) => !now?.includes(v));
    const reported = lost.length === 0 || file.enumsChanged.has(rename.from);
    if (reported) removeHit(rename.hits, rename.hit);
    else
      Object.assign(rename.hit, {
        code: 'enum-change-values',
        message: `replaces enum ${rename.from} by a type without ${lost.map((v) => `'${v}'`).join(', ')}`,
      });
  }
}

function removeHit(hits: Hit[], hit: Hit): void {
  const index = hits.indexOf(hit);
  if (index >= 0) hits.splice(index, 1);
}
