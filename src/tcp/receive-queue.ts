/**
 * The receive buffer: every received octet is copied once, at its place in
 * the byte stream, into storage this queue owns — never a view that pins the
 * packet it came in. In-order bytes (RCV.NXT's side) are readable; bytes
 * beyond them are held for the reassembler (reassembly.ts), which says which
 * ranges are filled and when they join the readable part (`commit`).
 *
 * Storage is a run of pages covering stream positions from the read point
 * on, allocated on demand (a connection that has received nothing holds
 * none) and dropped once read (once a bulk stream has reached full-sized
 * pages, an emptied page with room is kept for the stream to go on in). A page is never written again after the application has read from
 * it, so `read` can hand out views instead of copies. Pages grow with the
 * stream (1 KiB doubling to 64 KiB), and an in-order write that does not fit
 * the little room left at the end of the last page starts a new page, so
 * segments rarely straddle pages and reads rarely copy. Memory held is at
 * most the bytes in flight to the reader (≤ the window the caller enforces)
 * plus one page at each end and the unused ends of pages (< 1/16 each),
 * whatever the segment sizes (TCP-BEHAVIOR R9).
 * A payload is a view of a received packet, valid only during the call that
 * delivers it (Link contract, segment.ts: a link may reuse its buffer), so it
 * is copied — unless the link gave the packet away (RX_OWNED, `owned` below):
 * then a large in-order payload that fills its packet becomes a page as it
 * is (`adoptable`).
 * The model is smoltcp's RingBuffer + Assembler (socket/tcp.rs); pages rather
 * than one recycled ring because the application keeps what `read` returns.
 */
export class ReceiveQueue {
  /** Pages in stream order; page i covers [starts[i], starts[i+1]) (the last one up to its capacity). */
  private pages: Uint8Array[] = NO_PAGES;
  private starts: number[] = NO_STARTS;
  /** Index of the first live page (earlier slots are spent, cleared lazily). */
  private first = 0;
  /** Stream position of the next byte to read. */
  private rd = 0;
  /** Readable (in-order) bytes from `rd`. */
  private len = 0;
  /** Stream position after the highest byte written (≥ rd + len). */
  private hi = 0;

  /**
   * `bufferSize`: the receive buffer (SO_RCVBUF) this queue serves; pages are at most half of it. `position`:
   * the stream position it starts at (the octets a released queue had taken), as page sizes grow with it.
   */
  constructor(bufferSize = Infinity, position = 0) {
    this.maxPage = pageLimit(bufferSize);
    this.rd = this.hi = position;
  }

  /** Nothing held: no readable or written-ahead octets, no page (a queue made at `position` would be the same). */
  get idle(): boolean {
    return this.len === 0 && this.hi === this.rd && this.first === this.pages.length;
  }

  /** Largest page this queue allocates (pageLimit of its buffer size). */
  readonly maxPage: number;

  /** Readable bytes (Recv-Q). */
  get length(): number {
    return this.len;
  }

  /** Bytes of storage held (pages), for memory accounting; at most receiveMemoryBound(the span of stream held). */
  get memory(): number {
    let m = 0;
    for (let i = this.first; i < this.pages.length; i++) m += this.pages[i]!.buffer.byteLength; // an adopted page pins its packet
    return m;
  }

  /**
   * Append in-order bytes (they become readable at once). The caller keeps `data`: it is copied, unless
   * `owned` (its buffer is ours to keep, never written again: Segment.payloadOwned) and it is `adoptable`.
   */
  push(data: Uint8Array, owned = false): void {
    if (data.length === 0) return;
    this.write(this.rd + this.len, data, owned);
    this.len += data.length;
  }

  /**
   * Store bytes `offset` octets past the readable end (offset ≥ 0), not yet
   * readable: the reassembler's out-of-order data. Octets already stored there
   * are overwritten (a correct peer resends the same bytes).
   */
  writeAhead(offset: number, data: Uint8Array): void {
    if (data.length === 0) return;
    this.write(this.rd + this.len + offset, data, false);
  }

  /** `n` octets stored past the readable end (by writeAhead) join the readable part. */
  commit(n: number): void {
    if (n <= 0) return;
    if (this.rd + this.len + n > this.hi) throw new RangeError(`ReceiveQueue.commit: ${n} bytes were never written`);
    this.len += n;
  }

