// Worker thread: the sha256 of the first `size` bytes of a file, posted back as hex (see file-hash.ts).
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';

const CHUNK = 4 << 20;
const { file, size } = workerData as { file: string; size: number };
const fh = await open(file, 'r');
try {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(CHUNK);
  let pos = 0;
  while (pos < size) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, size - pos), pos);
    if (bytesRead === 0) throw new Error(`${file} ended at byte ${pos} of ${size}`);
    hash.update(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
  parentPort!.postMessage(hash.digest('hex'));
} finally {
  await fh.close();
}
