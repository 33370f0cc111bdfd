/**
 * In-order bytes received and not yet read by the application. Its size
 * decides the advertised window (RFC 9293 §3.8.6.2: window = free space).
 * The queue front is an index, so reads are O(1) amortized.
 */
export class ReceiveQueue {
  private chunks: Uint8Array[] = [];
  private first = 0;
  private len = 0;

  get length(): number {
    return this.len;
  }

  push(data: Uint8Array): void {
    if (data.length === 0) return;
    this.chunks.push(data);
    this.len += data.length;
  }

  /** Up to `max` bytes from the front, or null when empty. Returns a view, copying only when the bytes span chunks. */
  read(max = Infinity): Uint8Array | null {
    if (this.len === 0 || max <= 0) return null;
    const n = Math.min(max, this.len);
    const first = this.chunks[this.first]!;
    if (first.length === n) {
      this.shift();
      this.len -= n;
      return first;
    }
    if (first.length > n) {
      this.chunks[this.first] = first.subarray(n);
      this.len -= n;
      return first.subarray(0, n);
    }
    return this.readCopy(n);
  }

  private shift(): void {
    this.chunks[this.first] = EMPTY_CHUNK;
    this.first++;
    if (this.first === this.chunks.length) {
      this.chunks = [];
      this.first = 0;
    } else if (this.first > 64 && this.first * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }

  private readCopy(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[this.first]!;
      const take = Math.min(c.length, n - filled);
      out.set(take === c.length ? c : c.subarray(0, take), filled);
      filled += take;
      if (take === c.length) this.shift();
      else this.chunks[this.first] = c.subarray(take);
    }
    this.len -= n;
    return out;
  }
}

const EMPTY_CHUNK = new Uint8Array(0);