  /**
   * Up to `max` readable bytes (exactly min(max, length)), or null when none.
   * A view of the storage when they lie in one page (the page is never
   * written again, so the view stays valid), else one copy. `contiguous`: stop
   * at the end of the first page instead (fewer bytes, never a copy; the next
   * read goes on from there), for a reader to which chunk sizes are free.
   */
  read(max = Infinity, contiguous = false): Uint8Array | null {
    if (this.len === 0 || max <= 0) return null;
    // A kept page that an append ended early (cover) is spent once a page after it starts at the read point.
    if (this.pageEnd(this.first) <= this.rd) this.dropRead();
    const i = this.first;
    const n = contiguous ? Math.min(max, this.len, this.pageEnd(i) - this.rd) : Math.min(max, this.len);
    const at = this.rd - this.starts[i]!;
    const out = this.rd + n <= this.pageEnd(i) ? this.pages[i]!.subarray(at, at + n) : this.copyOut(n);
    this.rd += n;
    this.len -= n;
    this.dropRead();
    return out;
  }

  private copyOut(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let pos = this.rd;
    let filled = 0;
    for (let i = this.first; filled < n; i++) {
      const start = this.starts[i]!;
      const take = Math.min(n - filled, this.pageEnd(i) - pos);
      out.set(this.pages[i]!.subarray(pos - start, pos - start + take), filled);
      filled += take;
      pos += take;
    }
    return out;
  }

  /** Stream position where page i ends: the next page's start, or the last page's capacity. */
  private pageEnd(i: number): number {
    return i + 1 < this.pages.length ? this.starts[i + 1]! : this.starts[i]! + this.pages[i]!.length;
  }

  /** Forget pages wholly read; when nothing is left, forget the last page too unless it is worth keeping. */
  private dropRead(): void {
    const pages = this.pages;
    while (this.first < pages.length && this.pageEnd(this.first) <= this.rd) {
      pages[this.first] = SPENT;
      this.first++;
    }
    if (this.first === pages.length || (this.len === 0 && this.hi === this.rd && !this.worthKeeping(this.first))) {
      this.release();
    } else if (this.first > 16 && this.first * 2 > pages.length) {
      this.pages = pages.slice(this.first);
      this.starts = this.starts.slice(this.first);
      this.first = 0;
    }
  }

  /** An emptied last page is kept for the stream to go on in only when it is full-sized and has room left. */
  private worthKeeping(i: number): boolean {
    const size = this.pages[i]!.length;
    return size === this.maxPage && this.starts[i]! + size - this.hi >= MIN_PAGE;
  }

  private release(): void {
    this.pages = NO_PAGES;
    this.starts = NO_STARTS;
    this.first = 0;
  }

  /** Copy `data` to stream position `pos` (≥ rd), adding pages as needed (or adopt it: `owned`). */
  private write(pos: number, data: Uint8Array, owned: boolean): void {
    const end = pos + data.length;
    this.cover(pos, end, owned && adoptable(data) ? data : undefined);
    // Find the page holding `pos`: writes land near the end, so search backwards.
    let i = this.pages.length - 1;
    while (this.starts[i]! > pos) i--;
    let p = pos;
    let from = 0;
    while (p < end) {
      const page = this.pages[i]!;
      const take = Math.min(end, this.pageEnd(i)) - p;
      if (page !== data) page.set(from === 0 && take === data.length ? data : data.subarray(from, from + take), p - this.starts[i]!);
      p += take;
      from += take;
      i++;
    }
    if (end > this.hi) this.hi = end;
  }

  /** Make pages cover stream positions up to `end` for a write at `pos`; `adopt`: the data to take as a page, if it starts one. */
  private cover(pos: number, end: number, adopt: Uint8Array | undefined): void {
    // Nothing held (all read) and a payload to adopt: let go of the kept page rather than straddle it.
    if (pos === this.rd && this.len === 0 && this.hi === pos && adopt !== undefined) this.release();
    let covered: number;
    if (this.first === this.pages.length) {
      // No storage: the first page starts at the read point, so coverage stays contiguous.
      this.release();
      covered = this.rd;
    } else {
      const last = this.pages.length - 1;
      const lastStart = this.starts[last]!;
      covered = lastStart + this.pages[last]!.length;
      if (end <= covered) return;
      // An in-order append that does not fit the little room left (< 1/16 page) at the end of the
      // last page: end that page here and start the data on a fresh one, so it lies in one page.
      if (pos === this.hi && pos > lastStart && covered - pos < this.pages[last]!.length / 16) covered = pos;
    }
    if (pos === covered && adopt !== undefined) {
      this.append(adopt, pos);
      return;
    }
    while (covered < end) covered += this.addPage(covered, end - covered);
  }

