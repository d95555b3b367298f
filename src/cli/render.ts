import {
  describeHolder,
  idOf,
  waitLine,
  type LiveInstance,
  type MigrateReport,
  type PartialMigration,
  type Problem,
  type StatusReport,
} from '../migrate/internal.js';

/** Problems as indented lines with their hints. */
export function renderProblems(problems: Problem[]): string {
  return problems.map((p) => `  [${p.code}] ${p.message}\n    what to do: ${p.hint}\n`).join('');
}

/** `partially applied: 2 of 5 statements; statement 3 failed: <message>` and where, and what happens next. */
export function renderPartial(p: PartialMigration): string {
  const where = p.source ? `${p.source}${p.line != null ? `:${p.line}` : ''}` : 'file not in this binary';
  const progress = `partially applied: ${p.statementsApplied} of ${p.statementsTotal ?? '?'} statements`;
  const why =
    p.state === 'failed'
      ? `statement ${p.failedStatement} failed: ${p.error ?? 'unknown error'}`
      : `interrupted before statement ${p.failedStatement} was recorded`;
  const next = p.resumable ? `next migrate resumes at statement ${p.failedStatement}` : 'cannot resume: see problems';
  return `  ${idOf(p)}  ${progress}; ${why}\n    at ${where}; ${next}\n`;
}

/** `status` for people. */
export function renderStatus(r: StatusReport): string {
  const lines = [
    `database  ${r.database}`,
    `current   ${r.current ?? 'empty (nothing applied)'}`,
    `lock      ${r.lock.held ? `held${describeHolder(r.lock.holder)}` : 'free'}`,
    `applied   ${r.applied.length}`,
    ...r.applied.map(
      (m) =>
        `  ${idOf(m)}  ${m.phase}  ${m.status === 'baseline' ? 'baseline' : `${m.appliedAt ?? '?'}  ${m.durationMs ?? '?'} ms`}  app ${m.appVersion ?? '-'}  on ${m.host ?? '-'}`,
    ),
    `pending   ${r.pending.length}`,
    ...r.pending.map((m) => `  ${idOf(m)}  ${m.phase}${m.waitsFor ? `  (${waitLine(idOf(m), m.waitsFor)})` : ''}`),
    ...renderInstances(r.instances),
  ];
  if (r.unknown.length > 0)
    lines.push(
      `unknown   ${r.unknown.length} (in the database, not in this binary)`,
      ...r.unknown.map((m) => `  ${idOf(m)}  ${m.phase}`),
    );
  let out = `${lines.join('\n')}\n`;
  if (r.partial.length > 0) out += `partial   ${r.partial.length}\n${r.partial.map(renderPartial).join('')}`;
  out += `problems  ${r.problems.length}\n${renderProblems(r.problems)}`;
  for (const w of r.warnings) out += `warning: ${w}\n`;
  return out;
}

/** The registered instances grouped by app version, newest heartbeat age first within a group; stale ones marked. */
export function renderInstances(instances: readonly LiveInstance[]): string[] {
  const live = instances.filter((i) => !i.stale);
  const lines = [
    `instances ${live.length} live${instances.length > live.length ? `, ${instances.length - live.length} stale` : ''}`,
  ];
  const byVersion = new Map<string, LiveInstance[]>();
  for (const i of instances) byVersion.set(i.appVersion ?? '-', [...(byVersion.get(i.appVersion ?? '-') ?? []), i]);
  for (const [version, list] of byVersion) {
    lines.push(`  app ${version}: ${list.filter((i) => !i.stale).length} live`);
    for (const i of list) {
      const age = `heartbeat ${Math.round(i.heartbeatAgeMs / 1000)} s ago`;
      lines.push(
        `    ${i.name} pid ${i.pid}  ${i.stale ? 'stale' : i.state}  ${age}  knows ${i.knows?.newest ?? '?'}  since ${i.startedAt}`,
      );
    }
  }
  return lines;
}

/** `migrate` for people: one line per migration, then the outcome. */
export function renderMigrate(r: MigrateReport): string {
  let out = '';
  for (const m of r.migrations) {
    const what = m.status === 'pending' ? 'would apply' : m.status;
    out += `${what.padEnd(11)} ${idOf(m)}  ${m.phase}, ${m.statements} statement${m.statements === 1 ? '' : 's'}, ${m.mode}${m.status === 'pending' ? '' : `, ${m.durationMs} ms`}\n`;
    if (m.error) out += `  ${m.source}:${m.error.line}: ${m.error.message}\n`;
  }
  if (r.problems.length > 0) out += `refused: ${r.problems.length} problem(s)\n${renderProblems(r.problems)}`;
  if (r.status === 'dry_run') out += `dry run: ${r.migrations.length} migration(s) would run; nothing was changed\n`;
  else if (r.status === 'up_to_date') out += `up to date at ${r.to ?? 'empty'}\n`;
  else if (r.status === 'migrated')
    out += `migrated from ${r.from ?? 'empty'} to ${r.to} (${r.migrations.length} migration${r.migrations.length === 1 ? '' : 's'}, ${r.durationMs} ms)\n`;
  else if (r.status === 'interrupted') {
    out += `interrupted at ${r.to ?? 'empty'}: ${r.migrations.length} applied, ${r.remaining?.length ?? 0} left for the next run\n`;
    for (const m of r.remaining ?? []) out += `  left       ${idOf(m)}\n`;
  }
  const held = r.heldBack ?? [];
  const contract = held.filter((h) => h.why === 'phase');
  if (contract.length > 0) {
    out += `held back ${contract.length} migration${contract.length === 1 ? '' : 's'} from the first contract one on (${contract.map((h) => `${idOf(h)} ${h.phase}`).join(', ')}): run \`molt migrate --phase all\` once every instance runs the new release\n`;
  }
  for (const h of held) if (h.waitsFor) out += `waiting    ${waitLine(idOf(h), h.waitsFor)}\n`;
  const behind = held.filter((h) => h.behind);
  if (behind.length > 0)
    out += `waiting    ${behind.map(idOf).join(', ')} (after ${behind[0].behind}, in version order)\n`;
  const target = held.filter((h) => h.why === 'target');
  if (target.length > 0) out += `held back ${target.length} migration(s) after --to\n`;
  return out;
}
