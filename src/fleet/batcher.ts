/**
 * Gathers calls made within a few milliseconds into one batch (one query, one transaction), so 10,000 agents saying
 * hello at once cost a few hundred round trips instead of 10,000; each caller gets its own item's result.
 */
export class Batcher<T, R> {
  readonly #run: (items: T[]) => Promise<R[]>;
  readonly #max: number;
  readonly #waitMs: number;
  #items: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> = Promise.resolve();

  constructor(run: (items: T[]) => Promise<R[]>, options: { max?: number; waitMs?: number } = {}) {
    this.#run = run;
    this.#max = options.max ?? 500;
    this.#waitMs = options.waitMs ?? 5;
  }

  /** Adds one item; resolves with its result once its batch ran. */
  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#items.push({ item, resolve, reject });
      if (this.#items.length >= this.#max) this.#flush();
      else this.#timer ??= setTimeout(() => this.#flush(), this.#waitMs);
    });
  }

  #flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const batch = this.#items;
    this.#items = [];
    if (batch.length === 0) return;
    // Batches run one after another, in order.
    this.#running = this.#running.then(async () => {
      try {
        const results = await this.#run(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(results[i]!));
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    });
  }

  /** Runs what is gathered now and waits for every batch. */
  async drain(): Promise<void> {
    this.#flush();
    await this.#running;
  }
}
