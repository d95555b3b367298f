import type { FileHandle } from 'node:fs/promises';

/** Writes the whole chunk at the handle's position, looping over short writes. */
export async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) offset += (await handle.write(chunk, offset)).bytesWritten;
}
