import { openContext, withSession, type CommonOptions } from '../migrate/internal.js';
import { UpgradeJournal, type JournalEntry } from './journal.js';

/** What the journal says: the upgrade in progress (or interrupted), if any, and the last few, newest first. */
export interface UpgradesView {
  active: JournalEntry | null;
  recent: JournalEntry[];
}

/**
 * Reads the upgrade journal without writing; nothing recorded yet reads as none.
 * @example
 * const { active } = await readUpgrades({ db: process.env.DATABASE_URL });
 */
export async function readUpgrades(options: CommonOptions = {}, limit = 3): Promise<UpgradesView> {
  const ctx = await openContext(options, false);
  return withSession(
    ctx,
    async (session, history) => {
      const journal = new UpgradeJournal(session, ctx.driver.sql, history.tables);
      return { active: await journal.active(), recent: await journal.recent(limit) };
    },
    { writes: false },
  );
}
