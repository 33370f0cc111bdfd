import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from './seq.js';

interface Block {
  start: number; // sequence number of the first octet held
  end: number; // sequence number after the last octet held
  /** The octets, as the segments' own views, contiguous and in order; chunks[ci..] are live. */
  chunks: Uint8Array[];
  ci: number;
  /** Arrival counter of the newest segment merged here, for SACK block order. */
  stamp: number;
}

/**
 * Out-of-order segments waiting for the hole before them to fill
 * (RFC 9293 §3.10.7.4 "segment text", RFC 2018 for the SACK view).
 * Kept as sorted, non-overlapping, non-adjacent intervals — never per byte —
 * each holding the received segments' bytes as views (no copying, no
 * re-merging: appending a segment to an island is O(1)).
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

  /** Number of islands held. */
  get blockCount(): number {
    return this.blocks.length;
  }

  /**
   * Store `data` starting at `seq` (which is after RCV.NXT). Octets already held
   * are kept and the new copies ignored (identical for a correct peer).
   * Returns false when dropped for the block limit.
   */
  insert(seq: number, data: Uint8Array): boolean {
    if (data.length === 0) return true;
    const stamp = ++this.clock;
    const s = seq >>> 0;
    const e = seqAdd(s, data.length);
    const blocks = this.blocks;
    // Blocks [i, j) overlap or touch [s, e).
    let i = 0;
    while (i < blocks.length && seqLt(blocks[i]!.end, s)) i++;
    let j = i;
    while (j < blocks.length && seqLe(blocks[j]!.start, e)) j++;
    if (i === j) {
      if (blocks.length >= this.maxBlocks) return false;
      blocks.splice(i, 0, { start: s, end: e, chunks: [data], ci: 0, stamp });
      this.bytes += data.length;
      return true;
    }
    const b = blocks[i]!;
    b.stamp = stamp;
    if (j === i + 1) {
      // One island: extend it at either end (the common case: the next segment after an island).
      if (seqLt(s, b.start)) {
        const head = data.subarray(0, seqDiff(b.start, s));
        b.chunks.splice(b.ci, 0, head);
        this.bytes += head.length;
        b.start = s;
      }
      if (seqGt(e, b.end)) {
        const tail = data.subarray(seqDiff(b.end, s));
        b.chunks.push(tail);
        this.bytes += tail.length;
        b.end = e;
      }
      return true;
    }
    // Several islands: the new data bridges the holes between them.
    const out: Uint8Array[] = [];
    let pos = seqLt(s, b.start) ? s : b.start;
    const start = pos;
    for (let k = i; k < j; k++) {
      const x = blocks[k]!;
      if (seqLt(pos, x.start)) {
        const gap = data.subarray(seqDiff(pos, s), seqDiff(x.start, s));
        out.push(gap);
        this.bytes += gap.length;
      }
      for (let c = x.ci; c < x.chunks.length; c++) out.push(x.chunks[c]!);
      pos = x.end;
    }
    if (seqLt(pos, e)) {
      const tail = data.subarray(seqDiff(pos, s));
      out.push(tail);
      this.bytes += tail.length;
      pos = e;
    }
    blocks.splice(i, j - i, { start, end: pos, chunks: out, ci: 0, stamp });
    return true;
  }

  /**
   * Remove and return the next chunk of data at RCV.NXT (trimmed to start
   * there), or null when the first island starts after `rcvNxt`. Call it
   * again after advancing RCV.NXT by the chunk's length.
   */
  takeFrom(rcvNxt: number): Uint8Array | null {
    const blocks = this.blocks;
    for (;;) {
      const b = blocks[0];
      if (!b || seqGt(b.start, rcvNxt)) return null;
      if (b.ci >= b.chunks.length) {
        blocks.shift();
        continue;
      }
      const c = b.chunks[b.ci]!;
      b.chunks[b.ci] = EMPTY_CHUNK;
      b.ci++;
      const cStart = b.start;
      b.start = seqAdd(cStart, c.length);
      this.bytes -= c.length;
      if (b.ci >= b.chunks.length) blocks.shift();
      const skip = seqDiff(rcvNxt, cStart);
      if (skip >= c.length) continue; // wholly before RCV.NXT
      return skip > 0 ? c.subarray(skip) : c;
    }
  }

  clear(): void {
    this.blocks = [];
    this.bytes = 0;
  }

  /** SACK blocks (RFC 2018 §4): the most recently changed island first, then the rest newest first. */
  sackBlocks(max: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let below = Infinity;
    for (let n = 0; n < max; n++) {
      let best: Block | undefined;
      for (const b of this.blocks) if (b.stamp < below && (!best || b.stamp > best.stamp)) best = b;
      if (!best) break;
      out.push([best.start, best.end]);
      below = best.stamp;
    }
    return out;
  }

  /** Highest sequence number held + 1, or undefined. */
  highEnd(): number | undefined {
    const last = this.blocks[this.blocks.length - 1];
    return last ? last.end : undefined;
  }

  has(seq: number): boolean {
    return this.blocks.some((b) => seqGe(seq, b.start) && seqLt(seq, b.end));
  }
}

const EMPTY_CHUNK = new Uint8Array(0);
