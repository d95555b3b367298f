/** A migration's compatibility class: expand keeps the previous release working, contract does not. */
export type Phase = 'expand' | 'contract';

/** One migration of a set, read from a file or a bundle entry. */
export interface Migration {
  /** Digits from the name; compared as integers. */
  readonly version: string;
  /** The rest of the name after `<version>_`. */
  readonly name: string;
  /** `<version>_<name>`: unique within a set. */
  readonly id: string;
  /** Where it came from, for messages: a path or `bundle:<key>`. */
  readonly source: string;
  readonly phase: Phase;
  /** `off` when the file says `-- molt:transaction off`. */
  readonly transaction: 'auto' | 'off';
  /** Lint rules the file acknowledges in its top comment block (`-- molt:allow CODE`), with their lines. */
  readonly allow: readonly { code: string; line: number }[];
  readonly sql: string;
  readonly checksum: string;
  readonly rawHash: string;
}

/** Compares two digit strings as integers, without precision loss on 20-digit versions. */
export function compareVersions(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
