/**
 * In-order bytes received and not yet read by the application. Its size
 * decides the advertised window (RFC 9293 §3.8.6.2: window = free space).
 */
export class ReceiveQueue {
  private chunks: Uint8Array[] = [];
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
    const first = this.chunks[0]!;
    if (first.length === n) {
      this.chunks.shift();
      this.len -= n;
      return first;
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      this.len -= n;
      return first.subarray(0, n);
    }
    return this.readCopy(n);
  }

  private readCopy(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const take = Math.min(c.length, n - filled);
      out.set(take === c.length ? c : c.subarray(0, take), filled);
      filled += take;
      if (take === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(take);
    }
    this.len -= n;
    return out;
  }
}
