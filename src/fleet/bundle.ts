import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { create, extract } from 'tar';
import { MoltError } from '../errors.js';
import { ArtifactError, checkArtifact, hashFile, signArtifact } from './artifact.js';
import {
  ENTRY_FILE,
  checkVersionName,
  installVersion,
  readCurrent,
  readMarker,
  runningAgent,
  switchCurrent,
  writeMarker,
} from './install-dir.js';

/** What a bundle's `manifest.json` says. */
export interface BundleManifest {
  format: 'molt-agent-bundle/1';
  version: string;
  file: typeof ENTRY_FILE;
  sha256: string;
  size: number;
  signature?: string;
}

/**
 * Writes an offline bundle (`.tar.gz`: `manifest.json` and the artifact) for an air-gapped host, signed when given the
 * fleet's private key.
 * @example
 * await createBundle({ artifact: 'dist/agent.mjs', version: '2.0.0', out: 'agent-2.0.0.tar.gz', privateKey });
 */
export async function createBundle(options: {
  artifact: string;
  version: string;
  out: string;
  privateKey?: string;
}): Promise<BundleManifest> {
  checkVersionName(options.version);
  const { sha256, size } = await hashFile(options.artifact);
  const manifest: BundleManifest = {
    format: 'molt-agent-bundle/1',
    version: options.version,
    file: ENTRY_FILE,
    sha256,
    size,
    ...(options.privateKey
      ? { signature: signArtifact({ version: options.version, sha256, size }, options.privateKey) }
      : {}),
  };
  const staging = `${options.out}.staging-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    await copyFile(options.artifact, join(staging, ENTRY_FILE));
    await writeFile(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await create({ gzip: true, file: options.out, cwd: staging, portable: true }, ['manifest.json', ENTRY_FILE]);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return manifest;
}

/** What installing a bundle did. */
export interface BundleInstall {
  version: string;
  sha256: string;
  /** The running agent that was told to hand over to it, or null (it starts on the next start). */
  signalled: number | null;
}

/**
 * Installs an offline bundle with the same checks as a download: size, sha256 (also against `sha256` when the operator
 * got it separately), and the signature when `publicKey` is given. A bundle that fails is refused and nothing is
 * touched; one that passes is installed beside the running version, and the running agent (from its pid file) is told
 * to hand over to it, with the same confirmation and rollback.
 */
export async function installBundle(
  bundle: string,
  options: { dir: string; publicKey?: string | null; sha256?: string },
): Promise<BundleInstall> {
  const staging = join(options.dir, 'versions', `.bundle-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    const allowed = new Set(['manifest.json', ENTRY_FILE]);
    try {
      await extract({
        file: bundle,
        cwd: staging,
        strict: true,
        filter: (path, entry) => allowed.has(path.replace(/^\.\//, '')) && (entry as { type?: string }).type === 'File',
      });
    } catch (error) {
      throw new MoltError(
        'AGENT_UPGRADE_FAILED',
        `${bundle} is not a readable bundle (.tar.gz): ${(error as Error).message}`,
        { cause: error },
      );
    }
    let manifest: BundleManifest;
    try {
      manifest = JSON.parse(await readFile(join(staging, 'manifest.json'), 'utf8')) as BundleManifest;
    } catch {
      throw new MoltError('AGENT_UPGRADE_FAILED', `${bundle} has no readable manifest.json`);
    }
    if (
      manifest.format !== 'molt-agent-bundle/1' ||
      typeof manifest.version !== 'string' ||
      typeof manifest.sha256 !== 'string' ||
      typeof manifest.size !== 'number'
    )
      throw new MoltError(
        'AGENT_UPGRADE_FAILED',
        `${basename(bundle)}: manifest.json is not a molt agent bundle manifest (format molt-agent-bundle/1 with version, sha256 and size)`,
      );
    checkVersionName(manifest.version);
    const file = join(staging, ENTRY_FILE);
    let actual: { sha256: string; size: number };
    try {
      actual = await hashFile(file);
    } catch {
      throw new MoltError('AGENT_UPGRADE_FAILED', `${bundle} has no ${ENTRY_FILE}`);
    }
    if (options.sha256 && options.sha256.toLowerCase() !== manifest.sha256.toLowerCase())
      throw new ArtifactError(
        'checksum_mismatch',
        `the bundle's manifest says sha256 ${manifest.sha256}, the operator expects ${options.sha256}`,
        { expected: options.sha256, actual: manifest.sha256 },
      );
    checkArtifact(manifest, actual, options.publicKey ?? null);
    const current = await readCurrent(options.dir);
    await installVersion(options.dir, manifest.version, file);
    const running = await runningAgent(options.dir);
    const from = (await readMarker(options.dir))?.to ?? current ?? 'unknown';
    await writeMarker(options.dir, {
      dispatchId: null,
      from,
      to: manifest.version,
      state: 'trial',
      source: 'bundle',
      previousEntry: '',
      at: new Date().toISOString(),
    });
    if (running) process.kill(running, 'SIGUSR2');
    else await switchCurrent(options.dir, manifest.version, current);
    return { version: manifest.version, sha256: actual.sha256, signalled: running };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