  /** Append a page starting at stream position `start`; returns its capacity. */
  private addPage(start: number, need: number): number {
    if (this.pages.length === 0 && need <= SMALL_PAGE_MAX) {
      // The first page of little data (a request, a 1-byte reply): a small slice of a shared slab.
      const size = Math.ceil(need / SMALL_PAGE_STEP) * SMALL_PAGE_STEP;
      this.append(smallPage(size), start);
      return size;
    }
    let size = MIN_PAGE;
    while (size < this.maxPage && (size * 2 <= start || size < need)) size *= 2;
    this.append(new Uint8Array(size), start);
    return size;
  }

  /** The page becomes the last one; the first is held in arrays of one (most connections never have a second). */
  private append(page: Uint8Array, start: number): void {
    if (this.pages.length === 0) {
      this.pages = [page];
      this.starts = [start];
    } else {
      this.pages.push(page);
      this.starts.push(start);
    }
  }
}

/**
 * A large payload that (nearly) fills the packet it came in becomes a page
 * itself instead of being copied: pinning its packet costs at most 1/15 more
 * than a copy would, and it saves the copy and a fresh page. Small payloads
 * (where pinning multiplies memory) are always copied. Only for a packet the
 * link gave away (link.ts RX_OWNED): a delivered packet is otherwise valid
 * only during the call.
 */
function adoptable(data: Uint8Array): boolean {
  return data.length >= ADOPT_MIN && data.length * 16 >= data.buffer.byteLength * 15;
}

const ADOPT_MIN = 16 * 1024;

/** Smallest and largest page: small for a connection that moves little, large for bulk. */
export const MIN_PAGE = 1024;
export const MAX_PAGE = 64 * 1024;

/**
 * A first page for at most SMALL_PAGE_MAX bytes is a slice of a slab shared by
 * every queue (a multiple of SMALL_PAGE_STEP), not an ArrayBuffer of its own:
 * a fresh 1 KiB buffer per short connection cost more than the rest of its
 * receive path (allocation, zeroing, and the GC's tracking of external memory).
 * Slices never overlap and are never handed out twice, so a view `read` returned
 * stays valid; a slice pins its slab (MIN_PAGE bytes, no more than the page a
 * queue would have allocated), which `memory` counts whole.
 */
export const SMALL_PAGE_MAX = 256;
const SMALL_PAGE_STEP = 64;
const SLAB_BYTES = MIN_PAGE;
let slab = new Uint8Array(0);
let slabUsed = 0;

function smallPage(size: number): Uint8Array {
  if (slabUsed + size > slab.length) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  slabUsed += size;
  return slab.subarray(slabUsed - size, slabUsed);
}

/** Largest page for a receive buffer of `bufferSize` octets: half of it (a power of two), within MIN_PAGE..MAX_PAGE. */
export function pageLimit(bufferSize: number): number {
  let size = MIN_PAGE;
  while (size < MAX_PAGE && size * 4 <= bufferSize) size *= 2;
  return size;
}

/**
 * Most storage a queue holds when the bytes from its read point to the
 * highest byte written span `span` octets (for a connection: its receive
 * buffer size, plus the window scale's rounding — the most the window lets
 * in): pages at least 15/16 used, plus a page at each end. With
 * `maxPage = pageLimit(SO_RCVBUF)` the two end pages add at most
 * SO_RCVBUF + 2 KiB.
 */
export function receiveMemoryBound(span: number, maxPage = MAX_PAGE): number {
  return Math.ceil((span * 16) / 15) + 2 * maxPage;
}

const NO_PAGES: Uint8Array[] = [];
const NO_STARTS: number[] = [];
const SPENT = new Uint8Array(0);
