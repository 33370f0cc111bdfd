import { seqDiff, seqGe, seqGt, seqLe, seqLt } from './seq.js';

/**
 * Most SACKed islands the scoreboard keeps. A peer can report an island per
 * byte (the CVE-2019-11478 class); beyond this cap a block that would open a
 * new island is ignored — ignoring SACK information is always safe (RFC 2018
 * §8: the sender may not rely on it anyway), only less efficient. Blocks that
 * touch an island are still merged, and room returns as SND.UNA advances.
 */
export const MAX_SACK_ISLANDS = 256;

/**
 * The sender's view of what the receiver holds above SND.UNA, from SACK
 * blocks (RFC 2018, RFC 6675 §3 "scoreboard"). Kept as sorted,
 * non-overlapping, non-adjacent intervals [start, end) of sequence numbers —
 * one entry per SACKed island, never per segment or byte, at most
 * MAX_SACK_ISLANDS of them. Lookups are binary searches; an insert is a
 * search and one splice of at most 2·MAX_SACK_ISLANDS edges, so the work of
 * one ACK is bounded whatever the peer sends (R9).
 */
export class SackScoreboard {
  /** Flat array of interval edges: [s0, e0, s1, e1, …], ascending. */
  private edges: number[] = [];
  private bytes = 0;
  /** Operations done so far (search steps, edges scanned or moved): the cost measure tests bound. */
  work = 0;

  /** Octets SACKed above SND.UNA. */
  get sackedBytes(): number {
    return this.bytes;
  }

  get isEmpty(): boolean {
    return this.edges.length === 0;
  }

  /** Number of SACKed islands. */
  get blockCount(): number {
    return this.edges.length >> 1;
  }

  /** End of the highest SACKed island (RFC 6675 "HighACK" side of the scoreboard), or undefined. */
  get highestSacked(): number | undefined {
    return this.edges.length ? this.edges[this.edges.length - 1] : undefined;
  }

  /** The islands, lowest first (a copy, for tests and `ss`). */
  blocks(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < this.edges.length; i += 2) out.push([this.edges[i]!, this.edges[i + 1]!]);
    return out;
  }

  clear(): void {
    this.edges.length = 0;
    this.bytes = 0;
  }

  /**
   * Merge the SACK blocks of one ACK. Blocks are clipped to [una, nxt); blocks
   * that are empty, inverted or entirely outside are ignored (a D-SACK block
   * below SND.UNA, RFC 2883, or a bogus one). Returns the octets newly SACKed.
   */
  update(blocks: ReadonlyArray<readonly [number, number]>, una: number, nxt: number): number {
    const before = this.bytes;
    for (const [s0, e0] of blocks) {
      let s = s0 >>> 0;
      let e = e0 >>> 0;
      if (!seqLt(s, e)) continue;
      if (seqLt(s, una)) s = una;
      if (seqGt(e, nxt)) e = nxt;
      if (!seqLt(s, e)) continue;
      this.add(s, e);
    }
    return this.bytes - before;
  }

  /**
   * Index (even) of the first island, from island index `from` (even) on,
   * whose start (`side` 0) or end (`side` 1) lies after `x`, or at `x` too
   * when `orAt`; edges.length if none. Islands are sorted and disjoint, so
   * starts and ends both increase: a binary search.
   */
  private firstIsland(side: 0 | 1, x: number, orAt: boolean, from = 0): number {
    const ed = this.edges;
    let lo = from >> 1;
    let hi = ed.length >> 1;
    while (lo < hi) {
      this.work++;
      const mid = (lo + hi) >> 1;
      const edge = ed[2 * mid + side]!;
      if (orAt ? seqLt(edge, x) : seqLe(edge, x)) lo = mid + 1;
      else hi = mid;
    }
    return 2 * lo;
  }

  private add(s: number, e: number): void {
    const ed = this.edges;
    const i = this.firstIsland(1, s, true); // the first island ending at or after s (touching islands merge)
    const j = this.firstIsland(0, e, false, i); // the first island starting after e
    if (i === j) {
      if (ed.length >= 2 * MAX_SACK_ISLANDS) return; // a new island over the cap: ignored
      this.work += ed.length - i;
      ed.splice(i, 0, s, e);
      this.bytes += seqDiff(e, s);
      return;
    }
    const ns = seqLt(ed[i]!, s) ? ed[i]! : s;
    const ne = seqGt(ed[j - 1]!, e) ? ed[j - 1]! : e;
    let removed = 0;
    for (let k = i; k < j; k += 2) removed += seqDiff(ed[k + 1]!, ed[k]!);
    this.work += (j - i) + (ed.length - j);
    ed.splice(i, j - i, ns, ne);
    this.bytes += seqDiff(ne, ns) - removed;
  }

  /** SND.UNA moved to `una`: forget what lies below it. */
  advance(una: number): void {
    const ed = this.edges;
    let drop = 0;
    while (drop < ed.length && seqLe(ed[drop + 1]!, una)) {
      this.bytes -= seqDiff(ed[drop + 1]!, ed[drop]!);
      drop += 2;
    }
    this.work += drop + (drop > 0 ? ed.length - drop : 0);
    if (drop > 0) ed.splice(0, drop);
    if (ed.length && seqLt(ed[0]!, una)) {
      this.bytes -= seqDiff(una, ed[0]!);
      ed[0] = una;
    }
  }

  isSacked(seq: number): boolean {
    const ed = this.edges;
    // The first island ending after seq holds it if it starts at or before it.
    const i = this.firstIsland(1, seq, false);
    return i < ed.length && seqGe(seq, ed[i]!);
  }

  /** SACKed octets in [una, x): a scan of at most MAX_SACK_ISLANDS islands. */
  sackedBelow(x: number): number {
    const ed = this.edges;
    let n = 0;
    for (let i = 0; i < ed.length; i += 2) {
      this.work++;
      if (seqGe(ed[i]!, x)) break;
      n += seqDiff(seqLt(ed[i + 1]!, x) ? ed[i + 1]! : x, ed[i]!);
    }
    return n;
  }

  /**
   * RFC 6675 §4 IsLost(): an unSACKed octet is lost when DupThresh
   * discontiguous SACKed islands lie above it, or more than (DupThresh − 1)·SMSS
   * SACKed octets do. Those octets form a prefix: the holes below the returned
   * sequence number are lost, those above are not. Returns `una` when none is.
   * At most DupThresh islands are visited.
   */
  lostEdge(una: number, mss: number, dupThresh: number): number {
    const ed = this.edges;
    let above = 0;
    let islands = 0;
    for (let i = ed.length - 2; i >= 0; i -= 2) {
      this.work++;
      above += seqDiff(ed[i + 1]!, ed[i]!);
      islands++;
      if (islands >= dupThresh || above > (dupThresh - 1) * mss) return ed[i]!;
    }
    return una;
  }

  /**
   * The first unSACKed octet at or after `from` and where its hole ends (the
   * next island's start, or `nxt`). Returns undefined when nothing below `nxt` is unSACKed.
   */
  nextHole(from: number, nxt: number): { seq: number; end: number } | undefined {
    const ed = this.edges;
    // Islands are never adjacent, so the hole starts at `from` or at the end of the island holding it.
    const i = this.firstIsland(1, from, true);
    let seq = from;
    let k = i;
    if (k < ed.length && seqLe(ed[k]!, from)) {
      seq = ed[k + 1]!;
      k += 2;
    }
    if (k < ed.length) return { seq, end: ed[k]! };
    return seqLt(seq, nxt) ? { seq, end: nxt } : undefined;
  }
}
