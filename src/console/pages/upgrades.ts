import type { CommonOptions } from '../../migrate/index.js';
import { readUpgrades } from '../../upgrade/read.js';
import { html, type Html } from '../html.js';
import { table, took, when } from '../layout.js';

type Entry = Awaited<ReturnType<typeof readUpgrades>>['recent'][number];

function journal(e: Entry, live: boolean): Html {
  return html`<section class="panel" aria-labelledby="u-${e.id}" id="upgrade-${e.id}" data-state="${e.state}">
    <h2 id="u-${e.id}">
      ${e.fromVersion ?? '?'} → ${e.toVersion}
      <span class="${e.state === 'succeeded' ? 'ok' : e.state === 'running' ? 'warn' : 'bad'}"
        >${e.state}${live ? ` at ${e.step ?? '?'}` : ''}</span
      >
    </h2>
    <p class="muted">
      ${e.runtime}, by ${e.owner}; started
      ${when(e.startedAt)}${e.endedAt
        ? html`, ended ${when(e.endedAt)}`
        : html`, last heard of ${took(e.updatedAgoMs)} ago`}.${e.error
        ? html` <span class="bad">${e.error}</span>`
        : ''}
    </p>
    ${table({
      label: 'Steps',
      tableLabel: `Steps of the upgrade to ${e.toVersion}`,
      columns: ['Step', 'Status', 'Started', 'Took', 'Detail'],
      rows: e.steps.map(
        (s) =>
          html`<tr data-step="${s.step}" data-status="${s.status}">
            <th scope="row">${s.step}</th>
            <td class="${s.status === 'done' ? 'ok' : s.status === 'failed' ? 'bad' : 'warn'}">${s.status}</td>
            <td>${when(s.startedAt)}</td>
            <td>${took(s.ms)}</td>
            <td>${s.detail ?? ''}</td>
          </tr>`,
      ),
    })}
  </section>`;
}

/** The Upgrades page: the upgrade in progress (live) and the last ones, step by step with timings. */
export async function upgradesPage(options: CommonOptions): Promise<Html> {
  const { active, recent } = await readUpgrades(options, 10);
  const past = recent.filter((e) => e.id !== active?.id);
  return html`<div id="upgrades-part" data-live-part>
    ${active ? journal(active, true) : html`<p id="no-active">No upgrade is running.</p>`}
    <h2>Earlier upgrades</h2>
    ${past.length ? past.map((e) => journal(e, false)) : html`<p>None recorded.</p>`}
  </div>`;
}
