import { MoltError } from '../../errors.js';
import type { CommonOptions } from '../../migrate/index.js';
import { plan, type PlanItem } from '../../releases/index.js';
import { html, type Html } from '../html.js';
import { table } from '../layout.js';

function items(list: PlanItem[], id: string, label: string): Html {
  if (list.length === 0) return html`<p id="${id}-none">Nothing.</p>`;
  return table({
    label,
    headingId: `${id}-h`,
    columns: ['Migration', 'Phase', 'Statements', 'Waits for', 'Lint'],
    rows: list.map(
      (m) =>
        html`<tr id="plan-${m.version}" data-runs="${m.runs}" data-waits="${m.waitsFor.length}">
          <th scope="row">${m.version}_${m.name}</th>
          <td>${m.phase}</td>
          <td>${m.statements}</td>
          <td>${m.waitsFor.length ? m.waitsFor.map((w, i) => html`${i ? ', ' : ''}<code>${w.name}</code>`) : '—'}</td>
          <td>
            ${m.findings.length
              ? html`<ul>
                  ${m.findings.map(
                    (f) =>
                      html`<li class="${f.severity === 'error' ? 'bad' : 'warn'}">
                        <code>${f.code}</code> line ${f.line}: ${f.message}
                      </li>`,
                  )}
                </ul>`
              : 'clean'}
          </td>
        </tr>`,
    ),
  });
}

/**
 * The Plan page: `molt plan` for the console's release, lint included, so it is read once on request and never
 * refreshed live (lint loads the SQL parsers and reads every file).
 */
export async function planPage(options: CommonOptions, prefix: string): Promise<Html> {
  let outcome: Awaited<ReturnType<typeof plan>>;
  try {
    outcome = await plan(options);
  } catch (error) {
    if (!(error instanceof MoltError)) throw error;
    return html`<p id="plan-error" class="bad">${error.message}</p>
      <p>${error.hint ?? ''}</p>
      <p><a href="${prefix}/schema">Back to the schema</a></p>`;
  }
  const r = outcome.report;
  return html`<p>
      The release in <code>${r.release.dir}</code> (${r.release.appVersion ?? 'version unknown'}, newest migration
      ${r.release.newest ?? '—'}) against <code>${r.database}</code> at ${r.current ?? 'nothing applied'}:
      <strong id="plan-status" class="${r.rollingSafe ? 'ok' : 'bad'}"
        >${r.rollingSafe ? 'rolling-safe' : 'not rolling-safe'}</strong
      >.
    </p>
    ${r.unsafe.length
      ? html`<h2 id="unsafe-h">Why it is not rolling-safe</h2>
          <ul id="unsafe" aria-labelledby="unsafe-h">
            ${r.unsafe.map((u) => html`<li>${u.message}</li>`)}
          </ul>`
      : ''}
    ${r.lintError ? html`<p id="lint-error" class="warn">Lint could not read the files: ${r.lintError}</p>` : ''}
    <h2 id="before-h">Before the roll (while the old release serves)</h2>
    ${items(r.beforeRoll, 'before', 'Migrations before the roll')}
    <h2 id="after-h">After the roll (once the old release is gone)</h2>
    ${items(r.afterRoll, 'after', 'Migrations after the roll')}
    <p><a href="${prefix}/plan">Check again</a> · <a href="${prefix}/schema">Back to the schema</a></p>`;
}
