import { changePolicy, pinAgent, policyPatch, runAs, setHalted, type FleetServer } from '../fleet/index.js';
import { messageOf } from '../errors.js';

/** What an action did, for the page's status line. */
export interface ActionOutcome {
  status: number;
  ok: boolean;
  message: string;
}

/**
 * Runs one console action as `admin` through the fleet's library calls, the same the JSON API makes, so the audit
 * records the admin: policy, run, halt, resume, upgrade, pin.
 */
export async function runAction(
  fleet: FleetServer | null,
  name: string,
  form: URLSearchParams,
  admin: string,
): Promise<ActionOutcome> {
  if (!fleet) return { status: 404, ok: false, message: 'this service runs no fleet' };
  try {
    switch (name) {
      case 'policy': {
        // The API's own check: the same fields, ranges and messages (a number field left empty is 0, and refused).
        const patch = policyPatch({
          mode: form.get('mode'),
          percent: Number(form.get('percent')),
          canaries: Number(form.get('canaries')),
        });
        const { mode, percent, canaries } = await changePolicy(fleet, patch, admin);
        return {
          status: 200,
          ok: true,
          message: `Policy: ${mode}${mode === 'staged' ? `, ${percent} % per batch, ${canaries} canaries` : ''}.`,
        };
      }
      case 'run': {
        const tick = await runAs(fleet, admin);
        return {
          status: 200,
          ok: true,
          message: tick.halted ? `Halted: ${tick.halted}` : `Evaluated: ${tick.dispatched.length} upgrades sent.`,
        };
      }
      case 'halt':
      case 'resume': {
        await setHalted(fleet, name === 'halt', admin);
        return {
          status: 200,
          ok: true,
          message: name === 'halt' ? 'Halted: nothing more is sent until you resume.' : 'Resumed.',
        };
      }
      case 'upgrade': {
        const agent = form.get('agent') ?? '';
        const dispatch = await fleet.upgradeAgent(agent, admin);
        return { status: 200, ok: true, message: `Upgrade of ${agent} to ${dispatch.toVersion} sent.` };
      }
      case 'pin': {
        const agent = form.get('agent') ?? '';
        const pinned = form.get('pinned') === 'true';
        const found = await pinAgent(fleet, agent, pinned, null, admin);
        return found
          ? { status: 200, ok: true, message: `${agent} ${pinned ? 'pinned' : 'unpinned'}.` }
          : { status: 404, ok: false, message: `no agent ${agent}` };
      }
      default:
        return { status: 404, ok: false, message: `no console action ${name}` };
    }
  } catch (error) {
    const status = (error as { status?: number }).status ?? 500;
    return { status, ok: false, message: messageOf(error) };
  }
}
