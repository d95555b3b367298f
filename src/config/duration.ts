import { MoltError } from '../errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses `500ms`, `30s`, `5m`, `1h` or a bare number of seconds into milliseconds. */
export function parseDuration(value: string | number, setting: string): number {
  if (typeof value === 'number') return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (!match) {
    throw new MoltError('CONFIG_INVALID', `${setting} "${value}" is not a duration`, {
      hint: 'Use a number with a unit: 500ms, 30s, 5m, 1h',
    });
  }
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 's']);
}
