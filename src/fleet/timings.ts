/** Timings of the fleet; the defaults are operations.md §4D's. */
export interface FleetTimings {
  /** The evaluator's period (default 60 s). */
  tickMs: number;
  /** How long an agent has to answer an upgrade (default 60 s). */
  ackWithinMs: number;
  /** How long an upgrade has to be confirmed by a hello on the new version (default 15 min). */
  confirmWithinMs: number;
  /** How often queued upgrades are looked for, for agents this replica holds (default 250 ms). */
  deliverEveryMs: number;
  /** How often this replica says its agents are still connected (default 15 s); offline after 3 missed. */
  touchEveryMs: number;
}

/** The defaults of operations.md §4D. */
export const DEFAULT_TIMINGS: FleetTimings = {
  tickMs: 60_000,
  ackWithinMs: 60_000,
  confirmWithinMs: 15 * 60_000,
  deliverEveryMs: 250,
  touchEveryMs: 15_000,
};
