/**
 * A growable window over a stream of chunks: parsers append chunks and consume
 * complete records from the front. The window holds at most one record plus
 * one chunk, so memory stays bounded whatever the stream's length.
 */
export class ByteWindow {
  private buf = new Uint8Array(0);
  private start = 0;
  private end = 0;

  get available(): number {
    return this.end - this.start;
  }

  /** Append a chunk (copied). */
  push(chunk: Uint8Array): void {
    const need = this.available + chunk.length;
    if (this.end + chunk.length > this.buf.length) {
      const next = need > this.buf.length ? new Uint8Array(Math.max(need, this.buf.length * 2, 64 * 1024)) : this.buf;
      next.set(this.buf.subarray(this.start, this.end), 0);
      this.buf = next;
      this.end = need - chunk.length;
      this.start = 0;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** A view of `n` bytes at `offset` from the front (caller checked `available`). */
  view(offset: number, n: number): Uint8Array {
    return this.buf.subarray(this.start + offset, this.start + offset + n);
  }

  /** DataView over the unconsumed bytes. */
  dataView(): DataView {
    return new DataView(this.buf.buffer, this.buf.byteOffset + this.start, this.available);
  }

  consume(n: number): void {
    this.start += n;
    if (this.start === this.end) this.start = this.end = 0;
  }
}
