import { html, raw, type Html } from './html.js';

/** The console's pages, in the order of its navigation. */
export const PAGES = [
  { path: 'agents', title: 'Agents' },
  { path: 'upgrades', title: 'Upgrades' },
  { path: 'schema', title: 'Schema' },
  { path: 'audit', title: 'Audit' },
] as const;

/** A page's name. */
export type PageName = (typeof PAGES)[number]['path'];

/** The whole document around one page's live region. */
export function layout(o: {
  prefix: string;
  page: PageName | 'login';
  title: string;
  admin: string | null;
  csrf: string | null;
  body: Html;
  notice?: string | null;
}): Html {
  const nav = o.admin
    ? html`<nav aria-label="Console">
          <ul>
            ${PAGES.map(
              (p) =>
                html`<li>
                  <a href="${o.prefix}/${p.path}" ${raw(p.path === o.page ? ' aria-current="page"' : '')}>${p.title}</a>
                </li>`,
            )}
          </ul>
        </nav>
        <form class="inline" method="post" action="${o.prefix}/logout">
          <input type="hidden" name="csrf" value="${o.csrf}" /><button class="secondary" type="submit">
            Sign out ${o.admin}
          </button>
        </form>`
    : html``;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${o.title} · molt console</title>
        <link rel="stylesheet" href="${o.prefix}/assets/console.css" />
        <script type="module" src="${o.prefix}/assets/console.js"></script>
      </head>
      <body data-csrf="${o.csrf ?? ''}">
        <a class="skip" href="#main">Skip to the content</a>
        <header><span class="brand">molt console</span>${nav}</header>
        <main id="main">
          <h1>${o.title}</h1>
          <p id="notice" role="status" aria-live="polite">${o.notice ?? ''}</p>
          ${o.body}
        </main>
      </body>
    </html>`;
}

/** A time as people read it, in UTC, and how long ago. */
export function when(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const ms = now - Date.parse(iso);
  const ago =
    ms < 60_000
      ? `${Math.max(0, Math.round(ms / 1000))} s ago`
      : ms < 3_600_000
        ? `${Math.round(ms / 60_000)} min ago`
        : `${Math.round(ms / 3_600_000)} h ago`;
  return `${iso.replace('T', ' ').slice(0, 19)} UTC (${ago})`;
}

/** A duration in ms as people read it. */
export function took(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * A table under a heading, in a scrolling region the keyboard can reach (a phone's narrow screen scrolls it): the
 * column heads, and each row with its first cell as the row's header.
 */
export function table(o: {
  label: string;
  headingId?: string;
  tableLabel?: string;
  columns: string[];
  rows: Html[];
}): Html {
  const named = o.headingId ? html`aria-labelledby="${o.headingId}"` : html`aria-label="${o.tableLabel ?? o.label}"`;
  return html`<div class="table" tabindex="0" role="region" aria-label="${o.label}">
    <table ${named}>
      <thead>
        <tr>
          ${o.columns.map((c) => html`<th scope="col">${c}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${o.rows}
      </tbody>
    </table>
  </div>`;
}
