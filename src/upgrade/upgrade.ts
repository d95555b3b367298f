import { hostname } from 'node:os';
import { messageOf, MoltError } from '../errors.js';
import { openContext, withLock, withSession, type CommonOptions } from '../migrate/internal.js';
import type { Outcome } from '../outcome.js';
import type { ReplaceReport } from '../supervisor/index.js';
import { UpgradeJournal, inProgress, ownerHere, type JournalEntry } from './journal.js';
import { rollTo, type RollOutcome } from './roll.js';
import type { StagedRelease, UpgradeRuntime } from './runtime.js';
import { backupStep, contractStep, expandStep, preflightStep, validateStep } from './steps.js';
import type { StepName, StepRecord, UpgradeEvent, UpgradeReport, UpgradeState } from './types.js';

/** Options of `upgrade`: the database as every molt call takes it, the runtime, the target and the waits. */
export interface UpgradeOptions extends CommonOptions {
  runtime: UpgradeRuntime;
  /** The new release: a directory, a tarball (with `sha256`), an image. Not with `resume` or `rollback`. */
  to?: string;
  sha256?: string;
  /** Finish the interrupted upgrade the journal holds. */
  resume?: boolean;
  /** Return every instance of the interrupted upgrade to the old release. */
  rollback?: boolean;
  /** Skip the backup step (the report says so). */
  skipBackup?: boolean;
  /** The release lists breaking changes and the operator has read them. */
  acceptBreaking?: boolean;
  /** A shell command that must exit 0 once every instance runs the new release. */
  smoke?: string;
  readyTimeoutMs?: number;
  soakMs?: number;
  /** How long the contract step waits for the old instances to be gone; default 120 s. */
  contractWaitMs?: number;
  onEvent?: (event: UpgradeEvent) => void;
}

/** An orchestrator that wrote to the journal this recently may still be alive elsewhere. */
const ALIVE_MS = 20_000;
const HEARTBEAT_MS = 5_000;

/**
 * Upgrades the running service to a new release as a journalled state machine: stage, preflight (plan), backup,
 * expand, roll one instance at a time, validate, contract, record. A failure before the roll touches nothing; a
 * failure during it returns the replaced instances to the old release, on the expand schema the old release accepts.
 * @example
 * const { report, error } = await upgrade({ runtime: supervisorRuntime('./state'), to: './releases/2.0.0' });
 */
export async function upgrade(options: UpgradeOptions): Promise<Outcome<UpgradeReport>> {
  const ctx = await openContext(options, false);
  return withSession(ctx, async (session, history) => {
    if (!(await history.isCurrent())) await withLock(ctx, session, history, async () => undefined);
    const journal = new UpgradeJournal(session, ctx.driver.sql, history.tables);
    const run = new UpgradeRun(options, journal);
    return run.go();
  });
}

class UpgradeRun {
  readonly #o: UpgradeOptions;
  readonly #journal: UpgradeJournal;
  readonly #started = Date.now();
  #steps: StepRecord[] = [];
  #entry!: JournalEntry;
  #target!: StagedRelease;
  #previous: StagedRelease | null = null;
  #replaced: ReplaceReport[] = [];
  readonly #report: UpgradeReport;

