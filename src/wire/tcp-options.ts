/**
 * TCP options (RFC 9293 §3.1/§3.2): MSS (RFC 9293 §3.7.1), Window Scale and
 * Timestamps (RFC 7323), SACK-permitted and SACK (RFC 2018).
 */
import { getU16, getU32, setU16, setU32, checkRoom } from './bytes.js';
import { wrap, type ParseResult, type WireError } from './errors.js';

export interface TcpOptions {
  mss?: number;
  /** Shift count as sent; the clamp to 14 (RFC 7323 §2.3) is the TCP layer's job. */
  wscale?: number;
  sackPermitted?: boolean;
  /** [left edge, right edge) pairs, unsigned 32-bit (RFC 2018 §3). */
  sack?: Array<[number, number]>;
  ts?: { val: number; ecr: number };
}

export const OPT_EOL = 0;
export const OPT_NOP = 1;
export const OPT_MSS = 2;
export const OPT_WSCALE = 3;
export const OPT_SACK_PERMITTED = 4;
export const OPT_SACK = 5;
export const OPT_TIMESTAMP = 8;

/** Most option space a TCP header has: data offset 15 words − 5 fixed words (RFC 9293 §3.1). */
export const MAX_OPTIONS_LENGTH = 40;

/**
 * Parse the option bytes of a TCP header (between the fixed 20 bytes and the
 * data offset). Never throws.
 * - EOL (0) ends the list; whatever follows is padding (RFC 9293 §3.1).
 * - NOP (1) is a single byte.
 * - Every other kind has a length byte counting kind and length; a length < 2
 *   or one running past the end is 'bad-option-length' — the list cannot be
 *   walked further (RFC 9293 §3.2, MUST be prepared to handle illegal lengths).
 * - Unknown kinds are skipped using their length (RFC 9293 §3.2, MUST ignore).
 * - Known kinds must have their fixed length: MSS 4, WS 3, SACK-permitted 2,
 *   TS 10, SACK 2 + 8n with n = 1..4.
 * A repeated option overrides the earlier one.
 */
export function parseTcpOptions(bytes: Uint8Array): ParseResult<TcpOptions> {
  return wrap(readTcpOptions(bytes, 0, bytes.length));
}

/** parseTcpOptions over `bytes[start..end)`, without the result wrapper: the options, or why not. */
export function readTcpOptions(bytes: Uint8Array, start: number, end: number): TcpOptions | WireError {
  const error = scanTcpOptions(bytes, start, end, scratch);
  return error ?? toTcpOptions(scratch, {});
}

/** Bits of TcpOptionFields.present: which options a header carried. */
export const HAS_MSS = 1;
export const HAS_WSCALE = 2;
export const HAS_SACK_PERMITTED = 4;
export const HAS_TS = 8;
export const HAS_SACK = 16;

/**
 * The options of one header as numbers (issue 11: no object per option): a
 * record the receive path reuses for every packet. Only the fields whose bit
 * is in `present` are meaningful; SACK edges are [left, right) pairs in
 * `sackEdges[0 .. 2 × sackBlocks)`.
 */
export class TcpOptionFields {
  present = 0;
  mss = 0;
  wscale = 0;
  tsVal = 0;
  tsEcr = 0;
  sackBlocks = 0;
  readonly sackEdges = new Uint32Array(8);
}

const scratch = new TcpOptionFields();

/** The options of a header that carried none: shared, so frozen. */
export const NO_OPTIONS: TcpOptions = Object.freeze({});

/**
 * Walk the options in `bytes[start..end)` into `f` (overwritten), with the
 * rules of parseTcpOptions; undefined when they are well formed, else why not.
 * Allocates nothing.
 */
