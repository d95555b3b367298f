import type { Timings } from './options.js';

/**
 * Samples event-loop lag as the lateness of a repeating timer. Liveness fails once `lagSamples`
 * samples in a row are at or above the threshold, and passes again after one good sample: a loop
 * that is blocked most of the time is wedged even if it answers now and then.
 */
export class LagWatchdog {
  readonly #timings: Timings;
  #timer: NodeJS.Timeout | null = null;
  #expected = 0;
  #bad = 0;
  #lastLagMs = 0;

  constructor(timings: Timings) {
    this.#timings = timings;
  }

  /** Starts sampling; the timer never keeps the process alive. */
  start(): void {
    const interval = this.#timings.lagIntervalMs;
    this.#expected = performance.now() + interval;
    this.#timer = setInterval(() => {
      const now = performance.now();
      this.#lastLagMs = Math.max(0, Math.round(now - this.#expected));
      this.#expected = now + interval;
      this.#bad = this.#lastLagMs >= this.#timings.lagThresholdMs ? this.#bad + 1 : 0;
    }, interval);
    this.#timer.unref();
  }

  /** Why liveness fails, or null while the loop keeps up. */
  get failure(): string | null {
    const t = this.#timings;
    if (this.#bad < t.lagSamples) return null;
    return `Event loop lag at or above ${t.lagThresholdMs} ms for ${this.#bad} samples in a row (last ${this.#lastLagMs} ms)`;
  }

  /** Stops sampling. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}
