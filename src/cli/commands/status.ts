import { status } from '../../migrate/internal.js';
import type { StatusReport } from '../../migrate/index.js';
import { readUpgrades, type JournalEntry, type UpgradesView } from '../../upgrade/index.js';
import { commonOptions, optionsHelp, parseFlags, READ_FLAGS } from '../flags.js';
import { emit } from '../output.js';
import { renderStatus } from '../render.js';

/** Usage of `molt status`. */
export const help = `Usage: molt status [options]

Shows applied, pending and unknown migrations, problems found by the drift check, who holds
the migration lock, the live instances, and the upgrade journal: the upgrade in progress (or interrupted),
and the last ones. Writes nothing. Exits 0 even when there are problems; use \`molt verify\` as a gate.

${optionsHelp(READ_FLAGS)}

Examples:
  molt status
  molt status --json --db postgres://app@db:5432/app`;

/** Runs `molt status`. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {}, 0, READ_FLAGS);
  const options = commonOptions(values);
  const report = await status(options);
  const upgrades = await readUpgrades(options);
  return emit(values.json, { report: { ...report, upgrades } }, render);
}

type Report = StatusReport & { upgrades?: UpgradesView };

function entryLine(u: JournalEntry): string {
  const where = u.active
    ? `at step ${u.step} (${u.owner}, last heard of ${Math.round(u.updatedAgoMs / 1000)} s ago)`
    : `ended ${u.endedAt}`;
  return `${u.fromVersion ?? '?'} -> ${u.toVersion}  ${u.state}  ${where}  ${u.id}${u.error ? `\n      ${u.error}` : ''}`;
}

function render(r: Report): string {
  let out = renderStatus(r);
  if (!r.upgrades) return out;
  const { active, recent } = r.upgrades;
  out += `upgrade   ${active ? entryLine(active) : 'none in progress'}\n`;
  for (const u of recent.filter((x) => !x.active)) out += `  ${entryLine(u)}\n`;
  return out;
}

/** Renders the report a failed run carries. */
export const renderReport = render;