export function scanTcpOptions(bytes: Uint8Array, start: number, end: number, f: TcpOptionFields): WireError | undefined {
  f.present = 0;
  f.sackBlocks = 0;
  let i = start;
  while (i < end) {
    const kind = bytes[i];
    if (kind === OPT_EOL) break;
    if (kind === OPT_NOP) {
      i++;
      continue;
    }
    if (i + 1 >= end) return 'bad-option-length';
    const len = bytes[i + 1];
    if (len < 2 || i + len > end) return 'bad-option-length';
    switch (kind) {
      case OPT_MSS:
        if (len !== 4) return 'bad-option-length';
        f.mss = getU16(bytes, i + 2);
        f.present |= HAS_MSS;
        break;
      case OPT_WSCALE:
        if (len !== 3) return 'bad-option-length';
        f.wscale = bytes[i + 2];
        f.present |= HAS_WSCALE;
        break;
      case OPT_SACK_PERMITTED:
        if (len !== 2) return 'bad-option-length';
        f.present |= HAS_SACK_PERMITTED;
        break;
      case OPT_TIMESTAMP:
        if (len !== 10) return 'bad-option-length';
        f.tsVal = getU32(bytes, i + 2);
        f.tsEcr = getU32(bytes, i + 6);
        f.present |= HAS_TS;
        break;
      case OPT_SACK: {
        if (len < 10 || len > 34 || (len - 2) % 8 !== 0) return 'bad-option-length';
        f.sackBlocks = (len - 2) / 8;
        for (let k = 0, p = i + 2; p < i + len; k++, p += 4) f.sackEdges[k] = getU32(bytes, p);
        f.present |= HAS_SACK;
        break;
      }
      default:
        break; // unknown kind: skip it
    }
    i += len;
  }
  return undefined;
}

/**
 * The options `f` holds, as the TcpOptions a Segment carries: set on `into`,
 * or, when the header carried none and `into` is not given, the shared
 * NO_OPTIONS (so a segment without options costs no object).
 */
export function toTcpOptions(f: TcpOptionFields, into?: TcpOptions): TcpOptions {
  const present = f.present;
  if (present === 0) return into ?? NO_OPTIONS;
  const opts: TcpOptions = into ?? {};
  if (present & HAS_MSS) opts.mss = f.mss;
  if (present & HAS_WSCALE) opts.wscale = f.wscale;
  if (present & HAS_SACK_PERMITTED) opts.sackPermitted = true;
  if (present & HAS_TS) opts.ts = { val: f.tsVal, ecr: f.tsEcr };
  if (present & HAS_SACK) {
    const blocks: Array<[number, number]> = [];
    for (let k = 0; k < f.sackBlocks; k++) blocks.push([f.sackEdges[2 * k]!, f.sackEdges[2 * k + 1]!]);
    opts.sack = blocks;
  }
  return opts;
}

/** A timestamp option's two values, refilled in place by TcpOptionsRecord. */
class TsValues {
  val = 0;
  ecr = 0;
}

/**
 * TcpOptions that the receive path refills for every packet (issue 11: no
 * option object, timestamp pair or SACK tuple per packet). Readers see the
 * usual shape — `ts?.ecr`, `sack` as [left, right) tuples, absent options
 * undefined — but the object, its `ts` and its `sack` array and tuples are
 * the same ones for every packet: valid until the next `fill`. A reader that
 * keeps an option beyond the segment's call copies the numbers.
 */
export class TcpOptionsRecord implements TcpOptions {
  mss: number | undefined = undefined;
  wscale: number | undefined = undefined;
  sackPermitted: boolean | undefined = undefined;
  sack: Array<[number, number]> | undefined = undefined;
  ts: { val: number; ecr: number } | undefined = undefined;
  private readonly tsValues = new TsValues();
  /** The array `sack` points at when present: its length set per packet, over four tuples made once. */
  private readonly sackBlocks: Array<[number, number]> = [];
  private readonly sackTuples: Array<[number, number]> = [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ];

  /** Take the options `f` holds (the same values toTcpOptions gives). Allocates nothing. */
  fill(f: TcpOptionFields): this {
    const present = f.present;
    this.mss = present & HAS_MSS ? f.mss : undefined;
    this.wscale = present & HAS_WSCALE ? f.wscale : undefined;
    this.sackPermitted = present & HAS_SACK_PERMITTED ? true : undefined;
    if (present & HAS_TS) {
      this.tsValues.val = f.tsVal;
      this.tsValues.ecr = f.tsEcr;
      this.ts = this.tsValues;
    } else {
      this.ts = undefined;
    }
    if (present & HAS_SACK) {
      const blocks = this.sackBlocks;
      blocks.length = 0;
      for (let k = 0; k < f.sackBlocks; k++) {
        const tuple = this.sackTuples[k]!;
        tuple[0] = f.sackEdges[2 * k]!;
        tuple[1] = f.sackEdges[2 * k + 1]!;
        blocks.push(tuple);
      }
      this.sack = blocks;
    } else {
      this.sack = undefined;
    }
    return this;
  }
}

