import { seqDiff, seqGt, seqLe, seqLt } from './seq.js';

/**
 * Sorted, non-overlapping ranges of sequence space [start, end) — the
 * reassembler's islands — kept in chunks of at most CHUNK ranges, so that
 * no change moves more than a chunk's worth of them plus (rarely, on a split
 * or a join) the list of chunks: the per-segment work stays bounded when a
 * large window holds thousands of islands. Every chunk but a lone one holds
 * at least CHUNK/4, so there are at most 4n/CHUNK + 1 chunks. (A B+-tree of
 * two levels; Linux keeps its out-of-order queue in an rbtree.) Positions
 * are cursors [chunk, index] valid until the next change.
 */
export class IslandSet {
  private chunks: Chunk[] = [];
  private n = 0;
  /** Elementary steps taken (search probes, ranges moved): for tests of the cost bound. */
  work = 0;

  /** Number of ranges. */
  get count(): number {
    return this.n;
  }

  /** Number of chunks (for tests of the bound). */
  get chunkCount(): number {
    return this.chunks.length;
  }

  /** Start and end of the range at a cursor. */
  startAt(c: number, k: number): number {
    return this.chunks[c]!.s[k]!;
  }

  endAt(c: number, k: number): number {
    return this.chunks[c]!.e[k]!;
  }

  /** The highest end, or undefined when empty. */
  get lastEnd(): number | undefined {
    const ch = this.chunks[this.chunks.length - 1];
    return ch === undefined ? undefined : ch.e[ch.e.length - 1];
  }

  /** Cursor of the first range whose end is at or after `x` (`strict`: after), or [chunk count, 0]. Binary searches. */
  seekEnd(x: number, strict = false): [number, number] {
    const chunks = this.chunks;
    const before = (end: number): boolean => (strict ? seqLe(end, x) : seqLt(end, x));
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      this.work++;
      const mid = (lo + hi) >>> 1;
      const e = chunks[mid]!.e;
      if (before(e[e.length - 1]!)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === chunks.length) return [lo, 0];
    const e = chunks[lo]!.e;
    let a = 0;
    let b = e.length;
    while (a < b) {
      this.work++;
      const mid = (a + b) >>> 1;
      if (before(e[mid]!)) a = mid + 1;
      else b = mid;
    }
    return [lo, a];
  }

  /** Insert [s, e) before the cursor (the end cursor appends); the caller keeps ranges disjoint and non-adjacent. */
  insertAt(c: number, k: number, s: number, e: number): void {
    const chunks = this.chunks;
    if (chunks.length === 0) {
      chunks.push({ s: [s], e: [e] });
      this.n = 1;
      return;
    }
    if (c === chunks.length) {
      c = chunks.length - 1;
      k = chunks[c]!.s.length;
    }
    const ch = chunks[c]!;
    ch.s.splice(k, 0, s);
    ch.e.splice(k, 0, e);
    this.work += ch.s.length - k;
    this.n++;
    if (ch.s.length > CHUNK) {
      const half = ch.s.length >>> 1;
      chunks.splice(c + 1, 0, { s: ch.s.splice(half), e: ch.e.splice(half) });
      this.work += CHUNK + chunks.length - c;
    }
  }

