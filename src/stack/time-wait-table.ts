import type { OutSegment, Segment } from '../tcp/segment.js';
import {
  TimeWaitAction,
  timeWaitAck,
  timeWaitAcceptsSyn,
  timeWaitAction,
  timeWaitSuccessorIss,
  type TimeWait,
  type TimeWaitSnapshot,
} from '../tcp/time-wait.js';
import { allowChallengeAck } from '../tcp/acceptability.js';
import { ExpiryHeap } from './expiry-heap.js';
import { addrKey, familyKey, portsKey, tupleHash } from './tuple-hash.js';

const TS_OK = 1;
const V6 = 2;
/** Smallest table allocated: it grows by a quarter (in steps of 16 rows), up to the stack's tcp_max_tw_buckets. */
const INITIAL_ROWS = 16;
/** The 4-tuple index starts at this many slots and doubles to stay at most half full. */
const INITIAL_SLOTS = 32;

/**
 * The stack's TIME_WAIT entries as rows of a table — a struct of typed
 * arrays, no object per entry — as Linux keeps timewait socks instead of
 * whole sockets, only smaller: 85–95 bytes a row (`bytesPerRow`), and at
 * most ~112 bytes per live IPv4 entry whatever the count past a thousand
 * (`bytesPerEntry`), the 4-tuple index included. A row holds what TIME_WAIT needs (RFC 9293
 * §3.10.7.4, RFC 1337, RFC 6191; rules in tcp/time-wait.ts): the 4-tuple,
 * SND.NXT, RCV.NXT, the window, TS.Recent and the TSval offset, the 2MSL
 * lifetime and deadline, and the challenge-ACK rate limit. IPv4 remote
 * addresses live in the row; IPv6 ones in a side table that only IPv6 rows
 * use. The local address is the interface's (the stack keeps one address
 * per interface).
 *
 * Rows are found by 4-tuple through an open-addressing index (linear
 * probing, kept at most half full) over the rows' own key columns, and by
 * deadline through a typed-array heap (expiry-heap.ts). The rows grow by a
 * quarter at a time, never past `maxRows`, and the index with the number of
 * live rows: doubling both (as before) left up to half the rows and three
 * quarters of the index unused, ~190 bytes per entry just past a power of two.
 * Free rows are chained through their (unused) address column, so a freed
 * row is the next one taken and the table grows only when every row is live.
 */
export class TimeWaitTable {
  private cap!: number;
  private count = 0;
  /** Connection id (as `ss` shows it); 0 marks a free row. */
  private ids!: Uint32Array;
  /** IPv4 remote address, or the IPv6 side-table slot. */
  private addrs!: Uint32Array;
  /** localPort << 16 | remotePort. */
  private ports!: Uint32Array;
  private ifaces!: Uint16Array;
  private flags!: Uint8Array;
  private windows!: Uint16Array;
  private sndNxts!: Uint32Array;
  private rcvNxts!: Uint32Array;
  private rcvWnds!: Uint32Array;
  private tsRecents!: Uint32Array;
  private tsOffsets!: Uint32Array;
  /** 2MSL, ms. */
  private durations!: Float64Array;
  /** RFC 5961 §7 rate limit: window start, ACKs sent in it, the limit. */
  private chStarts!: Float64Array;
  private chCounts!: Uint16Array;
  private chLimits!: Uint16Array;
  /** First free row + 1 (0: none); a free row's `addrs` holds the next free row + 1. */
  private freeHead!: number;
  /** 4-tuple index: row + 1 per slot, 0 empty; length a power of two ≥ 2 × the live rows. */
  private index!: Int32Array;
  private expiry!: ExpiryHeap;
  /** IPv6 remote addresses, 16 bytes a slot, with their own free stack: allocated with the first IPv6 row. */
  private v6Addrs!: Uint8Array;
  private v6Free!: Int32Array;
  private v6FreeTop!: number;

  constructor(readonly maxRows: number) {
    this.release();
  }

  get size(): number {
    return this.count;
  }

  get capacity(): number {
    return this.cap;
  }

