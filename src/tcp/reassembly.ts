import type { ReceiveQueue } from './receive-queue.js';
import { seqAdd, seqDiff, seqGt, seqLe, seqLt } from './seq.js';

/**
 * Out-of-order data waiting for the hole before it to fill (RFC 9293
 * §3.10.7.4 "segment text", RFC 2018 for the SACK view) — the assembler.
 * The bytes themselves are copied straight to their place in the receive
 * queue (ReceiveQueue.writeAhead); this keeps only which ranges are there:
 * sorted, non-overlapping, non-adjacent islands as sequence numbers, never
 * per byte or per segment. When RCV.NXT reaches an island, `takeFrom` joins
 * it to the readable part.
 *
 * Bounds (TCP-BEHAVIOR R9). The caller trims segments to the receive window,
 * which bounds the bytes held. The island count is bounded against a peer
 * that sends 1-byte islands: `perWindow` islands for every WINDOW_UNIT (64 KiB)
 * of the span held (RCV.NXT to the highest byte), at least `perWindow`. Linux
 * bounds its out-of-order rbtree by memory only (tcp_prune_ofo_queue), so a
 * multi-megabyte autotuned window keeps every island a real path makes; with
 * the default 64 that is one island per KiB of window, and a real sender's
 * islands are at least a segment apart, each hole a segment or more (≥ 2×1448
 * bytes a pair at MTU 1500), so they always fit. A hostile peer gets at most
 * span/1 KiB islands of two numbers each: under 2 % of the window in memory.
 * Per segment: binary searches (O(log n)) and at most one splice of the
 * island arrays, n ≤ the bound above; SACK blocks come from the few most
 * recently changed islands (Linux's selective_acks), not a scan.
 */
export class Reassembly {
  private starts: number[] = NONE;
  private ends: number[] = NONE;
  /** A sequence number inside each of the most recently changed islands, newest first (≤ MAX_RECENT, distinct islands). */
  private recent: number[] = [];
  private bytes = 0;
  /** Elementary steps taken (search probes, elements moved): for tests of the per-segment cost bound. */
  work = 0;

