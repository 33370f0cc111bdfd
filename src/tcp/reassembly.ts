import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from './seq.js';

interface Block {
  start: number; // sequence number of data[0]
  data: Uint8Array;
  /** Arrival counter of the newest segment merged here, for SACK block order. */
  stamp: number;
}

/**
 * Out-of-order segments waiting for the hole before them to fill
 * (RFC 9293 §3.10.7.4 "segment text", RFC 2018 for the SACK view).
 * Kept as sorted, non-overlapping, non-adjacent intervals — never per byte.
 * The caller trims segments to the receive window, which bounds the bytes held;
 * `maxBlocks` bounds the interval count against a peer that sends 1-byte islands.
 */
export class Reassembly {
  private blocks: Block[] = [];
  private bytes = 0;
  private clock = 0;

  constructor(private readonly maxBlocks = 64) {}

  get size(): number {
    return this.bytes;
  }

  get isEmpty(): boolean {
    return this.blocks.length === 0;
  }

  /** Store `data` starting at `seq` (which is after RCV.NXT). Overlaps with held data are trimmed. Returns false when dropped for the block limit. */
  insert(seq: number, data: Uint8Array): boolean {
    if (data.length === 0) return true;
    const stamp = ++this.clock;
    let start = seq;
    let end = seqAdd(seq, data.length);
    let bytes = data;
    // Find blocks that overlap or touch [start, end) and merge them into one.
    let i = 0;
    while (i < this.blocks.length && seqLt(this.blockEnd(this.blocks[i]!), start)) i++;
    let j = i;
    while (j < this.blocks.length && seqLe(this.blocks[j]!.start, end)) j++;
    if (i === j) {
      if (this.blocks.length >= this.maxBlocks) return false;
      this.blocks.splice(i, 0, { start, data: bytes.slice(), stamp });
      this.bytes += bytes.length;
      return true;
    }
    const first = this.blocks[i]!;
    const last = this.blocks[j - 1]!;
    const mergedStart = seqLt(first.start, start) ? first.start : start;
    const lastEnd = this.blockEnd(last);
    const mergedEnd = seqGt(lastEnd, end) ? lastEnd : end;
    const merged = new Uint8Array(seqDiff(mergedEnd, mergedStart));
    // New data first, then existing blocks on top (held data wins; it is identical for a correct peer).
    merged.set(bytes, seqDiff(start, mergedStart));
    let removed = 0;
    for (let k = i; k < j; k++) {
      const b = this.blocks[k]!;
      merged.set(b.data, seqDiff(b.start, mergedStart));
      removed += b.data.length;
    }
    this.blocks.splice(i, j - i, { start: mergedStart, data: merged, stamp });
    this.bytes += merged.length - removed;
    return true;
  }

  /** Remove and return the data that starts at or before `rcvNxt` (trimmed to start at rcvNxt). */
  takeFrom(rcvNxt: number): Uint8Array | null {
    const b = this.blocks[0];
    if (!b || seqGt(b.start, rcvNxt)) return null;
    this.blocks.shift();
    this.bytes -= b.data.length;
    const skip = seqDiff(rcvNxt, b.start);
    if (skip >= b.data.length) return this.takeFrom(rcvNxt);
    return skip > 0 ? b.data.subarray(skip) : b.data;
  }

  /** Drop everything at or beyond `seq` (used when the window shrinks is not allowed; kept for completeness). */
  clear(): void {
    this.blocks = [];
    this.bytes = 0;
  }

  /** SACK blocks (RFC 2018 §4): the most recently changed block first, then the rest newest first. */
  sackBlocks(max: number): Array<[number, number]> {
    const sorted = [...this.blocks].sort((a, b) => b.stamp - a.stamp);
    return sorted.slice(0, max).map((b) => [b.start, this.blockEnd(b)] as [number, number]);
  }

  /** Highest sequence number held + 1, or undefined. */
  highEnd(): number | undefined {
    const last = this.blocks[this.blocks.length - 1];
    return last ? this.blockEnd(last) : undefined;
  }

  has(seq: number): boolean {
    return this.blocks.some((b) => seqGe(seq, b.start) && seqLt(seq, this.blockEnd(b)));
  }

  private blockEnd(b: Block): number {
    return seqAdd(b.start, b.data.length);
  }
}
