import { Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';

/** The largest stored deflate block (RFC 1951 §3.2.4: LEN is 16 bits). */
const BLOCK = 0xffff;
const BLOCK_HEADER = 5;
/** Magic, CM=deflate, no flags, mtime 0, XFL 0, OS=unix (RFC 1952 §2.3). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);
/** An empty final stored block: BFINAL=1, BTYPE=00, LEN=0, NLEN=0xffff. */
const FINAL_BLOCK = Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff]);

/**
 * A gzip stream that stores without compressing (what zlib writes at level 0), framed here
 * rather than by zlib: zlib at level 0 still runs its deflate machinery over every byte and took
 * three times as long as hashing the same bytes, while this costs one CRC-32 and one copy.
 * Any gunzip reads the result.
 */
export function storedGzip(): Transform {
  let crc = 0;
  let length = 0;
  let started = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (!started) {
        this.push(GZIP_HEADER);
        started = true;
      }
      crc = crc32(chunk, crc);
      length = (length + chunk.length) >>> 0;
      this.push(frame(chunk));
      callback();
    },
    flush(callback: TransformCallback) {
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(crc >>> 0, 0);
      trailer.writeUInt32LE(length, 4);
      callback(null, Buffer.concat(started ? [FINAL_BLOCK, trailer] : [GZIP_HEADER, FINAL_BLOCK, trailer]));
    },
  });
}

/** `data` cut into non-final stored blocks, each behind its 5-byte header, in one buffer so the writer makes one call. */
function frame(data: Buffer): Buffer {
  const blocks = Math.ceil(data.length / BLOCK);
  const out = Buffer.allocUnsafe(data.length + blocks * BLOCK_HEADER);
  let at = 0;
  for (let from = 0; from < data.length; from += BLOCK) {
    const len = Math.min(BLOCK, data.length - from);
    out[at] = 0x00;
    out.writeUInt16LE(len, at + 1);
    out.writeUInt16LE(~len & 0xffff, at + 3);
    data.copy(out, at + BLOCK_HEADER, from, from + len);
    at += BLOCK_HEADER + len;
  }
  return out;
}
