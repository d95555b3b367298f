import type { FleetServer } from '../../fleet/index.js';
import type { AuditFilter } from '../../fleet/index.js';
import { html, type Html } from '../html.js';
import { table, when } from '../layout.js';

/** The audit filter a query string names. */
export function auditFilterOf(query: URLSearchParams): AuditFilter {
  const filter: AuditFilter = { limit: 500 };
  for (const key of ['action', 'agent', 'actor', 'since', 'until'] as const) {
    const value = query.get(key)?.trim();
    if (!value) continue;
    if ((key === 'since' || key === 'until') && Number.isNaN(Date.parse(value))) continue;
    filter[key] = value;
  }
  return filter;
}

/** The Audit page: filters, the rows newest first, and the JSON export of what the filters select. */
export async function auditPage(fleet: FleetServer | null, prefix: string, query: URLSearchParams): Promise<Html> {
  if (!fleet) return html`<p>This service runs no fleet, so there is no audit log to show.</p>`;
  const filter = auditFilterOf(query);
  const entries = (await fleet.store.readAudit(filter)).reverse();
  const field = (key: string, label: string, type = 'text'): Html =>
    html`<label for="f-${key}"
      >${label}<input id="f-${key}" name="${key}" type="${type}" value="${query.get(key) ?? ''}"
    /></label>`;
  return html`<form
      class="row panel"
      method="get"
      action="${prefix}/audit"
      role="search"
      aria-label="Filter the audit log"
    >
      ${field('action', 'Action')}${field('agent', 'Agent')}${field('actor', 'Actor')}${field(
        'since',
        'Since (ISO time)',
      )}${field('until', 'Until (ISO time)')}
      <button type="submit">Filter</button>
      <a href="${prefix}/audit.json?${query.toString()}" id="export" download="audit.json">Export as JSON</a>
    </form>
    <div id="audit-part" data-live-part>
      ${table({
        label: 'Audit log',
        tableLabel: 'Audit log',
        columns: ['When', 'Action', 'Actor', 'Agent', 'Detail'],
        rows: entries.map(
          (e) =>
            html`<tr data-action="${e.action}" data-actor="${e.actor}">
              <td>${when(e.at)}</td>
              <th scope="row">${e.action}</th>
              <td>${e.actor}</td>
              <td>${e.agentId ?? '—'}</td>
              <td><code>${detailText(e.detail)}</code></td>
            </tr>`,
        ),
      })}
    </div>`;
}

function detailText(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}
