/**
 * The send queue: bytes the application handed over that the peer has not
 * acknowledged yet. Byte 0 is the octet at SND.UNA once the SYN is acked.
 * Stored as a list of chunks (copied on push, so callers may reuse buffers);
 * reads for (re)transmission return views when a range lies in one chunk.
 */
export class SendBuffer {
  private chunks: Uint8Array[] = [];
  private head = 0; // offset into chunks[0]
  private len = 0;

  constructor(public capacity: number) {}

  get length(): number {
    return this.len;
  }

  get free(): number {
    return Math.max(0, this.capacity - this.len);
  }

  /** Append up to `free` bytes of data; returns how many were taken. */
  push(data: Uint8Array): number {
    const n = Math.min(data.length, this.free);
    if (n === 0) return 0;
    this.chunks.push(data.slice(0, n));
    this.len += n;
    return n;
  }

  /** `len` bytes starting `offset` bytes after the front. A view when possible, a copy otherwise. */
  peek(offset: number, len: number): Uint8Array {
    if (offset < 0 || len < 0 || offset + len > this.len) {
      throw new RangeError(`SendBuffer.peek(${offset}, ${len}) outside 0..${this.len}`);
    }
    let i = 0;
    let pos = offset + this.head;
    while (pos >= this.chunks[i]!.length) {
      pos -= this.chunks[i]!.length;
      i++;
    }
    const first = this.chunks[i]!;
    if (pos + len <= first.length) return first.subarray(pos, pos + len);
    const out = new Uint8Array(len);
    let filled = 0;
    while (filled < len) {
      const c = this.chunks[i]!;
      const take = Math.min(c.length - pos, len - filled);
      out.set(c.subarray(pos, pos + take), filled);
      filled += take;
      pos = 0;
      i++;
    }
    return out;
  }

  /** Forget `n` bytes from the front (they were acknowledged). */
  drop(n: number): void {
    n = Math.min(n, this.len);
    this.len -= n;
    while (n > 0) {
      const c = this.chunks[0]!;
      const avail = c.length - this.head;
      if (n < avail) {
        this.head += n;
        return;
      }
      n -= avail;
      this.chunks.shift();
      this.head = 0;
    }
    if (this.len === 0) {
      this.chunks = [];
      this.head = 0;
    }
  }
}
