import { checksumOf } from './checksum.js';

/** What `molt new` writes into a new migration, by phase. */
export const TEMPLATES = {
  expand: '-- Expand: keep the previous release working (add, never drop or rename).\n\n',
  contract:
    '-- molt:phase contract\n-- Runs only after every instance is on the new version; an older binary cannot start after it.\n\n',
} as const;

const TEMPLATE_SUMS = new Set(Object.values(TEMPLATES).map(checksumOf));

/** True when a checksum is that of a file exactly as `molt new` wrote it: a draft, not a migration anyone applied. */
export function isTemplateChecksum(checksum: string): boolean {
  return TEMPLATE_SUMS.has(checksum);
}
