import { listBackups } from '../../backup/list.js';
import { status, type CommonOptions } from '../../migrate/index.js';
import { rollbackVerdicts } from '../../releases/index.js';
import { html, type Html } from '../html.js';
import { when } from '../layout.js';

/** The Schema page: applied, pending and deferred migrations, live instances by release, rollback verdicts, backups. */
export async function schemaPage(options: CommonOptions): Promise<Html> {
  const report = await status(options);
  const [verdicts, backups] = await Promise.all([
    rollbackVerdicts(options).catch(() => []),
    listBackups(options).catch(() => ({ backups: [] })),
  ]);
  const live = report.instances.filter((i) => !i.stale);
  const byRelease = new Map<string, typeof live>();
  for (const i of live) byRelease.set(i.appVersion ?? '?', [...(byRelease.get(i.appVersion ?? '?') ?? []), i]);
  return html`<div id="schema-part" data-live-part>
    <p>
      Database <code>${report.database}</code> at
      <strong id="current">${report.current ?? 'nothing applied'}</strong> (${report.status}).
    </p>
    <h2 id="pending-h">Pending and deferred</h2>
    ${report.pending.length
      ? html`<div class="table" tabindex="0" role="region" aria-label="Pending migrations">
          <table aria-labelledby="pending-h">
            <thead>
              <tr>
                <th scope="col">Migration</th>
                <th scope="col">Phase</th>
                <th scope="col">Waits for</th>
              </tr>
            </thead>
            <tbody>
              ${report.pending.map(
                (m) =>
                  html`<tr id="pending-${m.version}" data-waiting="${m.waitsFor?.length ? 'yes' : 'no'}">
                    <th scope="row">${m.version}_${m.name}</th>
                    <td>${m.phase}</td>
                    <td>
                      ${m.waitsFor?.length
                        ? html`deferred:
                          ${m.waitsFor.map(
                            (w, i) =>
                              html`${i ? ', ' : ''}<code>${w.name}</code> pid ${w.pid} on ${w.appVersion ?? '?'}`,
                          )}`
                        : 'runs at the next migrate'}
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`
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
    ${verdicts.length
      ? html`<div class="table" tabindex="0" role="region" aria-label="Rollback verdicts">
          <table aria-labelledby="rollback-h">
            <thead>
              <tr>
                <th scope="col">Release</th>
                <th scope="col">Verdict</th>
                <th scope="col">What it means</th>
              </tr>
            </thead>
            <tbody>
              ${verdicts.map(
                (v) =>
                  html`<tr data-release="${v.appVersion}">
                    <th scope="row">${v.appVersion}</th>
                    <td
                      class="${v.verdict === 'image_rollback_safe'
                        ? 'ok'
                        : v.verdict === 'needs_restore'
                          ? 'bad'
                          : 'warn'}"
                    >
                      ${v.verdict.replace(/_/g, ' ')}
                    </td>
                    <td>${v.summary}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`
      : html`<p>No earlier release recorded.</p>`}
    <h2 id="applied-h">Applied</h2>
    <div class="table" tabindex="0" role="region" aria-label="Applied migrations">
      <table aria-labelledby="applied-h">
        <thead>
          <tr>
            <th scope="col">Migration</th>
            <th scope="col">Phase</th>
            <th scope="col">Applied</th>
            <th scope="col">By</th>
          </tr>
        </thead>
        <tbody>
          ${[...report.applied].reverse().map(
            (m) =>
              html`<tr id="applied-${m.version}">
                <th scope="row">${m.version}_${m.name}</th>
                <td>${m.phase}</td>
                <td>${when(m.appliedAt)}</td>
                <td>${m.appVersion ?? '—'} on ${m.host ?? '—'}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <h2 id="backups-h">Backups</h2>
    ${backups.backups.length
      ? html`<div class="table" tabindex="0" role="region" aria-label="Backups">
          <table aria-labelledby="backups-h">
            <thead>
              <tr>
                <th scope="col">Archive</th>
                <th scope="col">Taken</th>
                <th scope="col">Schema</th>
                <th scope="col">App</th>
              </tr>
            </thead>
            <tbody>
              ${backups.backups.map(
                (b) =>
                  html`<tr>
                    <th scope="row"><code>${b.file.split('/').pop()}</code></th>
                    <td>${when(b.createdAt)}</td>
                    <td>${b.schemaVersion ?? '—'}</td>
                    <td>${b.appVersion ?? '—'}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`
      : html`<p>No archive in the backup directory.</p>`}
  </div>`;
}