/** Bytes the non-SACK options take in the layout below (always a multiple of 4). */
function fixedLength(opts: TcpOptions): number {
  let n = 0;
  if (opts.mss !== undefined) n += 4;
  if (opts.ts !== undefined) n += 12; // (SACK-perm or NOP,NOP) + TS — 12 either way
  else if (opts.sackPermitted) n += 4; // NOP,NOP,SACK-perm
  if (opts.wscale !== undefined) n += 4; // NOP,WS
  return n;
}

/** SACK blocks that fit after `fixed` bytes (NOP,NOP,kind,len = 4 bytes + 8 per block), at most 4. */
function sackBlocksThatFit(opts: TcpOptions, fixed: number): number {
  const wanted = opts.sack ? Math.min(opts.sack.length, 4) : 0;
  const room = Math.floor((MAX_OPTIONS_LENGTH - fixed - 4) / 8);
  return Math.max(0, Math.min(wanted, room));
}

/**
 * Bytes `writeTcpOptions` writes for `opts`: padded to a multiple of 4 and at
 * most 40 (trailing SACK blocks that do not fit are dropped).
 */
export function tcpOptionsLength(opts: TcpOptions): number {
  const fixed = fixedLength(opts);
  const blocks = sackBlocksThatFit(opts, fixed);
  return fixed + (blocks > 0 ? 4 + 8 * blocks : 0);
}

/**
 * Write `opts` at `offset`; returns the bytes written (= tcpOptionsLength).
 * Layout as Linux lays it out (tcp_options_write), which keeps the 32-bit
 * fields word-aligned (RFC 7323 Appendix A):
 *   MSS(2,4,mss)
 *   SACK-perm + TS as (4,2,8,10,val,ecr), or NOP,NOP,TS, or NOP,NOP,SACK-perm
 *   NOP,WS(3,3,shift)
 *   NOP,NOP,SACK(5,2+8n,blocks…)
 * Each item is a multiple of 4, so no trailing padding is ever needed.
 * Values are written modulo their field size. Throws RangeError if the
 * buffer is too small (a programming error).
 */
export function writeTcpOptions(buf: Uint8Array, offset: number, opts: TcpOptions): number {
  const total = tcpOptionsLength(opts);
  checkRoom(buf, offset, total, 'writeTcpOptions');
  let i = offset;
  if (opts.mss !== undefined) {
    buf[i] = OPT_MSS;
    buf[i + 1] = 4;
    setU16(buf, i + 2, opts.mss & 0xffff);
    i += 4;
  }
  if (opts.ts !== undefined) {
    if (opts.sackPermitted) {
      buf[i] = OPT_SACK_PERMITTED;
      buf[i + 1] = 2;
    } else {
      buf[i] = OPT_NOP;
      buf[i + 1] = OPT_NOP;
    }
    buf[i + 2] = OPT_TIMESTAMP;
    buf[i + 3] = 10;
    // As int32 (`| 0`, the same low 32 bits setU32 writes): an unsigned value above 2^31 passed to a call that
    // is not inlined is boxed, a heap number per value per packet (issue 11); an int32 never is.
    setU32(buf, i + 4, opts.ts.val | 0);
    setU32(buf, i + 8, opts.ts.ecr | 0);
    i += 12;
  } else if (opts.sackPermitted) {
    buf[i] = OPT_NOP;
    buf[i + 1] = OPT_NOP;
    buf[i + 2] = OPT_SACK_PERMITTED;
    buf[i + 3] = 2;
    i += 4;
  }
  if (opts.wscale !== undefined) {
    buf[i] = OPT_NOP;
    buf[i + 1] = OPT_WSCALE;
    buf[i + 2] = 3;
    buf[i + 3] = opts.wscale & 0xff;
    i += 4;
  }
  const blocks = sackBlocksThatFit(opts, i - offset);
  if (blocks > 0) {
    const sack = opts.sack!;
    buf[i] = OPT_NOP;
    buf[i + 1] = OPT_NOP;
    buf[i + 2] = OPT_SACK;
    buf[i + 3] = 2 + 8 * blocks;
    i += 4;
    for (let k = 0; k < blocks; k++) {
      setU32(buf, i, sack[k][0] | 0); // int32, as the timestamps above
      setU32(buf, i + 4, sack[k][1] | 0);
      i += 8;
    }
  }
  return i - offset;
}
