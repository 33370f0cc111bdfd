/** Big-endian field access on a Uint8Array, no allocation (RFC 1700 network byte order). */

export function getU16(b: Uint8Array, i: number): number {
  return (b[i] << 8) | b[i + 1];
}

export function getU32(b: Uint8Array, i: number): number {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

export function setU16(b: Uint8Array, i: number, v: number): void {
  b[i] = v >>> 8;
  b[i + 1] = v;
}

export function setU32(b: Uint8Array, i: number, v: number): void {
  b[i] = v >>> 24;
  b[i + 1] = v >>> 16;
  b[i + 2] = v >>> 8;
  b[i + 3] = v;
}

/** Throws RangeError unless `len` bytes fit in `buf` at `offset` (writers only; parsers never throw). */
export function checkRoom(buf: Uint8Array, offset: number, len: number, what: string): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + len > buf.length) {
    throw new RangeError(`${what}: ${len} bytes do not fit at offset ${offset} of a ${buf.length}-byte buffer`);
  }
}
