// What every benchmark shares: timing a whole process, and the median, min and max of a set of times as BENCHMARKS.md shows them.
import { spawnSync } from 'node:child_process';

/** Median, min and max of a set of wall-clock times in ms. */
export interface Stat {
  median: number;
  min: number;
  max: number;
}

/** The median (the upper one of an even count), min and max of `xs`. */
export function stat(xs: number[]): Stat {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s.at(-1)! };
}

/** A time in ms as BENCHMARKS.md writes it: seconds from one second up. */
export function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

/** A table cell: `median [min–max]`. */
export function cell(s: Stat): string {
  return `${fmt(s.median)} [${fmt(s.min)}–${fmt(s.max)}]`;
}

/** A ratio cell, in bold: `a / b` of the medians. */
export function ratioCell(a: Stat, b: Stat): string {
  return `**${(a.median / b.median).toFixed(2)}x**`;
}

/** Options of `timed`: input and environment for the process, and the exit codes that count as success. */
export interface TimedOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  accept?: number[];
}

/** Runs a process to completion and returns its wall-clock time in ms; throws with the tail of its stderr when it fails. */
export function timed(command: string, args: string[], options: TimedOptions = {}): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    input: options.input,
    env: options.env,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status === null || !(options.accept ?? [0]).includes(r.status)) {
    throw new Error(
      `${command} ${args.slice(0, 4).join(' ')} exited ${r.status ?? r.signal}: ${(r.stderr || r.stdout || '').slice(-1500)}`,
    );
  }
  return ms;
}
