import { join, resolve } from 'node:path';
import {
  controlClient,
  readRelease,
  CONTROL_SOCKET,
  type ControlClient,
  type Release,
} from '../../supervisor/index.js';
import type { StagedRelease, UpgradeRuntime } from '../runtime.js';
import { isTarball, stageTarball } from '../stage.js';

/**
 * The upgrade runtime for `molt run`: it talks to the supervisor on the control socket in its state directory, and
 * stages tarballs under `releases/` there.
 */
export function supervisorRuntime(stateDir: string): UpgradeRuntime {
  const state = resolve(stateDir);
  const control: ControlClient = controlClient(join(state, CONTROL_SOCKET));
  const staged = (release: Release): StagedRelease => ({
    ref: release.dir,
    version: release.version,
    commit: release.commit,
    migrations: release.migrations,
    processes: release.processes.map((p) => ({ name: p.name, instances: p.instances })),
    breaking: release.breaking,
    readyTimeoutMs: release.readyTimeoutMs,
    soakMs: release.soakMs,
  });
  return {
    name: 'supervisor',
    async current() {
      const status = await control.status();
      return {
        ref: status.current.dir,
        version: status.current.version,
        instances: status.instances.map((i) => ({
          name: i.name,
          type: i.type,
          slot: i.slot,
          version: i.version,
          state: i.state,
          pid: i.pid,
        })),
      };
    },
    async stage(target, { sha256 }) {
      const dir = isTarball(target) ? await stageTarball(resolve(target), sha256, join(state, 'releases')) : target;
      return staged(readRelease(dir));
    },
    load: async (ref) => staged(readRelease(ref)),
    replace: (type, slot, release, waits) => control.replace(type, slot, release.ref, waits),
    retire: (type, slot) => control.retire(type, slot),
    setCurrent: (release) => control.setCurrent(release.ref),
  };
}
