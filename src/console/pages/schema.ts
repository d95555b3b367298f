import { listBackups } from '../../backup/list.js';
import { status, type CommonOptions } from '../../migrate/index.js';
import { rollbackVerdicts } from '../../releases/index.js';
import { html, type Html } from '../html.js';
import { table, when } from '../layout.js';

const verdictClass = (v: string): string =>
  v === 'image_rollback_safe' ? 'ok' : v === 'needs_restore' ? 'bad' : 'warn';

/** The Schema page: applied, pending and deferred migrations, live instances by release, rollback verdicts, backups. */
export async function schemaPage(options: CommonOptions, prefix: string): Promise<Html> {
  const report = await status(options);
  const [verdicts, backups] = await Promise.all([
    rollbackVerdicts(options).catch(() => []),
    listBackups(options).catch(() => ({ backups: [] })),
  ]);
  const live = report.instances.filter((i) => !i.stale);
  const byRelease = new Map<string, typeof live>();
  for (const i of live) byRelease.set(i.appVersion ?? '?', [...(byRelease.get(i.appVersion ?? '?') ?? []), i]);
  const pending = report.pending.map(
    (m) =>
      html`<tr id="pending-${m.version}" data-waiting="${m.waitsFor?.length ? 'yes' : 'no'}">
        <th scope="row">${m.version}_${m.name}</th>
        <td>${m.phase}</td>
        <td>
          ${m.waitsFor?.length
            ? html`deferred:
              ${m.waitsFor.map(
                (w, i) => html`${i ? ', ' : ''}<code>${w.name}</code> pid ${w.pid} on ${w.appVersion ?? '?'}`,
              )}`
            : 'runs at the next migrate'}
        </td>
      </tr>`,
  );
  const rollbacks = verdicts.map(
    (v) =>
      html`<tr data-release="${v.appVersion}">
        <th scope="row">${v.appVersion}</th>
        <td class="${verdictClass(v.verdict)}">${v.verdict.replace(/_/g, ' ')}</td>
        <td>${v.summary}</td>
      </tr>`,
  );
  const applied = [...report.applied].reverse().map(
    (m) =>
      html`<tr id="applied-${m.version}">
        <th scope="row">${m.version}_${m.name}</th>
        <td>${m.phase}</td>
        <td>${when(m.appliedAt)}</td>
        <td>${m.appVersion ?? '—'} on ${m.host ?? '—'}</td>
      </tr>`,
  );
  const archives = backups.backups.map(
    (b) =>
      html`<tr>
        <th scope="row"><code>${b.file.split('/').pop()}</code></th>
        <td>${when(b.createdAt)}</td>
        <td>${b.schemaVersion ?? '—'}</td>
        <td>${b.appVersion ?? '—'}</td>
      </tr>`,
  );
  return html`<div id="schema-part" data-live-part>
    <p>
      Database <code>${report.database}</code> at
      <strong id="current">${report.current ?? 'nothing applied'}</strong> (${report.status}).
    </p>
    <h2 id="pending-h">Plan: what runs before and after the roll</h2>
    <p><a id="check-plan" href="${prefix}/plan">Check whether this release is rolling-safe</a> (runs lint once).</p>
    ${pending.length
      ? table({
          label: 'Pending migrations',
          headingId: 'pending-h',
          columns: ['Migration', 'Phase', 'Waits for'],
          rows: pending,
        })
      : html`<p id="none-pending">Nothing pending.</p>`}
    <h2 id="live-h">Live instances</h2>
    ${byRelease.size
      ? html`<ul aria-labelledby="live-h">
          ${[...byRelease].map(
            ([version, list]) =>
              html`<li data-release="${version}">
                <strong>${version}</strong>: ${list.length}
                (${list.map((i, n) => html`${n ? ', ' : ''}${i.name} pid ${i.pid} ${i.state}`)})
              </li>`,
          )}
        </ul>`
      : html`<p>No live instance registered.</p>`}
    <h2 id="rollback-h">Rolling back</h2>
    ${rollbacks.length
      ? table({
          label: 'Rollback verdicts',
          headingId: 'rollback-h',
          columns: ['Release', 'Verdict', 'What it means'],
          rows: rollbacks,
        })
      : html`<p>No earlier release recorded.</p>`}
    <h2 id="applied-h">Applied</h2>
    ${table({
      label: 'Applied migrations',
      headingId: 'applied-h',
      columns: ['Migration', 'Phase', 'Applied', 'By'],
      rows: applied,
    })}
    <h2 id="backups-h">Backups</h2>
    ${archives.length
      ? table({
          label: 'Backups',
          headingId: 'backups-h',
          columns: ['Archive', 'Taken', 'Schema', 'App'],
          rows: archives,
        })
      : html`<p>No archive in the backup directory.</p>`}
  </div>`;
}
