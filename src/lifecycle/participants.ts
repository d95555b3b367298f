import { messageOf } from '../errors.js';
import type { DrainParticipant, StepReport } from './types.js';

/** One participant's drain, started at once and watched until it settles. */
export class ParticipantRun {
  readonly report: StepReport;
  /** Resolves when the participant's drain settles, whichever way. */
  readonly done: Promise<void>;
  #settled = false;
  readonly #started = Date.now();

  constructor(participant: DrainParticipant, signal: AbortSignal, changed: () => void) {
    this.report = { name: participant.name, status: 'ok', ms: 0 };
    // `then` also turns a synchronous throw into a rejection, so one broken participant cannot stop the drain.
    this.done = Promise.resolve()
      .then(() => participant.drain(signal))
      .then(
        () => this.#settle(),
        (error: unknown) => this.#settle(error),
      )
      .finally(changed);
  }

  /** True once the participant's drain resolved or rejected. */
  get settled(): boolean {
    return this.#settled;
  }

  /** The grace deadline passed with the participant still running: it is forced, whatever it does next. */
  timedOut(): void {
    if (this.#settled) return;
    this.report.status = 'timeout';
    this.report.ms = Date.now() - this.#started;
  }

  #settle(error?: unknown): void {
    this.#settled = true;
    if (this.report.status === 'timeout') return;
    this.report.ms = Date.now() - this.#started;
    if (error !== undefined) {
      this.report.status = 'failed';
      this.report.error = messageOf(error);
    }
  }
}
