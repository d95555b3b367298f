import { changePolicy, pinAgent, runAs, setHalted, type FleetServer } from '../fleet/index.js';
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
        const mode = form.get('mode');
        const percent = Number(form.get('percent'));
        const canaries = Number(form.get('canaries'));
        if (mode !== 'manual' && mode !== 'auto' && mode !== 'staged')
          return { status: 400, ok: false, message: `mode must be manual, auto or staged` };
        if (!Number.isInteger(percent) || percent < 1 || percent > 100)
          return { status: 400, ok: false, message: 'percent must be a whole number from 1 to 100' };
        if (!Number.isInteger(canaries) || canaries < 0 || canaries > 100)
          return { status: 400, ok: false, message: 'canaries must be a whole number from 0 to 100' };
        await changePolicy(fleet, { mode, percent, canaries }, admin);
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
