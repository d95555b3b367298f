import type { Progress } from '../backup/index.js';

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;

/** Progress on stderr for a person at a terminal: bytes and rate, redrawn at most five times a second; silent otherwise. */
export function terminalProgress(json: boolean | undefined): { progress?: Progress; done(): void } {
  if (json || !process.stderr.isTTY) return { done: () => undefined };
  const started = Date.now();
  let last = 0;
  let drawn = false;
  let phaseStart = started;
  let phase = '';
  return {
    progress: (event) => {
      const now = Date.now();
      if (event.phase !== phase) {
        phase = event.phase;
        phaseStart = now;
      } else if (now - last < 200) return;
      last = now;
      const seconds = Math.max((now - phaseStart) / 1000, 0.001);
      const of = event.total ? ` of ${mb(event.total)}` : '';
      process.stderr.write(`\r\x1b[Kmolt: ${event.phase}: ${mb(event.bytes)}${of} (${mb(event.bytes / seconds)}/s)`);
      drawn = true;
    },
    done: () => {
      if (drawn) process.stderr.write('\r\x1b[K');
    },
  };
}