  /**
   * Bytes the table holds, by construction: every typed array (the columns,
   * the 4-tuple index, the deadline heap and the IPv6 side table).
   */
  get byteLength(): number {
    const arrays = [this.ids, this.addrs, this.ports, this.ifaces, this.flags, this.windows, this.sndNxts, this.rcvNxts, this.rcvWnds, this.tsRecents, this.tsOffsets, this.durations, this.chStarts, this.chCounts, this.chLimits, this.index, this.v6Addrs, this.v6Free];
    let bytes = this.expiry.byteLength;
    for (const a of arrays) bytes += a.byteLength;
    return bytes;
  }

  /** Bytes one row costs: `byteLength` over the rows allocated. */
  get bytesPerRow(): number {
    return this.cap === 0 ? 0 : this.byteLength / this.cap;
  }

  /** Bytes one live entry costs: `byteLength` over the rows in use (free rows and index slack included). */
  get bytesPerEntry(): number {
    return this.count === 0 ? 0 : this.byteLength / this.count;
  }

  /** The row for this 4-tuple, or −1. */
  find(iface: number, localPort: number, remote: Uint8Array, remotePort: number): number {
    if (this.count === 0) return -1;
    const ports = portsKey(localPort, remotePort);
    const mask = this.index.length - 1;
    for (let i = tupleHash(addrKey(remote), ports, familyKey(iface, remote)) & mask; ; i = (i + 1) & mask) {
      const r = this.index[i]! - 1;
      if (r < 0) return -1;
      if (this.ports[r] === ports && this.ifaces[r] === iface && this.sameRemote(r, remote)) return r;
    }
  }

  /**
   * A row for the 4-tuple from the record a connection kept while it entered
   * TIME_WAIT (its deadline and rate-limit state carry over). −1 when the table
   * is at `maxRows`. The 4-tuple must not be in the table already.
   */
  add(iface: number, localPort: number, remote: Uint8Array, remotePort: number, id: number, tw: TimeWait): number {
    if (this.count >= this.maxRows) return -1;
    if (this.freeHead === 0) this.grow();
    if (2 * (this.count + 1) > this.index.length) this.reindex(Math.max(INITIAL_SLOTS, 2 * this.index.length));
    const r = this.freeHead - 1;
    this.freeHead = this.addrs[r]!;
    const s: Readonly<TimeWaitSnapshot> = tw.snapshot;
    this.ids[r] = id;
    this.ifaces[r] = iface;
    this.ports[r] = portsKey(localPort, remotePort);
    let flags = s.tsOk ? TS_OK : 0;
    if (remote.length === 4) {
      this.addrs[r] = addrKey(remote);
    } else {
      flags |= V6;
      const slot = this.v6Slot();
      this.v6Addrs.set(remote, slot * 16);
      this.addrs[r] = slot;
    }
    this.flags[r] = flags;
    this.windows[r] = s.windowField;
    this.sndNxts[r] = s.sndNxt;
    this.rcvNxts[r] = s.rcvNxt;
    this.rcvWnds[r] = s.rcvWnd;
    this.tsRecents[r] = s.tsRecent;
    this.tsOffsets[r] = s.tsOffset;
    this.durations[r] = s.duration;
    this.chStarts[r] = tw.challengeWindowStart;
    this.chCounts[r] = Math.min(tw.challengeCount, 0xffff);
    this.chLimits[r] = Math.min(s.challengeAckLimit, 0xffff);
    this.expiry.set(r, tw.expiresAt);
    const mask = this.index.length - 1;
    let i = tupleHash(addrKey(remote), this.ports[r]!, familyKey(iface, remote)) & mask;
    while (this.index[i] !== 0) i = (i + 1) & mask;
    this.index[i] = r + 1;
    this.count++;
    return r;
  }

  /** Forget a row (expired, aborted, or reopened by a new SYN). */
  delete(r: number): void {
    if (this.ids[r] === 0) return;
    this.unindex(r);
    this.expiry.remove(r);
    if (this.flags[r]! & V6) this.v6Free[this.v6FreeTop++] = this.addrs[r]!;
    this.ids[r] = 0;
    this.addrs[r] = this.freeHead;
    this.freeHead = r + 1;
    if (--this.count === 0) this.release();
  }

  // ── what a row says ──

