import type { ReplaceReport } from '../supervisor/index.js';

/** A release staged for an upgrade, whatever runs it: where it is, what it is, and how it rolls. */
export interface StagedRelease {
  /** What the runtime starts it from: a release directory, or an image. */
  ref: string;
  version: string;
  commit: string | null;
  /** A local directory holding its migrations, for the plan and the expand step; null when it has none. */
  migrations: string | null;
  /** Its process types in roll order, with their instance counts. */
  processes: { name: string; instances: number }[];
  breaking: string[];
  readyTimeoutMs: number;
  soakMs: number;
}

/** One running instance as a runtime reports it. */
export interface RuntimeInstance {
  /** `web.1`. */
  name: string;
  type: string;
  slot: number;
  version: string;
  state: string;
  pid: number | null;
}

/** What runs the service: `molt run` on this host, or Docker Compose. The upgrade drives it through this. */
export interface UpgradeRuntime {
  readonly name: string;
  /** The release running now, and every instance. */
  current(): Promise<{ ref: string; version: string; instances: RuntimeInstance[] }>;
  /** Verifies and prepares a new release (a directory, a tarball with its sha256, an image). */
  stage(target: string, options: { sha256?: string }): Promise<StagedRelease>;
  /** A release staged before, by its ref (for `--resume` and `--rollback`). */
  load(ref: string): Promise<StagedRelease>;
  /** Replaces one slot with an instance of the release, start-first; the report says whether and why not. */
  replace(
    type: string,
    slot: number,
    release: StagedRelease,
    waits: { readyTimeoutMs: number; soakMs: number },
  ): Promise<ReplaceReport>;
  /** Drains one slot and removes it. */
  retire(type: string, slot: number): Promise<void>;
  /** Makes the release the one restarts use. */
  setCurrent(release: StagedRelease): Promise<void>;
  /** Runs the release's expand migrations where its image runs (Compose); without it, molt runs them itself. */
  expand?(release: StagedRelease): Promise<string[]>;
}
