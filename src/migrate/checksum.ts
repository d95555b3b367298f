import { createHash } from 'node:crypto';

/** Tag of the canonical-text checksum; a new algorithm gets a new tag, old tags stay readable. */
export const CHECKSUM_TAG = 'sha256-c1';
const RAW_TAG = 'sha256';

/** The text molt hashes: BOM stripped, CRLF and CR as LF, no trailing white space or trailing blank lines. */
export function canonicalText(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\f\v]+$/gm, '')
    .replace(/\n+$/, '');
}

/** Checksum of the canonical text, with its algorithm tag: `sha256-c1:<hex>`. */
export function checksumOf(text: string): string {
  return `${CHECKSUM_TAG}:${createHash('sha256').update(canonicalText(text)).digest('hex')}`;
}

/** Hash of the exact bytes, so that a cosmetic change can be told from a real one. */
export function rawHashOf(bytes: string | Buffer): string {
  return `${RAW_TAG}:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A short hash of one statement's canonical text; 64 bits tell an edited statement from the one applied. */
export function statementHashOf(text: string): string {
  return createHash('sha256').update(canonicalText(text)).digest('hex').slice(0, 16);
}