  /** The connection id of a live row, 0 for a free one. */
  id(r: number): number {
    return this.ids[r]!;
  }
  iface(r: number): number {
    return this.ifaces[r]!;
  }
  localPort(r: number): number {
    return this.ports[r]! >>> 16;
  }
  remotePort(r: number): number {
    return this.ports[r]! & 0xffff;
  }
  /** The remote address (a new array). */
  remoteAddress(r: number): Uint8Array {
    if (this.flags[r]! & V6) return this.v6Addrs.slice(this.addrs[r]! * 16, this.addrs[r]! * 16 + 16);
    const a = this.addrs[r]!;
    return Uint8Array.of(a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff);
  }
  expiresAt(r: number): number {
    return this.expiry.deadline(r);
  }
  sndNxt(r: number): number {
    return this.sndNxts[r]!;
  }
  rcvNxt(r: number): number {
    return this.rcvNxts[r]!;
  }
  snapshot(r: number): TimeWaitSnapshot {
    return {
      sndNxt: this.sndNxts[r]!,
      rcvNxt: this.rcvNxts[r]!,
      windowField: this.windows[r]!,
      rcvWnd: this.rcvWnds[r]!,
      tsOk: (this.flags[r]! & TS_OK) !== 0,
      tsRecent: this.tsRecents[r]!,
      tsOffset: this.tsOffsets[r]!,
      duration: this.durations[r]!,
      challengeAckLimit: this.chLimits[r]!,
    };
  }

  /** Every live row. */
  *rows(): IterableIterator<number> {
    for (let r = 0; r < this.cap; r++) if (this.ids[r] !== 0) yield r;
  }

  // ── TIME_WAIT's rules on a row (tcp/time-wait.ts) ──

  /** A segment for this row's 4-tuple: the ACK to send, if any (a retransmitted FIN also restarts 2MSL, C8). */
  onSegment(r: number, seg: Segment, now: number): OutSegment | undefined {
    const action = timeWaitAction(seg, this.rcvNxts[r]!, this.rcvWnds[r]!);
    if (action === TimeWaitAction.Ignore) return undefined;
    if (action === TimeWaitAction.AckRestart) this.expiry.set(r, now + this.durations[r]!);
    else if (!this.allowAck(r, now)) return undefined;
    return timeWaitAck(now, this.sndNxts[r]!, this.rcvNxts[r]!, this.windows[r]!, (this.flags[r]! & TS_OK) !== 0, this.tsOffsets[r]!, this.tsRecents[r]!);
  }

  /** RFC 6191: may this SYN end the row's TIME_WAIT and open a new incarnation? */
  acceptsNewSyn(r: number, seg: Segment): boolean {
    return timeWaitAcceptsSyn(seg, (this.flags[r]! & TS_OK) !== 0, this.tsRecents[r]!, this.rcvNxts[r]!);
  }

  successorIss(r: number): number {
    return timeWaitSuccessorIss(this.sndNxts[r]!);
  }

  // ── expiry ──

  /** The earliest deadline, or undefined when the table is empty. */
  get nextExpiry(): number | undefined {
    const r = this.expiry.first;
    return r < 0 ? undefined : this.expiry.deadline(r);
  }

  /** A row whose 2MSL has run out by `now` (the earliest), or −1. */
  expired(now: number): number {
    const r = this.expiry.first;
    return r >= 0 && this.expiry.deadline(r) <= now ? r : -1;
  }

  // ── internals ──

  private allowAck(r: number, now: number): boolean {
    const state = { challengeWindowStart: this.chStarts[r]!, challengeCount: this.chCounts[r]! };
    const ok = allowChallengeAck(state, now, this.chLimits[r]!);
    this.chStarts[r] = state.challengeWindowStart;
    this.chCounts[r] = state.challengeCount;
    return ok;
  }

  private sameRemote(r: number, remote: Uint8Array): boolean {
    const v6 = (this.flags[r]! & V6) !== 0;
    if (remote.length === 4) return !v6 && this.addrs[r] === addrKey(remote);
    if (!v6) return false;
    const base = this.addrs[r]! * 16;
    for (let i = 0; i < 16; i++) if (this.v6Addrs[base + i] !== remote[i]) return false;
    return true;
  }

