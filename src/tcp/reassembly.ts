import type { ReceiveQueue } from './receive-queue.js';
import { IslandSet } from './island-set.js';
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
 * Per segment: binary searches (O(log n)) and moves of at most a chunk of
 * islands plus, on a chunk split or join, the chunk list (island-set.ts);
 * SACK blocks come from the few most recently changed islands (Linux's
 * selective_acks), not a scan.
 */
export class Reassembly {
  private islands = new IslandSet();
  /** A sequence number inside each of the most recently changed islands, newest first (≤ MAX_RECENT, distinct islands). */
  private recent: number[] = [];
  private bytes = 0;

  constructor(
    private readonly queue: ReceiveQueue,
    private readonly perWindow = 64,
  ) {}

  /** Out-of-order bytes held. */
  get size(): number {
    return this.bytes;
  }

  get isEmpty(): boolean {
    return this.islands.count === 0;
  }

  /** Number of islands held. */
  get blockCount(): number {
    return this.islands.count;
  }

  /** Elementary steps taken by the island set (search probes, islands moved): for tests of the per-segment cost bound. */
  get work(): number {
    return this.islands.work;
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
    const islands = this.islands;
    // The first island that ends at or after s: [s, e) merges with it when it starts at or before e.
    const [c, k] = islands.seekEnd(s);
    if (c < islands.chunkCount && seqLe(islands.startAt(c, k), e)) {
      const [start, end, held] = islands.merge(c, k, s, e);
      this.bytes += seqDiff(end, start) - held;
      this.touch(s, start, end);
    } else {
      const last = islands.lastEnd;
      const top = last !== undefined && seqGt(last, e) ? last : e;
      if (islands.count >= this.limitFor(seqDiff(top, rcvNxt))) return false;
      islands.insertAt(c, k, s, e);
      this.bytes += data.length;
      this.touch(s, s, e);
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
    if (this.islands.count === 0) return 0;
    let joined = 0;
    let m = 0;
    this.islands.eachFromBottom((start, end) => {
      if (seqGt(start, rcvNxt)) return false;
      this.bytes -= seqDiff(end, start);
      if (seqGt(end, rcvNxt)) joined = seqDiff(end, rcvNxt); // islands do not touch: only one can reach past RCV.NXT
      m++;
      return true;
    });
    if (m > 0) {
      this.islands.dropFirst(m);
      const readable = seqAdd(rcvNxt, joined);
      this.recent = this.recent.filter((a) => !seqLt(a, readable));
    }
    this.queue.commit(joined);
    return joined;
  }

  /** The lowest part of [seq, end) already held — a duplicate to report by D-SACK (RFC 2883) — or undefined. */
  overlap(seq: number, end: number): [number, number] | undefined {
    const [c, k] = this.islands.seekEnd(seq, true);
    if (c === this.islands.chunkCount) return undefined;
    const s = this.islands.startAt(c, k);
    const e = this.islands.endAt(c, k);
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
    for (const a of this.recent) {
      if (out.length >= max) return out;
      const [c, k] = this.islands.seekEnd(a, true);
      if (c === this.islands.chunkCount || seqGt(this.islands.startAt(c, k), a)) continue;
      out.push([this.islands.startAt(c, k), this.islands.endAt(c, k)]);
    }
    const listed = out.length;
    this.islands.eachFromTop((start, end) => {
      if (out.length >= max) return false;
      let seen = false;
      for (let i = 0; i < listed; i++) if (out[i]![0] === start) seen = true;
      if (!seen) out.push([start, end]);
      return true;
    });
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
}

/** Span of window that earns `perWindow` islands: 64 KiB, the largest window without scaling (RFC 7323 §2). */
export const WINDOW_UNIT = 65536;

/** Recently changed islands remembered for SACK blocks: the most a SACK option carries (RFC 2018 §3). */
const MAX_RECENT = 4;
