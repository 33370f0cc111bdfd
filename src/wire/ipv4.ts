/** IPv4 header (RFC 791 §3.1): parse in place, write the fixed 20-byte form. */
import { getU16, setU16, checkRoom } from './bytes.js';
import { onesSumRange, finishChecksum } from './checksum.js';
import { wrap, type ParseResult, type WireError } from './errors.js';

export interface Ipv4Header {
  version: 4;
  /** IHL × 4, in bytes (20..60). */
  headerLength: number;
  tos: number;
  totalLength: number;
  id: number;
  dontFragment: boolean;
  moreFragments: boolean;
  /** Fragment offset in bytes (the header field × 8). */
  fragmentOffset: number;
  ttl: number;
  protocol: number;
  /** 4-byte view into the packet. */
  src: Uint8Array;
  /** 4-byte view into the packet. */
  dst: Uint8Array;
  /** View of bytes headerLength..totalLength (link padding after totalLength is excluded). */
  payload: Uint8Array;
}

const MIN_HEADER = 20;

/**
 * Parse an IPv4 header. Never throws. Checks, in order: at least 20 bytes,
 * version 4, IHL ≥ 5, header (with options) present, total length ≥ header
 * length and ≤ bytes received, header checksum. Bytes beyond total length
 * (e.g. Ethernet minimum-frame padding) are ignored. Fragments are returned
 * ok; the caller decides what to do with them. IP options are not decoded.
 */
export function parseIpv4(bytes: Uint8Array): ParseResult<Ipv4Header> {
  return wrap(readIpv4(bytes));
}

/** parseIpv4 without the result wrapper: the header, or why not. */
export function readIpv4(bytes: Uint8Array): Ipv4Header | WireError {
  const error = ipv4Error(bytes);
  if (error !== undefined) return error;
  const headerLength = (bytes[0] & 0x0f) * 4;
  const totalLength = getU16(bytes, 2);
  const flagsFrag = getU16(bytes, 6);
  return {
    version: 4,
    headerLength,
    tos: bytes[1],
    totalLength,
    id: getU16(bytes, 4),
    // Bit 0x8000 is reserved (must be zero, RFC 791); it is ignored here.
    dontFragment: (flagsFrag & 0x4000) !== 0,
    moreFragments: (flagsFrag & 0x2000) !== 0,
    fragmentOffset: (flagsFrag & 0x1fff) * 8,
    ttl: bytes[8],
    protocol: bytes[9],
    src: bytes.subarray(12, 16),
    dst: bytes.subarray(16, 20),
    payload: bytes.subarray(headerLength, totalLength),
  };
}

/** The checks of parseIpv4, in its order, allocating nothing: undefined when the header is sound, else why not. */
export function ipv4Error(bytes: Uint8Array): WireError | undefined {
  if (bytes.length < MIN_HEADER) return 'short-packet';
  const b0 = bytes[0];
  if (b0 >>> 4 !== 4) return 'bad-ip-version';
  const headerLength = (b0 & 0x0f) * 4;
  if (headerLength < MIN_HEADER) return 'bad-ip-header-length';
  if (headerLength > bytes.length) return 'truncated';
  const totalLength = getU16(bytes, 2);
  if (totalLength < headerLength) return 'bad-ip-total-length';
  if (totalLength > bytes.length) return 'truncated';
  // The checksum covers the header only (RFC 791 §3.1, "Header Checksum").
  if (finishChecksum(onesSumRange(bytes, 0, headerLength)) !== 0) return 'bad-ip-checksum';
  return undefined;
}

export interface Ipv4Fields {
  src: Uint8Array;
  dst: Uint8Array;
  protocol: number;
  /** Bytes following the header; total length = 20 + payloadLength. */
  payloadLength: number;
  /** Default 64. */
  ttl?: number;
  /** Default 0. */
  id?: number;
  /** Default 0. */
  tos?: number;
  /** Default true (RFC 1191 path MTU discovery; this stack never fragments). */
  dontFragment?: boolean;
}

/**
 * Write a 20-byte IPv4 header (no options) at `offset`, checksum included.
 * Returns 20. Throws RangeError if it does not fit, the addresses are not
 * 4 bytes, or the total length exceeds 65535.
 */
export function writeIpv4(buf: Uint8Array, offset: number, f: Ipv4Fields): number {
  return writeIpv4Header(buf, offset, f.src, f.dst, f.protocol, f.payloadLength, f.ttl ?? 64, f.id ?? 0, f.tos ?? 0, f.dontFragment ?? true);
}

/** writeIpv4 with the fields as arguments (no object per packet); the checksum is summed from the field values. */
export function writeIpv4Header(
  buf: Uint8Array,
  offset: number,
  src: Uint8Array,
  dst: Uint8Array,
  protocol: number,
  payloadLength: number,
  ttl: number,
  id: number,
  tos: number,
  dontFragment: boolean,
): number {
  checkRoom(buf, offset, MIN_HEADER, 'writeIpv4');
  if (src.length !== 4 || dst.length !== 4) throw new RangeError('writeIpv4: addresses must be 4 bytes');
  const totalLength = MIN_HEADER + payloadLength;
  if (!Number.isInteger(payloadLength) || payloadLength < 0 || totalLength > 0xffff) {
    throw new RangeError(`writeIpv4: payload length ${payloadLength} out of range`);
  }
  const o = offset;
  const b0 = 0x45; // version 4, IHL 5
  const b1 = tos & 0xff;
  const idField = id & 0xffff;
  const flagsFrag = dontFragment ? 0x4000 : 0; // DF; fragment offset 0
  const b8 = ttl & 0xff;
  const b9 = protocol & 0xff;
  buf[o] = b0;
  buf[o + 1] = b1;
  setU16(buf, o + 2, totalLength);
  setU16(buf, o + 4, idField);
  setU16(buf, o + 6, flagsFrag);
  buf[o + 8] = b8;
  buf[o + 9] = b9;
  const s0 = (src[0]! << 8) | src[1]!;
  const s1 = (src[2]! << 8) | src[3]!;
  const d0 = (dst[0]! << 8) | dst[1]!;
  const d1 = (dst[2]! << 8) | dst[3]!;
  setU16(buf, o + 12, s0);
  setU16(buf, o + 14, s1);
  setU16(buf, o + 16, d0);
  setU16(buf, o + 18, d1);
  // RFC 1071: the ten header words, the checksum field counted as zero.
  let sum = ((b0 << 8) | b1) + totalLength + idField + flagsFrag + ((b8 << 8) | b9) + s0 + s1 + d0 + d1;
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  setU16(buf, o + 10, finishChecksum(sum));
  return MIN_HEADER;
}
