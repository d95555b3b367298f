import type { FleetServer } from '../../fleet/index.js';
import { html, type Html } from '../html.js';
import { table, when } from '../layout.js';

/** A POST form with the session's token and one button. */
export function action(o: {
  prefix: string;
  csrf: string;
  name: string;
  fields?: Record<string, string>;
  label: string;
  id?: string;
  secondary?: boolean;
  aria?: string;
}): Html {
  return html`<form class="inline" method="post" action="${o.prefix}/actions/${o.name}">
    <input type="hidden" name="csrf" value="${o.csrf}" />${Object.entries(o.fields ?? {}).map(
      ([k, v]) => html`<input type="hidden" name="${k}" value="${v}" />`,
    )}<button
      type="submit"
      ${o.id ? html` id="${o.id}"` : ''}${o.secondary ? html` class="secondary"` : ''}${o.aria
        ? html` aria-label="${o.aria}"`
        : ''}
    >
      ${o.label}
    </button>
  </form>`;
}

/** The Agents page: the policy panel, the pending banner and the table of agents. */
export async function agentsPage(fleet: FleetServer | null, prefix: string, csrf: string): Promise<Html> {
  if (!fleet)
    return html`<p>
      This service runs no fleet: mount the console with the fleet (<code>createConsole({ fleet })</code>).
    </p>`;
  const [agents, state] = await Promise.all([fleet.agents(), fleet.store.state()]);
  const pending = agents.filter((a) => a.state === 'pending');
  const mode = (m: string): Html => html`<option value="${m}" ${state.mode === m ? html` selected` : ''}>${m}</option>`;
  return html` <section class="panel" aria-labelledby="policy-h">
      <h2 id="policy-h">Policy</h2>
      <p id="policy-status" data-live-part>
        Server version <strong id="server-version">${fleet.serverVersion}</strong>; agent build
        ${state.artifact
          ? html`<code>${state.artifact.version}</code> (sha256 <code>${state.artifact.sha256.slice(0, 12)}…</code>)`
          : html`<strong class="warn">not set</strong>`}.
        Mode <strong id="policy-mode">${state.mode}</strong>${state.mode === 'staged'
          ? html`, ${state.percent} % per batch, ${state.canaries} canaries first`
          : ''}.
        ${state.halted
          ? html`<strong class="bad" id="halted">Halted: ${state.haltReason ?? 'by an admin'}</strong>`
          : ''}
      </p>
      <form class="row" method="post" action="${prefix}/actions/policy" id="policy-form">
        <input type="hidden" name="csrf" value="${csrf}" />
        <label for="mode"
          >Mode<select id="mode" name="mode">
            ${['manual', 'auto', 'staged'].map(mode)}
          </select></label
        >
        <label for="percent"
          >Percent per batch<input id="percent" name="percent" type="number" min="1" max="100" value="${state.percent}"
        /></label>
        <label for="canaries"
          >Canaries<input id="canaries" name="canaries" type="number" min="0" max="100" value="${state.canaries}"
        /></label>
        <button type="submit" id="save-policy">Save policy</button>
      </form>
      <div class="row" id="policy-actions" data-live-part>
        ${action({ prefix, csrf, name: 'run', label: 'Run now', id: 'run-now' })}
        ${state.halted
          ? action({ prefix, csrf, name: 'resume', label: 'Resume', id: 'resume', secondary: true })
          : action({ prefix, csrf, name: 'halt', label: 'Halt', id: 'halt', secondary: true })}
        <span class="muted">Last evaluation: ${when(state.lastTick)}</span>
      </div>
    </section>
    <div id="pending-slot" data-live-part>
      ${pending.length
        ? html`<div class="banner" role="status" id="pending-banner">
            <strong>${pending.length} ${pending.length === 1 ? 'agent is' : 'agents are'} pending upgrade</strong>:
            ${pending.map((a, i) => html`${i ? ', ' : ''}<code>${a.id}</code> (${a.reason ?? 'offline'})`)}. An
            air-gapped agent is upgraded by hand: <code>molt agent install BUNDLE --dir DIR</code> on its host.
          </div>`
        : ''}
    </div>
    <div id="agents-part" data-live-part>
      <h2 id="agents-h">${agents.length} agents</h2>
      ${table({
        label: 'Agents table',
        headingId: 'agents-h',
        columns: ['Agent', 'Host', 'Version', 'Drift', 'State', 'Last seen', 'Last upgrade', 'Actions'],
        rows: agents.map(
          (a) =>
            html`<tr id="agent-${a.id}" data-version="${a.version ?? ''}" data-state="${a.state}">
              <th scope="row">
                ${a.id}${a.pinned
                  ? html` <span class="muted">(pinned${a.pinReason ? `: ${a.pinReason}` : ''})</span>`
                  : ''}
              </th>
              <td>${a.host ?? '—'}</td>
              <td class="version">${a.version ?? '—'}</td>
              <td>${a.drift ? 'drifted' : 'no'}</td>
              <td class="state-${a.state}">${a.state}${a.online ? '' : html` <span class="muted">(offline)</span>`}</td>
              <td>${when(a.lastSeen)}</td>
              <td>${a.reason ?? '—'}</td>
              <td>
                ${a.state === 'drifted' ||
                a.state === 'failed' ||
                a.state === 'rolled_back' ||
                a.state === 'unconfirmed'
                  ? action({
                      prefix,
                      csrf,
                      name: 'upgrade',
                      fields: { agent: a.id },
                      label: 'Upgrade',
                      id: `upgrade-${a.id}`,
                      aria: `Upgrade ${a.id}`,
                    })
                  : ''}
                ${action({
                  prefix,
                  csrf,
                  name: 'pin',
                  fields: { agent: a.id, pinned: a.pinned ? 'false' : 'true' },
                  label: a.pinned ? 'Unpin' : 'Pin',
                  id: `pin-${a.id}`,
                  secondary: true,
                  aria: `${a.pinned ? 'Unpin' : 'Pin'} ${a.id}`,
                })}
              </td>
            </tr>`,
        ),
      })}
    </div>`;
}
