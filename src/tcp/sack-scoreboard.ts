import { seqDiff, seqGe, seqGt, seqLe, seqLt } from './seq.js';

/**
 * The sender's view of what the receiver holds above SND.UNA, from SACK
 * blocks (RFC 2018, RFC 6675 §3 "scoreboard"). Kept as sorted,
 * non-overlapping, non-adjacent intervals [start, end) of sequence numbers —
 * one entry per SACKed island, never per segment or byte.
 */
export class SackScoreboard {
  /** Flat array of interval edges: [s0, e0, s1, e1, …], ascending. */
  private edges: number[] = [];
  private bytes = 0;

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

  private add(s: number, e: number): void {
    const ed = this.edges;
    // First island whose end reaches s (touching islands merge).
    let i = 0;
    while (i < ed.length && seqLt(ed[i + 1]!, s)) i += 2;
    let j = i;
    while (j < ed.length && seqLe(ed[j]!, e)) j += 2;
    if (i === j) {
      ed.splice(i, 0, s, e);
      this.bytes += seqDiff(e, s);
      return;
    }
    const ns = seqLt(ed[i]!, s) ? ed[i]! : s;
    const ne = seqGt(ed[j - 1]!, e) ? ed[j - 1]! : e;
    let removed = 0;
    for (let k = i; k < j; k += 2) removed += seqDiff(ed[k + 1]!, ed[k]!);
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
    if (drop > 0) ed.splice(0, drop);
    if (ed.length && seqLt(ed[0]!, una)) {
      this.bytes -= seqDiff(una, ed[0]!);
      ed[0] = una;
    }
  }

  isSacked(seq: number): boolean {
    const ed = this.edges;
    for (let i = 0; i < ed.length; i += 2) {
      if (seqLt(seq, ed[i]!)) return false;
      if (seqLt(seq, ed[i + 1]!)) return true;
    }
    return false;
  }

  /** SACKed octets in [una, x). */
  sackedBelow(x: number): number {
    const ed = this.edges;
    let n = 0;
    for (let i = 0; i < ed.length; i += 2) {
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
   */
  lostEdge(una: number, mss: number, dupThresh: number): number {
    const ed = this.edges;
    let above = 0;
    let islands = 0;
    for (let i = ed.length - 2; i >= 0; i -= 2) {
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
    let seq = from;
    for (let i = 0; i < ed.length; i += 2) {
      if (seqLt(seq, ed[i]!)) return { seq, end: ed[i]! };
      if (seqLt(seq, ed[i + 1]!)) seq = ed[i + 1]!;
    }
    return seqLt(seq, nxt) ? { seq, end: nxt } : undefined;
  }
}