  constructor(options: UpgradeOptions, journal: UpgradeJournal) {
    this.#o = options;
    this.#journal = journal;
    this.#report = {
      id: null,
      status: 'running',
      runtime: options.runtime.name,
      from: null,
      to: '',
      target: options.to ?? '',
      backup: null,
      migrations: { expand: [], contract: [] },
      contractAt: null,
      steps: this.#steps,
      instances: this.#replaced,
      durationMs: 0,
      reason: null,
    };
  }

  async go(): Promise<Outcome<UpgradeReport>> {
    const { runtime } = this.#o;
    if (this.#o.resume || this.#o.rollback) {
      await this.#adopt();
    } else {
      if (!this.#o.to)
        throw new MoltError('USAGE', 'name the release to upgrade to', { hint: 'molt upgrade --to ./releases/2.0.0' });
      const holder = await this.#journal.active();
      if (holder) throw inProgress(holder);
      const current = await runtime.current();
      const stageStart = this.#begin('stage');
      this.#target = await runtime.stage(this.#o.to, { sha256: this.#o.sha256 });
      this.#entry = await this.#journal.begin({
        runtime: runtime.name,
        fromVersion: current.version,
        toVersion: this.#target.version,
        target: this.#target.ref,
        previous: current.ref,
      });
      this.#previous = await runtime.load(current.ref);
      await this.#end(stageStart, `${this.#target.version} from ${this.#target.ref}`);
    }
    Object.assign(this.#report, {
      id: this.#entry.id,
      from: this.#entry.fromVersion,
      to: this.#target.version,
      target: this.#target.ref,
    });
    const beat = setInterval(
      () => void this.#journal.record(this.#entry.id, this.#entry.step ?? 'stage', this.#steps).catch(() => undefined),
      HEARTBEAT_MS,
    );
    try {
      return this.#o.rollback ? await this.#rollBack() : await this.#forward();
    } finally {
      clearInterval(beat);
    }
  }

  /** Takes over the upgrade the journal holds, unless its orchestrator may still be alive. */
  async #adopt(): Promise<void> {
    const entry = await this.#journal.active();
    const verb = this.#o.resume ? '--resume' : '--rollback';
    if (!entry)
      throw new MoltError('USAGE', `molt upgrade ${verb}: no upgrade is in progress or interrupted`, {
        hint: 'molt status shows the last upgrades',
      });
    const [host, , pid] = entry.owner.split(' ');
    const here = host === hostname();
    const alive = here ? pidAlive(Number(pid)) : entry.updatedAgoMs < ALIVE_MS;
    if (alive && entry.owner !== ownerHere()) {
      throw new MoltError(
        'UPGRADE_IN_PROGRESS',
        `upgrade ${entry.id} is still being run by ${entry.owner} (step ${entry.step})`,
        {
          hint: here
            ? `Wait for it, or stop that process first (kill ${pid})`
            : 'Wait for it; an orchestrator that died goes quiet within 20 s',
        },
      );
    }
    await this.#journal.adopt(entry);
    this.#entry = entry;
    this.#steps.push(...entry.steps);
    this.#target = await this.#o.runtime.load(entry.target);
    this.#previous = entry.previous ? await this.#o.runtime.load(entry.previous) : null;
    this.#note(
      `${verb}: upgrade ${entry.id} from ${entry.fromVersion} to ${entry.toVersion}, interrupted at step ${entry.step} (${entry.owner})`,
    );
  }

  async #forward(): Promise<Outcome<UpgradeReport>> {
    const o = this.#o;
    const db = dbOptions(o);
    try {
      await this.#once('preflight', () => preflightStep(db, this.#target, o.acceptBreaking === true));
      await this.#once('backup', async () => {
        if (o.skipBackup) return { skipped: true, detail: 'skipped (--skip-backup)' };
        const file = await backupStep(db);
        this.#report.backup = file;
        return { detail: file };
      });
      await this.#once('expand', async () => {
        const applied = await expandStep(db, this.#target, o.runtime);
        this.#report.migrations.expand = applied;
        return { detail: applied.length ? `applied ${applied.join(', ')}` : 'nothing to apply' };
      });
    } catch (error) {
      // Nothing was restarted: every instance still serves the old release.
      return this.#stop('aborted', error);
    }
    const waits = {
      readyTimeoutMs: o.readyTimeoutMs ?? this.#target.readyTimeoutMs,
      soakMs: o.soakMs ?? this.#target.soakMs,
    };
    const roll = await this.#rollStep('roll', this.#target, waits);
    if (roll.failed) return this.#abortRoll(roll, waits);
    try {
      await this.#once('validate', () => validateStep(db, o.runtime, this.#target, o.smoke));
    } catch (error) {
      return this.#abortRoll({ failed: null, reason: messageOf(error) }, waits);
    }
    try {
      await this.#once('contract', async () => {
        const result = await contractStep(db, this.#target, o.contractWaitMs ?? 120_000);
        this.#report.migrations.contract = result.applied;
        this.#report.contractAt = result.at;
        return { detail: result.detail };
      });
    } catch (error) {
      return this.#stop('aborted', error);
    }
    await this.#once('record', async () => ({
      detail: `${this.#entry.fromVersion} -> ${this.#target.version} in ${((Date.now() - this.#started) / 1000).toFixed(1)} s`,
    }));
    return this.#stop('succeeded', null);
  }

  /** Returns every instance on the target to the old release (the roll failed, or `--rollback`). */
  async #rollBack(): Promise<Outcome<UpgradeReport>> {
    const contract = this.#steps.find((s) => s.step === 'contract' && s.status === 'done');
    if (contract && contract.detail && !/^nothing/.test(contract.detail)) {
      return this.#stop(
        'aborted',
        new MoltError(
          'UPGRADE_ABORTED',
          `the contract migrations of ${this.#target.version} have run (${contract.detail}): the old release cannot start on this schema`,
          {
            hint: `molt rollback --to ${this.#entry.fromVersion} names the archive to restore`,
          },
        ),
      );
    }
    if (!this.#previous)
      return this.#stop(
        'aborted',
        new MoltError('UPGRADE_ABORTED', 'the journal does not say which release to go back to'),
      );
    const back = await this.#rollStep('rollback', this.#previous, {
      readyTimeoutMs: this.#previous.readyTimeoutMs,
      soakMs: this.#previous.soakMs,
    });
    if (back.failed)
      return this.#stop(
        'aborted',
        new MoltError('UPGRADE_ABORTED', `the rollback stopped at ${back.failed}: ${back.reason}`),
      );
    return this.#stop('rolled_back', null);
  }

  /** The roll failed at an instance: the replaced ones go back, and the upgrade ends aborted, naming it. */
  async #abortRoll(
    roll: RollOutcome,
    waits: { readyTimeoutMs: number; soakMs: number },
  ): Promise<Outcome<UpgradeReport>> {
    const why = roll.failed ? `aborted at ${roll.failed}: ${roll.reason}` : `validation failed: ${roll.reason}`;
    this.#note(`${why}; returning the replaced instances to ${this.#previous?.version}`);
    const back = this.#previous
      ? await this.#rollStep('rollback', this.#previous, { ...waits, readyTimeoutMs: this.#previous.readyTimeoutMs })
      : null;
    const tail = back?.failed
      ? `; the rollback itself stopped at ${back.failed}: ${back.reason}`
      : `; every instance is back on ${this.#previous?.version}, the database stays on the expand schema it accepts`;
    return this.#stop(
      'aborted',
      new MoltError('UPGRADE_ABORTED', `${why}${tail}`, {
        hint: 'Fix the release and run molt upgrade again; molt status shows the journal',
      }),
    );
  }

  async #rollStep(
    name: 'roll' | 'rollback',
    release: StagedRelease,
    waits: { readyTimeoutMs: number; soakMs: number },
  ): Promise<RollOutcome> {
    const record = this.#begin(name);
    await this.#save(name);
    let done = 0;
    const outcome = await rollTo(this.#o.runtime, release, waits, (report) => {
      this.#replaced.push(report);
      // The journal says how far the roll is, for molt status and the console, one instance at a time.
      if (report.status !== 'failed') done++;
      record.detail = `${report.instance} ${report.status} on ${report.to} (${done} so far)`;
      this.#o.onEvent?.({ type: 'instance', step: name, report });
      void this.#save(name);
    });
    if (outcome.failed) {
      record.status = 'failed';
      record.detail = `${outcome.failed}: ${outcome.reason}`;
      record.ms = Date.now() - Date.parse(record.startedAt);
      this.#o.onEvent?.({ type: 'step', record });
      await this.#save(name);
      return outcome;
    }
    await this.#end(record, outcome.detail ?? null);
    return outcome;
  }

  /** Runs a step unless the journal says it is done (a resumed upgrade). */
  async #once(name: StepName, work: () => Promise<{ detail: string; skipped?: boolean }>): Promise<void> {
    if (this.#steps.some((s) => s.step === name && (s.status === 'done' || s.status === 'skipped'))) return;
    const record = this.#begin(name);
    await this.#save(name);
    try {
      const { detail, skipped } = await work();
      if (skipped) record.status = 'skipped';
      await this.#end(record, detail);
    } catch (error) {
      record.status = 'failed';
      record.detail = messageOf(error);
      record.ms = Date.now() - Date.parse(record.startedAt);
      this.#o.onEvent?.({ type: 'step', record });
      await this.#save(name);
      throw error;
    }
  }

  #begin(step: StepName): StepRecord {
    const record: StepRecord = { step, status: 'running', startedAt: new Date().toISOString(), ms: null, detail: null };
    this.#steps.push(record);
    this.#o.onEvent?.({ type: 'step', record: { ...record } });
    return record;
  }

  async #end(record: StepRecord, detail: string | null): Promise<void> {
    if (record.status === 'running') record.status = 'done';
    record.ms = Date.now() - Date.parse(record.startedAt);
    record.detail = detail;
    this.#o.onEvent?.({ type: 'step', record: { ...record } });
    if (this.#entry) await this.#save(record.step);
  }

  async #save(step: string): Promise<void> {
    this.#entry.step = step;
    await this.#journal.record(this.#entry.id, step, this.#steps);
  }

  #note(message: string): void {
    this.#o.onEvent?.({ type: 'note', message });
  }

  async #stop(state: UpgradeState, error: unknown): Promise<Outcome<UpgradeReport>> {
    this.#report.status = state;
    this.#report.durationMs = Date.now() - this.#started;
    const failure = error === null ? undefined : toError(error);
    this.#report.reason = failure?.message ?? null;
    if (state === 'succeeded' || state === 'rolled_back')
      await this.#o.runtime.setCurrent(state === 'succeeded' ? this.#target : this.#previous!);
    await this.#journal.finish(this.#entry.id, state, this.#report.reason, this.#report);
    return failure ? { report: this.#report, error: failure } : { report: this.#report };
  }
}

function toError(error: unknown): MoltError {
  if (error instanceof MoltError && error.code === 'UPGRADE_ABORTED') return error;
  return new MoltError('UPGRADE_ABORTED', `upgrade stopped: ${messageOf(error)}`, {
    cause: error,
    hint: error instanceof MoltError ? error.hint : undefined,
    details: error instanceof MoltError ? { cause: error.code } : {},
  });
}

// The upgrade's own options, kept apart from the database ones it passes on. The type makes the list whole: an option
// added to UpgradeOptions and not here fails to compile, instead of reaching openRuntime as an unknown setting.
const OWN: Record<Exclude<keyof UpgradeOptions, keyof CommonOptions>, true> = {
  runtime: true,
  to: true,
  sha256: true,
  resume: true,
  rollback: true,
  skipBackup: true,
  acceptBreaking: true,
  smoke: true,
  readyTimeoutMs: true,
  soakMs: true,
  contractWaitMs: true,
  onEvent: true,
};

function dbOptions(o: UpgradeOptions): CommonOptions {
  return Object.fromEntries(Object.entries(o).filter(([key]) => !(key in OWN))) as CommonOptions;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
