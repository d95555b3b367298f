import { Worker } from 'node:worker_threads';

/**
 * The sha256 of the first `size` bytes of `file`, computed on a worker thread so that it runs on
 * the second core while the archive writer frames and writes the same bytes: on a 1 GiB dump,
 * hashing is the largest single cost. Only for files that cannot change meanwhile (a staged dump,
 * a held snapshot), since the two passes must read the same bytes.
 */
export function hashInWorker(file: string, size: number): { digest: Promise<string>; stop(): void } {
  const worker = new Worker(new URL('./hash-worker.js', import.meta.url), { workerData: { file, size } });
  const digest = new Promise<string>((resolve, reject) => {
    let hex: string | undefined;
    worker.once('message', (value: string) => (hex = value));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      hex ? resolve(hex) : reject(new Error(`the hashing thread exited with code ${code} before it finished ${file}`)),
    );
  });
  // The writer may fail first and never await the digest; its rejection is then of no interest.
  digest.catch(() => undefined);
  return { digest, stop: () => void worker.terminate() };
}