  /**
   * The range at the cursor takes in [s, e) (which overlaps or touches it)
   * and every later range that starts at or before `e`. Returns the merged
   * range and the octets the ranges it replaced held.
   */
  merge(c: number, k: number, s: number, e: number): [start: number, end: number, held: number] {
    const chunks = this.chunks;
    const ch = chunks[c]!;
    const start = seqLt(s, ch.s[k]!) ? s : ch.s[k]!;
    let end = seqGt(e, ch.e[k]!) ? e : ch.e[k]!;
    let held = seqDiff(ch.e[k]!, ch.s[k]!);
    // Later ranges in this chunk.
    let m = k + 1;
    while (m < ch.s.length && seqLe(ch.s[m]!, e)) {
      held += seqDiff(ch.e[m]!, ch.s[m]!);
      end = seqGt(ch.e[m]!, end) ? ch.e[m]! : end;
      m++;
    }
    const reachedEnd = m === ch.s.length;
    if (m > k + 1) {
      ch.s.splice(k + 1, m - k - 1);
      ch.e.splice(k + 1, m - k - 1);
      this.work += ch.s.length;
      this.n -= m - k - 1;
    }
    // Later chunks: whole ones absorbed, then the front of the next.
    if (reachedEnd) {
      let d = c + 1;
      while (d < chunks.length) {
        const nx = chunks[d]!;
        let q = 0;
        while (q < nx.s.length && seqLe(nx.s[q]!, e)) {
          held += seqDiff(nx.e[q]!, nx.s[q]!);
          end = seqGt(nx.e[q]!, end) ? nx.e[q]! : end;
          q++;
        }
        this.work += q;
        this.n -= q;
        if (q < nx.s.length) {
          if (q > 0) {
            nx.s.splice(0, q);
            nx.e.splice(0, q);
            this.work += nx.s.length;
          }
          break;
        }
        d++;
      }
      if (d > c + 1) {
        chunks.splice(c + 1, d - c - 1);
        this.work += chunks.length;
      }
    }
    ch.s[k] = start;
    ch.e[k] = end;
    if (c + 1 < chunks.length) this.rebalance(c + 1);
    this.rebalance(c);
    return [start, end, held];
  }

  /** Remove the first `m` ranges. */
  dropFirst(m: number): void {
    const chunks = this.chunks;
    this.n -= m;
    let whole = 0;
    while (whole < chunks.length && chunks[whole]!.s.length <= m) m -= chunks[whole++]!.s.length;
    if (whole > 0) {
      chunks.splice(0, whole);
      this.work += chunks.length;
    }
    if (m > 0) {
      const ch = chunks[0]!;
      ch.s.splice(0, m);
      ch.e.splice(0, m);
      this.work += ch.s.length;
    }
    if (chunks.length > 0) this.rebalance(0);
  }

  /** Visit ranges from the highest down while `f` returns true. */
  eachFromTop(f: (start: number, end: number) => boolean): void {
    for (let c = this.chunks.length - 1; c >= 0; c--) {
      const ch = this.chunks[c]!;
      for (let k = ch.s.length - 1; k >= 0; k--) {
        this.work++;
        if (!f(ch.s[k]!, ch.e[k]!)) return;
      }
    }
  }

  /** Visit ranges from the lowest up while `f` returns true. */
  eachFromBottom(f: (start: number, end: number) => boolean): void {
    for (const ch of this.chunks) {
      for (let k = 0; k < ch.s.length; k++) {
        this.work++;
        if (!f(ch.s[k]!, ch.e[k]!)) return;
      }
    }
  }

  /** A chunk under CHUNK/4 (but not a lone one) joins its neighbour, or takes ranges from it; empty chunks go. */
  private rebalance(c: number): void {
    const chunks = this.chunks;
    const ch = chunks[c]!;
    if (ch.s.length >= CHUNK / 4 || chunks.length === 1) {
      if (ch.s.length === 0) chunks.splice(c, 1);
      return;
    }
    const [a, b] = c + 1 < chunks.length ? [c, c + 1] : [c - 1, c];
    const left = chunks[a]!;
    const right = chunks[b]!;
    this.work += CHUNK;
    if (left.s.length + right.s.length <= CHUNK) {
      left.s.push(...right.s);
      left.e.push(...right.e);
      chunks.splice(b, 1);
      this.work += chunks.length;
    } else if (left.s.length < right.s.length) {
      const take = (right.s.length - left.s.length) >>> 1;
      left.s.push(...right.s.splice(0, take));
      left.e.push(...right.e.splice(0, take));
    } else {
      const take = (left.s.length - right.s.length) >>> 1;
      right.s.unshift(...left.s.splice(left.s.length - take));
      right.e.unshift(...left.e.splice(left.e.length - take));
    }
  }
}

interface Chunk {
  /** Starts and ends of the chunk's ranges, in order. */
  s: number[];
  e: number[];
}

/** Most ranges in a chunk. */
export const CHUNK = 128;
