/**
 * One write request of a Socket (a `_write` chunk or a `_writev` batch) on
 * its way into the TCB's send buffer, which may take it in several goes.
 *
 * O(1) per step: a cursor walks the chunks (no Array.shift, which made a
 * 500k-chunk writev quadratic). Runs of small chunks — what cork()/uncork()
 * or a stream buffering many small writes hands to _writev — are coalesced
 * into one buffer of at most BATCH_BYTES, so the TCB sees one call per
 * batch, as libuv hands the kernel one iovec array per writev.
 */
const SMALL_CHUNK = 16 * 1024;
const BATCH_BYTES = 64 * 1024;

export class WriteBatch {
  private readonly chunks: Uint8Array[];
  private index = 0;
  /** Bytes of this request the TCB has taken so far. */
  taken = 0;

  /** `chunks`: an array the batch may keep and write to (the caller made it for this request). */
  constructor(
    chunks: Uint8Array[],
    readonly cb: (err?: Error | null) => void,
  ) {
    this.chunks = chunks.length === 1 ? chunks : coalesce(chunks);
  }

  get done(): boolean {
    return this.index >= this.chunks.length;
  }

  /**
   * Offer the chunks in order to `to.write` (which returns how many bytes it
   * took) until it takes less than offered or everything is gone. Returns the
   * bytes taken by this call.
   */
  drain(to: { write(chunk: Uint8Array): number }): number {
    let total = 0;
    while (this.index < this.chunks.length) {
      const c = this.chunks[this.index]!;
      const n = c.length === 0 ? 0 : to.write(c);
      total += n;
      if (n < c.length) {
        this.chunks[this.index] = c.subarray(n);
        break;
      }
      this.chunks[this.index++] = EMPTY; // let the bytes go
    }
    this.taken += total;
    return total;
  }
}

const EMPTY = new Uint8Array(0);

function coalesce(chunks: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let group: Uint8Array[] = [];
  let groupBytes = 0;
  const flush = (): void => {
    if (group.length === 1) out.push(group[0]!);
    else if (group.length > 1) out.push(Buffer.concat(group, groupBytes));
    group = [];
    groupBytes = 0;
  };
  for (const c of chunks) {
    if (c.length >= SMALL_CHUNK) {
      flush();
      out.push(c);
      continue;
    }
    if (groupBytes + c.length > BATCH_BYTES) flush();
    group.push(c);
    groupBytes += c.length;
  }
  flush();
  return out;
}
