export { upgrade, type UpgradeOptions } from './upgrade.js';
export { readUpgrades, type UpgradesView } from './read.js';
export { UpgradeJournal, inProgress, type JournalEntry, type JournalStart } from './journal.js';
export type { StagedRelease, RuntimeInstance, UpgradeRuntime } from './runtime.js';
export { supervisorRuntime } from './runtimes/supervisor.js';
export { rollTo, type RollOutcome } from './roll.js';
export { isTarball, stageTarball } from './stage.js';
export {
  STEPS,
  type StepName,
  type StepRecord,
  type UpgradeEvent,
  type UpgradeReport,
  type UpgradeState,
} from './types.js';
export { composeRuntime, type ComposeRuntimeOptions } from './runtimes/compose.js';