  /** Remove row r from the index (backward-shift deletion keeps linear probing exact without tombstones). */
  private unindex(r: number): void {
    const mask = this.index.length - 1;
    let i = this.slotOf(r);
    for (let j = (i + 1) & mask; this.index[j] !== 0; j = (j + 1) & mask) {
      const home = this.home(this.index[j]! - 1) & mask;
      // Move the entry at j back to the hole at i unless its home lies cyclically in (i, j].
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        this.index[i] = this.index[j]!;
        i = j;
      }
    }
    this.index[i] = 0;
  }

  private slotOf(r: number): number {
    const mask = this.index.length - 1;
    for (let i = this.home(r) & mask; ; i = (i + 1) & mask) if (this.index[i] === r + 1) return i;
  }

  private home(r: number): number {
    const v6 = this.flags[r]! & V6;
    const a = v6 ? addrKey(this.v6Addrs.subarray(this.addrs[r]! * 16, this.addrs[r]! * 16 + 16)) : this.addrs[r]!;
    return tupleHash(a, this.ports[r]!, (this.ifaces[r]! << 1) | (v6 ? 1 : 0));
  }

  private v6Slot(): number {
    if (this.v6FreeTop === 0) {
      const old = this.v6Free.length;
      const size = grownRows(old, this.maxRows);
      const addrs = new Uint8Array(size * 16);
      addrs.set(this.v6Addrs);
      this.v6Addrs = addrs;
      this.v6Free = new Int32Array(size);
      for (let s = size - 1; s >= old; s--) this.v6Free[this.v6FreeTop++] = s;
    }
    return this.v6Free[--this.v6FreeTop]!;
  }

  /** Empty, holding nothing; again when the last row goes (a burst of TIME_WAIT leaves nothing behind once expired). */
  private release(): void {
    this.cap = 0;
    this.ids = new Uint32Array(0);
    this.addrs = new Uint32Array(0);
    this.ports = new Uint32Array(0);
    this.ifaces = new Uint16Array(0);
    this.flags = new Uint8Array(0);
    this.windows = new Uint16Array(0);
    this.sndNxts = new Uint32Array(0);
    this.rcvNxts = new Uint32Array(0);
    this.rcvWnds = new Uint32Array(0);
    this.tsRecents = new Uint32Array(0);
    this.tsOffsets = new Uint32Array(0);
    this.durations = new Float64Array(0);
    this.chStarts = new Float64Array(0);
    this.chCounts = new Uint16Array(0);
    this.chLimits = new Uint16Array(0);
    this.freeHead = 0;
    this.index = new Int32Array(0);
    this.expiry = new ExpiryHeap(0);
    this.v6Addrs = new Uint8Array(0);
    this.v6Free = new Int32Array(0);
    this.v6FreeTop = 0;
  }

  /** A quarter more rows (at least 16, at most `maxRows`), all free, the lowest taken first. */
  private grow(): void {
    const old = this.cap;
    const cap = grownRows(old, this.maxRows);
    this.ids = widen(this.ids, cap);
    this.addrs = widen(this.addrs, cap);
    this.ports = widen(this.ports, cap);
    this.ifaces = widen(this.ifaces, cap);
    this.flags = widen(this.flags, cap);
    this.windows = widen(this.windows, cap);
    this.sndNxts = widen(this.sndNxts, cap);
    this.rcvNxts = widen(this.rcvNxts, cap);
    this.rcvWnds = widen(this.rcvWnds, cap);
    this.tsRecents = widen(this.tsRecents, cap);
    this.tsOffsets = widen(this.tsOffsets, cap);
    this.durations = widen(this.durations, cap);
    this.chStarts = widen(this.chStarts, cap);
    this.chCounts = widen(this.chCounts, cap);
    this.chLimits = widen(this.chLimits, cap);
    this.expiry.grow(cap);
    // Called only when no row is free: the new rows are the whole free chain.
    for (let r = cap - 1; r >= old; r--) {
      this.addrs[r] = this.freeHead;
      this.freeHead = r + 1;
    }
    this.cap = cap;
  }

  /** A new 4-tuple index of `slots` slots (a power of two) over the live rows. */
  private reindex(slots: number): void {
    this.index = new Int32Array(slots);
    const mask = slots - 1;
    for (let r = 0; r < this.cap; r++) {
      if (this.ids[r] === 0) continue;
      let i = this.home(r) & mask;
      while (this.index[i] !== 0) i = (i + 1) & mask;
      this.index[i] = r + 1;
    }
  }
}

/** Rows after growing from `old`: a quarter more, in steps of 16 (16 from nothing), at most `max`. */
function grownRows(old: number, max: number): number {
  return Math.min(max, Math.max(INITIAL_ROWS, old + 16 * Math.ceil(old / 64)));
}

type Column = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

function widen<T extends Column>(a: T, cap: number): T {
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a as never);
  return b;
}
