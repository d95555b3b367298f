import { idOf } from '../../migrate/internal.js';
import { plan, type PlanItem, type PlanReport } from '../../releases/index.js';
import { commonOptions, optionsHelp, parseFlags, READ_FLAGS } from '../flags.js';
import { emit } from '../output.js';

/** Usage of `molt plan`. */
export const help = `Usage: molt plan [--dir RELEASE_MIGRATIONS] [--to VERSION] [--app-version V] [options]

Plans an upgrade to a release (its migrations directory, up to --to VERSION) against the database and its live
instances: the migrations that run before the roll (expand) and after it (contract, once no instance of the old
release is live), each with its statement count and lint findings; whether the release is rolling-safe; and the
rollback verdict for every earlier release: "image rollback safe" (until which contract migration) or "needs a
restore" (which archive, what is lost). Writes nothing.

  --to VERSION      plan the release as of this version of its set
  --app-version V   the target release's version (default: package.json), left out of the rollback verdicts

Exit codes: 0 rolling-safe, 14 not rolling-safe, 3 drift, 7 no history, 8 not a migration set.

${optionsHelp(READ_FLAGS)}

Examples:
  molt plan --dir ./releases/2.0.0/migrations --app-version 2.0.0
  molt plan --json | jq .rollback`;

function renderItem(i: PlanItem): string {
  const waits = i.waitsFor.length
    ? `, waits for ${i.waitsFor.length} live instance(s) of ${[...new Set(i.waitsFor.map((w) => w.appVersion ?? '?'))].join(', ')}`
    : '';
  const findings = i.findings.map((f) => `\n      ${f.severity} ${f.code} ${f.file}:${f.line}: ${f.message}`).join('');
  return `    ${idOf(i)}  ${i.phase}, ${i.statements} statement${i.statements === 1 ? '' : 's'}${waits}${findings}\n`;
}

function render(r: PlanReport): string {
  let out = `release   ${r.release.appVersion ?? '(version unknown)'} from ${r.release.dir}, newest ${r.release.newest ?? '-'}\n`;
  out += `database  ${r.database} at ${r.current ?? 'empty'}\n`;
  out += `live      ${r.live.length ? r.live.map((l) => `${l.instances} on ${l.appVersion ?? '?'}`).join(', ') : 'no instance registered'}\n`;
  out += `before the roll (expand): ${r.beforeRoll.length}\n${r.beforeRoll.map(renderItem).join('')}`;
  out += `after the roll (contract): ${r.afterRoll.length}\n${r.afterRoll.map(renderItem).join('')}`;
  out += r.rollingSafe
    ? 'rolling-safe: yes\n'
    : `rolling-safe: NO\n${r.unsafe.map((u) => `    ${u.message}\n`).join('')}`;
  if (r.lintError) out += `lint could not read the files: ${r.lintError}\n`;
  out += `rollback:${r.rollback.length ? '' : ' no earlier release seen on this database'}\n`;
  for (const v of r.rollback) out += `    ${v.summary}\n`;
  return out;
}

/** Runs `molt plan`. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { to: { type: 'string' }, 'app-version': { type: 'string' } }, 0, READ_FLAGS);
  const outcome = await plan({ ...commonOptions(values), target: values.to });
  return emit(values.json, outcome, render);
}

/** Renders the report a failed run carries. */
export const renderReport = render;
