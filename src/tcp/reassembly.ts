import type { ReceiveQueue } from './receive-queue.js';
import { seqAdd, seqDiff, seqGt, seqLe, seqLt } from './seq.js';

/**
 * Out-of-order data waiting for the hole before it to fill (RFC 9293
 * §3.10.7.4 "segment text", RFC 2018 for the SACK view) — the assembler.
 * The bytes themselves are copied straight to their place in the receive
 * queue (ReceiveQueue.writeAhead); this keeps only which ranges are there:
 * sorted, non-overlapping, non-adjacent islands as sequence numbers, never
 * per byte or per segment. When RCV.NXT reaches an island, `takeFrom` joins
 * it to the readable part. The caller trims segments to the receive window,
 * which bounds the bytes held; `maxBlocks` bounds the island count against a
 * peer that sends 1-byte islands (smoltcp's Assembler has the same two
 * bounds). The island arrays are created on the first out-of-order segment.
 */
export class Reassembly {
  private starts: number[] = NONE;
  private ends: number[] = NONE;
  /** Arrival counter of the newest segment merged into each island, for SACK block order. */
  private stamps: number[] = NONE;
  private bytes = 0;
  private clock = 0;

  constructor(
    private readonly queue: ReceiveQueue,
    private readonly maxBlocks = 64,
  ) {}

  /** Out-of-order bytes held. */
  get size(): number {
    return this.bytes;
  }

  get isEmpty(): boolean {
    return this.starts.length === 0;
  }

  /** Number of islands held. */
  get blockCount(): number {
    return this.starts.length;
  }

  /**
   * Store `data` starting at `seq`, after `rcvNxt` (the queue's readable end).
   * Octets already held are overwritten with the new copy (identical for a
   * correct peer). Returns false when dropped for the block limit.
   */
  insert(seq: number, data: Uint8Array, rcvNxt: number): boolean {
    if (data.length === 0) return true;
    const s = seq >>> 0;
    const e = seqAdd(s, data.length);
    if (this.starts === NONE) {
      this.starts = [];
      this.ends = [];
      this.stamps = [];
    }
    const starts = this.starts;
    const ends = this.ends;
    // Islands [i, j) overlap or touch [s, e).
    let i = 0;
    while (i < starts.length && seqLt(ends[i]!, s)) i++;
    let j = i;
    while (j < starts.length && seqLe(starts[j]!, e)) j++;
    const stamp = ++this.clock;
    if (i === j) {
      if (starts.length >= this.maxBlocks) return false;
      starts.splice(i, 0, s);
      ends.splice(i, 0, e);
      this.stamps.splice(i, 0, stamp);
      this.bytes += data.length;
    } else {
      // Merge islands i..j-1 with the new range into island i.
      const start = seqLt(s, starts[i]!) ? s : starts[i]!;
      const end = seqGt(e, ends[j - 1]!) ? e : ends[j - 1]!;
      let held = 0;
      for (let k = i; k < j; k++) held += seqDiff(ends[k]!, starts[k]!);
      this.bytes += seqDiff(end, start) - held;
      starts[i] = start;
      ends[i] = end;
      this.stamps[i] = stamp;
      if (j > i + 1) {
        starts.splice(i + 1, j - i - 1);
        ends.splice(i + 1, j - i - 1);
        this.stamps.splice(i + 1, j - i - 1);
      }
    }
    this.queue.writeAhead(seqDiff(s, rcvNxt), data);
    return true;
  }

  /**
   * RCV.NXT has advanced to `rcvNxt`: islands it reached join the readable
   * part of the queue. Returns how many octets past `rcvNxt` became readable
   * (advance RCV.NXT by that).
   */
  takeFrom(rcvNxt: number): number {
    const starts = this.starts;
    let joined = 0;
    while (starts.length > 0 && !seqGt(starts[0]!, rcvNxt)) {
      const end = this.ends[0]!;
      this.bytes -= seqDiff(end, starts[0]!);
      if (seqGt(end, rcvNxt)) joined = seqDiff(end, rcvNxt); // islands do not touch: only one can reach past RCV.NXT
      starts.shift();
      this.ends.shift();
      this.stamps.shift();
    }
    if (starts.length === 0) this.starts = this.ends = this.stamps = NONE;
    this.queue.commit(joined);
    return joined;
  }

  /** The lowest part of [seq, end) already held — a duplicate to report by D-SACK (RFC 2883) — or undefined. */
  overlap(seq: number, end: number): [number, number] | undefined {
    for (let k = 0; k < this.starts.length; k++) {
      const s = this.starts[k]!;
      const e = this.ends[k]!;
      if (seqLe(e, seq)) continue;
      if (!seqLt(s, end)) return undefined;
      return [seqLt(s, seq) ? seq : s, seqLt(e, end) ? e : end];
    }
    return undefined;
  }

  /** SACK blocks (RFC 2018 §4): the most recently changed island first, then the rest newest first. */
  sackBlocks(max: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let below = Infinity;
    for (let n = 0; n < max; n++) {
      let best = -1;
      for (let k = 0; k < this.stamps.length; k++) {
        const t = this.stamps[k]!;
        if (t < below && (best < 0 || t > this.stamps[best]!)) best = k;
      }
      if (best < 0) break;
      out.push([this.starts[best]!, this.ends[best]!]);
      below = this.stamps[best]!;
    }
    return out;
  }
}

const NONE: number[] = [];