  constructor(
    private readonly queue: ReceiveQueue,
    private readonly perWindow = 64,
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

  /** Most islands kept while the data held spans `span` octets past RCV.NXT (see the class comment). */
  limitFor(span: number): number {
    return Math.max(this.perWindow, Math.floor((this.perWindow * span) / WINDOW_UNIT));
  }

  /**
   * Store `data` starting at `seq`, after `rcvNxt` (the queue's readable end).
   * Octets already held are overwritten with the new copy (identical for a
   * correct peer). Returns false when dropped for the island limit.
   */
  insert(seq: number, data: Uint8Array, rcvNxt: number): boolean {
    if (data.length === 0) return true;
    const s = seq >>> 0;
    const e = seqAdd(s, data.length);
    if (this.starts === NONE) {
      this.starts = [];
      this.ends = [];
    }
    const starts = this.starts;
    const ends = this.ends;
    const n = starts.length;
    // Islands [i, j) overlap or touch [s, e): i is the first that ends at or after s, j the first that starts after e.
    const i = this.firstEndingFrom(s, 0);
    const j = this.firstStartingAfter(e, i);
    if (i === j) {
      const top = n > 0 && seqGt(ends[n - 1]!, e) ? ends[n - 1]! : e;
      if (n >= this.limitFor(seqDiff(top, rcvNxt))) return false;
      starts.splice(i, 0, s);
      ends.splice(i, 0, e);
      this.work += n - i;
      this.bytes += data.length;
      this.touch(s, s, e);
    } else {
      // Merge islands i..j-1 with the new range into island i.
      const start = seqLt(s, starts[i]!) ? s : starts[i]!;
      const end = seqGt(e, ends[j - 1]!) ? e : ends[j - 1]!;
      let held = 0;
      for (let k = i; k < j; k++) held += seqDiff(ends[k]!, starts[k]!);
      this.bytes += seqDiff(end, start) - held;
      starts[i] = start;
      ends[i] = end;
      if (j > i + 1) {
        starts.splice(i + 1, j - i - 1);
        ends.splice(i + 1, j - i - 1);
        this.work += n - i;
      }
      this.touch(s, start, end);
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
    let k = 0;
    while (k < starts.length && !seqGt(starts[k]!, rcvNxt)) {
      const end = this.ends[k]!;
      this.bytes -= seqDiff(end, starts[k]!);
      if (seqGt(end, rcvNxt)) joined = seqDiff(end, rcvNxt); // islands do not touch: only one can reach past RCV.NXT
      k++;
    }
    if (k === starts.length) {
      this.starts = this.ends = NONE;
      this.recent.length = 0;
    } else if (k > 0) {
      starts.splice(0, k);
      this.ends.splice(0, k);
      this.work += starts.length + k;
      const readable = seqAdd(rcvNxt, joined);
      this.recent = this.recent.filter((a) => !seqLt(a, readable));
    }
    this.queue.commit(joined);
    return joined;
  }

  /** The lowest part of [seq, end) already held — a duplicate to report by D-SACK (RFC 2883) — or undefined. */
  overlap(seq: number, end: number): [number, number] | undefined {
    const k = this.firstEndingFrom(seq, 0, true);
    if (k === this.starts.length) return undefined;
    const s = this.starts[k]!;
    const e = this.ends[k]!;
    if (!seqLt(s, end)) return undefined;
    return [seqLt(s, seq) ? seq : s, seqLt(e, end) ? e : end];
  }

  /**
   * SACK blocks (RFC 2018 §4): the island the latest segment went to first,
   * then the other recently changed ones newest first (Linux's
   * selective_acks, tcp_sack_new_ofo_skb); when those are fewer than `max`
   * (RCV.NXT took some), the highest islands not yet listed.
   */
  sackBlocks(max: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const listed: number[] = [];
    for (const a of this.recent) {
      if (out.length >= max) return out;
      const k = this.firstEndingFrom(a, 0, true);
      if (k === this.starts.length || seqGt(this.starts[k]!, a)) continue;
      out.push([this.starts[k]!, this.ends[k]!]);
      listed.push(k);
    }
    for (let k = this.starts.length - 1; k >= 0 && out.length < max; k--) {
      this.work++;
      if (!listed.includes(k)) out.push([this.starts[k]!, this.ends[k]!]);
    }
    return out;
  }

  /** Island [start, end) was just made or grown by a segment starting at `seq`: it becomes the newest, once. */
  private touch(seq: number, start: number, end: number): void {
    const kept = [seq];
    for (const a of this.recent) {
      if (kept.length >= MAX_RECENT) break;
      if (seqLt(a, start) || !seqLt(a, end)) kept.push(a); // an anchor inside [start, end) is this island again
    }
    this.recent = kept;
  }

  /**
   * Index of the first island (from `lo`) whose end is at or after `seq` (`strict`: after), or the island count.
   * Binary search: ends are sorted in sequence space.
   */
  private firstEndingFrom(seq: number, lo: number, strict = false): number {
    const ends = this.ends;
    let hi = ends.length;
    while (lo < hi) {
      this.work++;
      const mid = (lo + hi) >>> 1;
      const before = strict ? seqLe(ends[mid]!, seq) : seqLt(ends[mid]!, seq);
      if (before) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first island (from `lo`) that starts after `seq`, or the island count. */
  private firstStartingAfter(seq: number, lo: number): number {
    const starts = this.starts;
    let hi = starts.length;
    while (lo < hi) {
      this.work++;
      const mid = (lo + hi) >>> 1;
      if (seqLe(starts[mid]!, seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Span of window that earns `perWindow` islands: 64 KiB, the largest window without scaling (RFC 7323 §2). */
export const WINDOW_UNIT = 65536;

/** Recently changed islands remembered for SACK blocks: the most a SACK option carries (RFC 2018 §3). */
const MAX_RECENT = 4;

const NONE: number[] = [];
