/** TCP header (RFC 9293 §3.1): parse in place, write header + options + payload with checksum. */
import { getU16, getU32, setU16, setU32, checkRoom } from './bytes.js';
import { finishChecksum, onesSumRange } from './checksum.js';
import { wrap, type ParseResult, type WireError } from './errors.js';
import { readTcpOptions, tcpOptionsLength, writeTcpOptions, type TcpOptions } from './tcp-options.js';

export interface TcpHeader {
  srcPort: number;
  dstPort: number;
  /** Unsigned 32-bit. */
  seq: number;
  /** Unsigned 32-bit (meaningful only with ACK). */
  ack: number;
  /** Header length in bytes (data offset × 4, 20..60). */
  dataOffset: number;
  /** Low 8 control bits: FIN SYN RST PSH ACK URG ECE CWR (see flags.ts). */
  flags: number;
  window: number;
  /** The checksum field as received. */
  checksum: number;
  urgent: number;
  options: TcpOptions;
  /** View of the segment data after the header. */
  payload: Uint8Array;
}

const MIN_HEADER = 20;

/**
 * Parse a TCP segment (header + data, exactly as carried by IP). Never throws.
 * Order of checks: at least 20 bytes ('short-packet'); when `pseudoSum` (from
 * pseudoHeaderSum with length = bytes.length) is given, the checksum over
 * pseudo-header + segment ('bad-tcp-checksum', RFC 9293 §3.1) — checked
 * before the content is interpreted, so corruption is reported as such; data
 * offset ≥ 5 words and within the segment ('bad-data-offset'); then options.
 */
export function parseTcp(bytes: Uint8Array, pseudoSum?: number): ParseResult<TcpHeader> {
  return wrap(readTcp(bytes, pseudoSum));
}

/** parseTcp without the result wrapper: the header, or why not. */
export function readTcp(bytes: Uint8Array, pseudoSum?: number): TcpHeader | WireError {
  const error = tcpHeaderError(bytes, 0, bytes.length, pseudoSum);
  if (error !== undefined) return error;
  const dataOffset = (bytes[12] >>> 4) * 4;
  const options = readTcpOptions(bytes, MIN_HEADER, dataOffset);
  if (typeof options === 'string') return options;
  return {
    srcPort: getU16(bytes, 0),
    dstPort: getU16(bytes, 2),
    seq: getU32(bytes, 4),
    ack: getU32(bytes, 8),
    dataOffset,
    // The low bit of byte 12 (former NS bit, RFC 3540, historic per RFC 8311) is ignored.
    flags: bytes[13],
    window: getU16(bytes, 14),
    checksum: getU16(bytes, 16),
    urgent: getU16(bytes, 18),
    options,
    payload: bytes.subarray(dataOffset),
  };
}

/**
 * The checks of parseTcp before its options, in its order, on the segment at
 * `bytes[start..end)`, allocating nothing: undefined when sound, else why not.
 */
export function tcpHeaderError(bytes: Uint8Array, start: number, end: number, pseudoSum: number | undefined): WireError | undefined {
  if (end - start < MIN_HEADER) return 'short-packet';
  // A correct segment sums (with the pseudo-header) to 0xffff, i.e. its checksum is 0.
  if (pseudoSum !== undefined && finishChecksum(onesSumRange(bytes, start, end, pseudoSum)) !== 0) return 'bad-tcp-checksum';
  const dataOffset = (bytes[start + 12] >>> 4) * 4;
  if (dataOffset < MIN_HEADER || dataOffset > end - start) return 'bad-data-offset';
  return undefined;
}

export interface TcpSegmentOut {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  urgent?: number;
  options?: TcpOptions;
  payload?: Uint8Array;
}

/** Bytes writeTcp writes for `seg`: 20 + options (padded) + payload. */
export function tcpSegmentLength(seg: TcpSegmentOut): number {
  return MIN_HEADER + (seg.options ? tcpOptionsLength(seg.options) : 0) + (seg.payload ? seg.payload.length : 0);
}

/**
 * Write `seg` at `offset` and fill in its checksum. `pseudoSum` is
 * pseudoHeaderSum(src, dst, 6, tcpSegmentLength(seg)). Ports, seq, ack,
 * window, urgent and flags are written modulo their field size. Returns the
 * bytes written. Throws RangeError if the buffer is too small.
 */
export function writeTcp(buf: Uint8Array, offset: number, seg: TcpSegmentOut, pseudoSum: number): number {
  const optLen = seg.options ? tcpOptionsLength(seg.options) : 0;
  return writeTcpSized(buf, offset, seg, optLen, pseudoSum);
}

/**
 * writeTcp once the options' length is known (buildTcpPacket has it already).
 * With `csumPartial` the checksum field gets only `pseudoSum`, for a device
 * that completes it over the segment (checksum offload, as Linux's
 * CHECKSUM_PARTIAL): the payload is not summed here.
 */
export function writeTcpSized(buf: Uint8Array, offset: number, seg: TcpSegmentOut, optLen: number, pseudoSum: number, csumPartial = false): number {
  const dataOffset = MIN_HEADER + optLen;
  const payload = seg.payload;
  const total = dataOffset + (payload ? payload.length : 0);
  checkRoom(buf, offset, total, 'writeTcp');
  const o = offset;
  if (optLen > 0) writeTcpOptions(buf, o + MIN_HEADER, seg.options!);
  setU16(buf, o, seg.srcPort & 0xffff);
  setU16(buf, o + 2, seg.dstPort & 0xffff);
  setU32(buf, o + 4, seg.seq >>> 0);
  setU32(buf, o + 8, seg.ack >>> 0);
  buf[o + 12] = (dataOffset / 4) << 4;
  buf[o + 13] = seg.flags & 0xff;
  setU16(buf, o + 14, seg.window & 0xffff);
  setU16(buf, o + 16, 0);
  setU16(buf, o + 18, (seg.urgent ?? 0) & 0xffff);
  if (payload && payload.length > 0) buf.set(payload, o + dataOffset);
  setU16(buf, o + 16, csumPartial ? pseudoSum : finishChecksum(onesSumRange(buf, o, o + total, pseudoSum)));
  return total;
}
