import { createReadStream } from 'node:fs';
import * as tar from 'tar';
import { MoltError } from '../errors.js';
import { verifyArchive } from './archive-read.js';
import type { Manifest, Progress } from './types.js';

/** The first entry of every archive: what it holds, readable without reading the whole archive (`backup list`). */
export const ABOUT_ENTRY = 'about.json';

/** Reads `about.json`, the first entry, and stops: listing must not decompress whole archives. */
export function readAbout(file: string): Promise<Record<string, unknown>> {
  return new Promise((resolvePromise, reject) => {
    const stream = createReadStream(file);
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error: Error | null, value?: Record<string, unknown>): void => {
      if (settled) return;
      settled = true;
      stream.destroy();
      if (error) reject(error);
      else resolvePromise(value!);
    };
    const parser = new tar.Parser({
      onReadEntry: (entry) => {
        if (entry.path !== ABOUT_ENTRY) {
          entry.resume();
          finish(new Error(`the first entry is ${entry.path}, not ${ABOUT_ENTRY}: not a molt backup`));
          return;
        }
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => {
          try {
            finish(null, JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
          } catch (error) {
            finish(error as Error);
          }
        });
      },
    });
    parser.on('error', (error: Error) => finish(error));
    parser.on('end', () => finish(new Error('the archive holds no entry')));
    stream.on('error', (error) => finish(error));
    stream.pipe(parser);
  });
}

/**
 * Verifies a backup archive: every entry against the manifest, and about.json first, as molt writes it and as
 * `backup list` reads it; an archive that is not so was not written by molt.
 */
export async function verifyBackupArchive(
  file: string,
  progress?: Progress,
): Promise<{ manifest: Manifest; bytes: number }> {
  const { manifest, bytes, first } = await verifyArchive(file, progress);
  if (first !== ABOUT_ENTRY) {
    throw new MoltError(
      'BACKUP_INVALID',
      `Backup ${file}: the first entry is ${first ? `"${first}"` : 'missing'}, not ${ABOUT_ENTRY}, which molt writes first`,
      {
        hint: 'This archive was not written by molt backup, or was repacked; nothing was changed',
        details: { file, entry: first },
      },
    );
  }
  return { manifest, bytes };
}
