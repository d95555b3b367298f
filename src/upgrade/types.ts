import type { ReplaceReport } from '../supervisor/index.js';

/** Where an upgrade is: running (or its orchestrator died while it ran), or ended one way or another. */
export type UpgradeState = 'running' | 'succeeded' | 'aborted' | 'rolled_back' | 'refused';

/** The steps of an upgrade, in order. */
export const STEPS = ['stage', 'preflight', 'backup', 'expand', 'roll', 'validate', 'contract', 'record'] as const;

/** One step of an upgrade. */
export type StepName = (typeof STEPS)[number] | 'rollback';

/** How one step went, as the journal and the report keep it. */
export interface StepRecord {
  step: StepName;
  status: 'running' | 'done' | 'skipped' | 'failed';
  startedAt: string;
  ms: number | null;
  /** One line for people: `0004_add_note_stats applied`, `web.1 2.0.0 ready in 1.2 s`. */
  detail: string | null;
}

/** A progress event: a step starting or ending, or one instance replaced. */
export type UpgradeEvent =
  | { type: 'step'; record: StepRecord }
  | { type: 'instance'; step: 'roll' | 'rollback'; report: ReplaceReport }
  | { type: 'note'; message: string };

/** What `upgrade` did. */
export interface UpgradeReport {
  id: string | null;
  status: UpgradeState;
  runtime: string;
  from: string | null;
  to: string;
  target: string;
  /** The archive the backup step wrote, or null when it was skipped. */
  backup: string | null;
  migrations: { expand: string[]; contract: string[] };
  /** When the contract migrations ran, or null when none ran (none pending, or they still wait). */
  contractAt: string | null;
  steps: StepRecord[];
  instances: ReplaceReport[];
  durationMs: number;
  /** Why it stopped, when it did not succeed. */
  reason: string | null;
}
