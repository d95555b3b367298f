import { randomUUID } from 'node:crypto';
import { MoltError } from '../errors.js';

/** One message on the wire: an integer schema version, a type, an id, a timestamp and the payload. */
export interface Envelope<P = Record<string, unknown>> {
  schema_version: number;
  type: string;
  id: string;
  /** ISO-8601 time the sender wrote it. */
  ts: string;
  payload: P;
  /** Fields a newer sender added inside a known version: kept, so a message forwarded keeps them. */
  [extra: string]: unknown;
}

/** The versions one side speaks: every integer from `min` to `max`. */
export interface VersionRange {
  min: number;
  max: number;
}

/** Why an envelope was refused; each has a WebSocket close code in the application range 4000–4999. */
export type EnvelopeProblem =
  | 'malformed'
  | 'missing_schema_version'
  | 'unsupported_schema_version'
  | 'unknown_type'
  | 'no_common_version';

/** The close code a WebSocket peer sends with each refusal (4000–4999, the range RFC 6455 leaves to applications). */
export const CLOSE_CODES: Readonly<Record<EnvelopeProblem, number>> = {
  malformed: 4000,
  missing_schema_version: 4001,
  unsupported_schema_version: 4002,
  no_common_version: 4003,
  // Not a close: a message of a type the receiver does not know is answered with an error and the connection kept.
  unknown_type: 4004,
};

/** The error a receiver raises for an envelope it will not read: never guessed as a version it knows. */
export class EnvelopeError extends MoltError {
  readonly problem: EnvelopeProblem;
  readonly closeCode: number;
  readonly supported: VersionRange;

  constructor(
    problem: EnvelopeProblem,
    message: string,
    supported: VersionRange,
    details: Record<string, unknown> = {},
  ) {
    super('ENVELOPE_REFUSED', message, {
      hint: `this side speaks schema_version ${rangeText(supported)}`,
      details: { ...details, problem, supported },
    });
    this.problem = problem;
    this.closeCode = CLOSE_CODES[problem];
    this.supported = supported;
  }
}

/** `1` or `1–2`, for messages. */
export function rangeText(range: VersionRange): string {
  return range.min === range.max ? String(range.min) : `${range.min}–${range.max}`;
}

/** Wraps a payload in an envelope of the given version. */
export function envelope<P>(schemaVersion: number, type: string, payload: P, id: string = randomUUID()): Envelope<P> {
  return { schema_version: schemaVersion, type, id, ts: new Date().toISOString(), payload };
}

/**
 * Reads an envelope from text (or a parsed value), strictly on the version and loosely inside it: a missing, non-integer
 * or unsupported `schema_version` is refused with an `EnvelopeError` naming the supported range; unknown fields at
 * the top and in the payload are kept as they came.
 * @example
 * const message = parseEnvelope(text, { min: 1, max: 2 });
 * if (message.type === 'hello') …
 */
export function parseEnvelope(input: string | unknown, supported: VersionRange): Envelope {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw new EnvelopeError('malformed', 'the message is not JSON', supported);
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new EnvelopeError('malformed', 'the message is not a JSON object', supported);
  const message = value as Record<string, unknown>;
  const version = message.schema_version;
  if (version === undefined || version === null)
    throw new EnvelopeError('missing_schema_version', 'the message has no schema_version', supported);
  if (typeof version !== 'number' || !Number.isInteger(version))
    throw new EnvelopeError(
      'unsupported_schema_version',
      `schema_version ${JSON.stringify(version)} is not an integer; supported: ${rangeText(supported)}`,
      supported,
      { received: version },
    );
  if (version < supported.min || version > supported.max)
    throw new EnvelopeError(
      'unsupported_schema_version',
      `schema_version ${version} is not supported; supported: ${rangeText(supported)}`,
      supported,
      { received: version },
    );
  if (typeof message.type !== 'string' || message.type === '')
    throw new EnvelopeError('malformed', 'the message has no type', supported);
  if (message.payload !== undefined && (typeof message.payload !== 'object' || Array.isArray(message.payload)))
    throw new EnvelopeError('malformed', `the payload of ${message.type} is not an object`, supported);
  return {
    ...message,
    schema_version: version,
    type: message.type,
    id: typeof message.id === 'string' ? message.id : '',
    ts: typeof message.ts === 'string' ? message.ts : '',
    payload: (message.payload as Record<string, unknown> | undefined) ?? {},
  };
}

/**
 * The highest version both sides speak, for a hello that advertised `offered`; refused with `no_common_version` when
 * the ranges do not meet. A server that speaks N and N-1 so talks to agents not yet upgraded.
 */
export function negotiate(offered: VersionRange, supported: VersionRange): number {
  const high = Math.min(offered.max, supported.max);
  const low = Math.max(offered.min, supported.min);
  if (!Number.isInteger(high) || !Number.isInteger(low) || high < low)
    throw new EnvelopeError(
      'no_common_version',
      `no common schema_version: the peer speaks ${rangeText(offered)}, this side ${rangeText(supported)}`,
      supported,
      { offered },
    );
  return high;
}

/** A refusal as the envelope sent back before closing: `{type: "error", payload: {code, message, supported}}`. */
export function refusal(error: EnvelopeError, schemaVersion: number): Envelope {
  return envelope(schemaVersion, 'error', {
    code: error.problem,
    message: error.message,
    supported: error.supported,
  });
}
