// What the fuzzers share: a seeded generator, the documented exit codes, and the shape of a finding.

/** A seeded source of numbers in [0, 1). */
export type Random = () => number;

/** The fault suite's seeded generator (mulberry32), shared so one seed means the same thing everywhere. */
export { randomFrom as seeded } from './faults-trial.js';

/** One element of `items`, chosen by `random`. */
export const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** The exit codes the README documents; anything else (1, a signal, a hang) is a finding. */
export const DOCUMENTED_EXITS: ReadonlySet<number> = new Set([0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 130]);

/** Something a fuzz case found wrong: an undocumented exit, a history that disagrees, a secret shown, a write outside. */
export interface FuzzFinding {
  kind: 'exit' | 'history' | 'secret' | 'outside';
  id: string;
  detail: string;
  /** Where the case's files are, to reproduce it. */
  dir?: string;
}
