/**
 * The send queue: bytes the application handed over that the peer has not
 * acknowledged yet. Byte 0 is the octet at SND.UNA once the SYN is acked.
 *
 * One ring buffer, copied into on push (so callers may reuse their
 * buffers) — the only copy on the send path before the packet itself.
 * Every operation is O(1) apart from that copy: no per-chunk bookkeeping,
 * no Array.shift. `peek` returns a view into the ring (`locate` its place,
 * for the send path, which makes no view); a range that wraps
 * around the end is made contiguous by mirroring its head into a slack area
 * after the ring (no allocation), so a segment is never assembled by copying.
 * The ring is allocated on first use, sized to what is written: the first
 * holds MIN_RING bytes (a small request or response fits) and it grows by
 * doubling up to `limit`, so a 1-byte write no longer costs a zeroed 32 KiB.
 * Once everything in it has been acknowledged it is released, as Linux frees
 * acked skbs, so an idle connection holds no send memory — a small ring goes
 * back to a shared, bounded free list (ring-pool.ts) that the next write of
 * any connection takes from, so a request/response connection does not
 * allocate a ring per exchange; a large one is left to the collector.
 * `capacity` (what `push` accepts) may be raised up to `limit` on the way
 * (send-buffer autotuning): the ring still grows by doubling then, never in
 * small steps that would copy the whole buffer again and again.
 */
import { POOLED_RING_BYTES, giveSmallRing, takeSmallRing } from './ring-pool.js';

export class SendBuffer {
  private ring: Uint8Array = EMPTY; // [0, size) the ring, [size, size + slack) the mirror area
  private size = 0;
  private slack = 0;
  private head = 0; // ring index of byte 0
  private len = 0;

  constructor(
    public capacity: number,
    private readonly limit = capacity,
  ) {}

  get length(): number {
    return this.len;
  }

  /** Bytes of storage held (the ring and its mirror area): 0 until the first push and once all is acknowledged. */
  get memory(): number {
    return this.ring.byteLength;
  }

  get free(): number {
    return Math.max(0, this.capacity - this.len);
  }

  /** Append up to `free` bytes of data; returns how many were taken. */
  push(data: Uint8Array): number {
    const n = Math.min(data.length, this.free);
    if (n === 0) return 0;
    if (this.len + n > this.size) this.grow(this.len + n);
    const tail = this.index(this.len);
    const first = Math.min(n, this.size - tail);
    this.ring.set(first === data.length ? data : data.subarray(0, first), tail);
    if (first < n) this.ring.set(data.subarray(first, n), 0);
    this.len += n;
    return n;
  }

  /** The storage `locate` returns places in (valid until the next push or drop). */
  get bytes(): Uint8Array {
    return this.ring;
  }

  /**
   * Where the `len` bytes starting `offset` bytes after the front lie contiguous in `bytes`, without a view
   * (the send path's payload, issue 11): their index, or -1 when they wrap by more than the mirror area holds
   * (only a range longer than any segment). Valid until the next push or drop.
   */
  locate(offset: number, len: number): number {
    if (offset < 0 || len < 0 || offset + len > this.len) {
      throw new RangeError(`SendBuffer: range (${offset}, ${len}) outside 0..${this.len}`);
    }
    const start = this.index(offset);
    const wrapped = start + len - this.size; // bytes that live at the ring's start
    if (wrapped <= 0) return start;
    if (wrapped > this.slack) return -1;
    this.ring.copyWithin(this.size, 0, wrapped);
    return start;
  }

  /** `len` bytes starting `offset` bytes after the front, as a view (valid until the next push or drop). */
  peek(offset: number, len: number): Uint8Array {
    const at = this.locate(offset, len);
    if (len === 0) return EMPTY;
    if (at >= 0) return this.ring.subarray(at, at + len);
    const start = this.index(offset);
    const wrapped = start + len - this.size;
    const out = new Uint8Array(len); // longer than the mirror area: only for huge peeks
    out.set(this.ring.subarray(start, this.size), 0);
    out.set(this.ring.subarray(0, wrapped), this.size - start);
    return out;
  }

  /** The ring index of the byte `offset` bytes after the front (0 ≤ offset ≤ length). */
  private index(offset: number): number {
    const i = this.head + offset;
    return i >= this.size ? i - this.size : i;
  }

  /** Forget `n` bytes from the front (they were acknowledged). */
  drop(n: number): void {
    n = Math.min(n, this.len);
    if (n <= 0) return;
    this.len -= n;
    if (this.len === 0) {
      // All acknowledged: an idle connection holds no send buffer (as Linux frees acked skbs); the next push allocates.
      giveSmallRing(this.ring);
      this.ring = EMPTY;
      this.size = this.slack = this.head = 0;
      return;
    }
    this.head += n;
    if (this.head >= this.size) this.head -= this.size;
  }

  /** Make room for `need` bytes: a larger ring with the contents moved to its start. */
  private grow(need: number): void {
    let size = Math.max(this.size, MIN_RING);
    while (size < need) size *= 2;
    size = Math.max(need, Math.min(size, Math.max(this.limit, this.capacity, need)));
    const slack = Math.min(MAX_SLACK, size);
    const ring = size + slack === POOLED_RING_BYTES ? takeSmallRing() : new Uint8Array(size + slack);
    if (this.len > 0) {
      const first = Math.min(this.len, this.size - this.head);
      ring.set(this.ring.subarray(this.head, this.head + first), 0);
      if (first < this.len) ring.set(this.ring.subarray(0, this.len - first), first);
    }
    giveSmallRing(this.ring);
    this.ring = ring;
    this.size = size;
    this.slack = slack;
    this.head = 0;
  }
}

const EMPTY = new Uint8Array(0);
/** The first ring: a small write costs this (plus as much mirror area), not the whole send buffer. */
const MIN_RING = POOLED_RING_BYTES / 2;
/** Longest range `peek` returns without allocating when it wraps: the largest possible segment. */
const MAX_SLACK = 65536;
