import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { MoltError } from '../errors.js';
import { RELEASE_FILE } from '../supervisor/index.js';

/** True when the target names a release tarball rather than a directory. */
export function isTarball(target: string): boolean {
  return /\.(tar\.gz|tgz)$/.test(target);
}

/**
 * Verifies a release tarball against its sha256 and unpacks it under `releasesDir`, into a directory named after it
 * and its digest; unpacked beside and renamed into place, so an interrupted stage leaves nothing that looks staged.
 * Returns the release directory (the tarball's own top folder when it has one).
 */
export async function stageTarball(file: string, sha256: string | undefined, releasesDir: string): Promise<string> {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new MoltError('USAGE', `${file} does not exist`, {
      hint: 'Name the release tarball, or a release directory',
    });
  }
  if (!sha256 || !/^[0-9a-f]{64}$/i.test(sha256)) {
    throw new MoltError('USAGE', `a release tarball needs its --sha256 (64 hex digits); got ${sha256 ?? 'none'}`, {
      hint: 'Pass the digest the release was published with: --sha256 $(cat release.tar.gz.sha256)',
    });
  }
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  const actual = hash.digest('hex');
  if (actual !== sha256.toLowerCase()) {
    throw new MoltError('USAGE', `${file} has sha256 ${actual}, not ${sha256.toLowerCase()}: refusing to stage it`, {
      hint: 'Download the release again (it may be truncated), or check that the digest belongs to this file',
      details: { file, expected: sha256.toLowerCase(), actual },
    });
  }
  const name = `${basename(file).replace(/\.(tar\.gz|tgz)$/, '')}-${actual.slice(0, 12)}`;
  const dir = join(releasesDir, name);
  if (!existsSync(dir)) {
    const partial = `${dir}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    const { x } = await import('tar');
    await x({ file, cwd: partial, strict: true, preservePaths: false });
    renameSync(partial, dir);
  }
  if (existsSync(join(dir, RELEASE_FILE))) return dir;
  const entries = readdirSync(dir);
  if (entries.length === 1 && existsSync(join(dir, entries[0]!, RELEASE_FILE))) return join(dir, entries[0]!);
  throw new MoltError('CONFIG_INVALID', `${file} holds no ${RELEASE_FILE} at its top`, {
    hint: 'Pack the release directory itself: tar -czf release.tar.gz -C releases 2.0.0',
  });
}
