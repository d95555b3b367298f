// moltkit/envelope: a strict, tiny message envelope. The version is an integer and a receiver never guesses it;
// unknown fields inside a known version are kept; a hello negotiates the highest common version.
export {
  CLOSE_CODES,
  EnvelopeError,
  envelope,
  negotiate,
  parseEnvelope,
  rangeText,
  refusal,
  type Envelope,
  type EnvelopeProblem,
  type VersionRange,
} from './envelope.js';
