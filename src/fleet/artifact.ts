import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { MoltError } from '../errors.js';
import { signedText } from './protocol.js';
import type { Artifact } from './types.js';

/** The most an agent downloads unless told otherwise: 512 MiB, as Tailscale's updater caps it. */
export const DEFAULT_MAX_ARTIFACT_BYTES = 512 * 1024 * 1024;

/** Why an artifact was refused; the agent reports it as the failure reason. */
export type ArtifactProblem =
  | 'checksum_mismatch'
  | 'size_mismatch'
  | 'too_large'
  | 'signature_invalid'
  | 'signature_missing'
  | 'no_network'
  | 'download_failed';

/** An artifact that failed a check: nothing was installed, the running version is untouched. */
export class ArtifactError extends MoltError {
  readonly problem: ArtifactProblem;

  constructor(problem: ArtifactProblem, message: string, details: Record<string, unknown> = {}) {
    super('AGENT_UPGRADE_FAILED', message, { details: { ...details, problem } });
    this.problem = problem;
  }
}

/** The sha256 (hex) and size of a file. */
export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** A new ed25519 key pair, PEM-encoded: the private key signs artifacts, agents hold the public one. */
export function generateSigningKeys(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** The base64 ed25519 signature of an artifact's version, sha256 and size. */
export function signArtifact(
  artifact: Pick<Artifact, 'version' | 'sha256' | 'size'>,
  privateKeyPem: string | KeyObject,
): string {
  const key = typeof privateKeyPem === 'string' ? createPrivateKey(privateKeyPem) : privateKeyPem;
  return sign(null, signedText(artifact), key).toString('base64');
}

/**
 * Checks what was downloaded (or unpacked from a bundle) against what the order says: size, sha256, and the signature
 * when the agent holds a public key (then a missing signature is refused too).
 */
export function checkArtifact(
  expected: Pick<Artifact, 'version' | 'sha256' | 'size' | 'signature'>,
  actual: { sha256: string; size: number },
  publicKeyPem: string | null,
): void {
  if (actual.size !== expected.size)
    throw new ArtifactError('size_mismatch', `the artifact is ${actual.size} bytes, the order says ${expected.size}`, {
      expected: expected.size,
      actual: actual.size,
    });
  if (actual.sha256 !== expected.sha256.toLowerCase())
    throw new ArtifactError('checksum_mismatch', `sha256 mismatch: expected ${expected.sha256}, got ${actual.sha256}`, {
      expected: expected.sha256,
      actual: actual.sha256,
      bytes: actual.size,
    });
  if (!publicKeyPem) return;
  if (!expected.signature)
    throw new ArtifactError(
      'signature_missing',
      'this agent requires signed artifacts and the artifact has no signature',
    );
  let ok = false;
  try {
    ok = verify(null, signedText(expected), createPublicKey(publicKeyPem), Buffer.from(expected.signature, 'base64'));
  } catch {
    ok = false;
  }
  if (!ok)
    throw new ArtifactError(
      'signature_invalid',
      `the signature of ${expected.version} (sha256 ${expected.sha256}) does not verify with this agent's public key`,
    );
}

/**
 * Downloads `url` to `partial`, streaming the hash and the byte count and stopping past `maxBytes`; the partial file
 * is removed on any failure. Network failures say `no_network` (the agent then shows pending, for an upgrade by hand).
 */
export async function download(
  url: string,
  partial: string,
  options: { maxBytes: number; expectedSize: number; signal?: AbortSignal; onProgress?: (bytes: number) => void },
): Promise<{ sha256: string; size: number }> {
  if (options.expectedSize > options.maxBytes)
    throw new ArtifactError(
      'too_large',
      `the artifact is ${options.expectedSize} bytes, over this agent's cap of ${options.maxBytes}`,
    );
  let response: Response;
  try {
    response = await fetch(url, { signal: options.signal, redirect: 'follow' });
  } catch (error) {
    throw new ArtifactError('no_network', `cannot reach ${redactQuery(url)}: ${causeOf(error)}`);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    throw new ArtifactError('download_failed', `${redactQuery(url)} answered ${response.status}`, {
      status: response.status,
    });
  }
  const length = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(length) && length > options.maxBytes) {
    await response.body.cancel().catch(() => undefined);
    throw new ArtifactError(
      'too_large',
      `${redactQuery(url)} is ${length} bytes, over this agent's cap of ${options.maxBytes}`,
    );
  }
  const hash = createHash('sha256');
  let size = 0;
  const file = await open(partial, 'w', 0o600);
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > options.maxBytes)
        throw new ArtifactError('too_large', `the download passed this agent's cap of ${options.maxBytes} bytes`);
      hash.update(chunk);
      await file.write(chunk);
      options.onProgress?.(size);
    }
    await file.sync();
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(partial, { force: true });
    if (error instanceof ArtifactError) throw error;
    throw new ArtifactError('no_network', `the download of ${redactQuery(url)} broke off: ${causeOf(error)}`);
  }
  await file.close();
  return { sha256: hash.digest('hex'), size };
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** A URL without its query string, which may carry a token. */
export function redactQuery(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : `${url.slice(0, at)}?…`;
}
