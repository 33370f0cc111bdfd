/** IPv4 header (RFC 791 §3.1): parse in place, write the fixed 20-byte form. */
import { getU16, setU16, checkRoom } from './bytes.js';
import { internetChecksum, onesSum, finishChecksum } from './checksum.js';
import { err, ok, type ParseResult } from './errors.js';

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
  if (bytes.length < MIN_HEADER) return err('short-packet');
  const b0 = bytes[0];
  if (b0 >>> 4 !== 4) return err('bad-ip-version');
  const headerLength = (b0 & 0x0f) * 4;
  if (headerLength < MIN_HEADER) return err('bad-ip-header-length');
  if (headerLength > bytes.length) return err('truncated');
  const totalLength = getU16(bytes, 2);
  if (totalLength < headerLength) return err('bad-ip-total-length');
  if (totalLength > bytes.length) return err('truncated');
  // The checksum covers the header only (RFC 791 §3.1, "Header Checksum").
  if (internetChecksum(bytes.subarray(0, headerLength)) !== 0) return err('bad-ip-checksum');
  const flagsFrag = getU16(bytes, 6);
  return ok({
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
  });
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
  checkRoom(buf, offset, MIN_HEADER, 'writeIpv4');
  if (f.src.length !== 4 || f.dst.length !== 4) throw new RangeError('writeIpv4: addresses must be 4 bytes');
  const totalLength = MIN_HEADER + f.payloadLength;
  if (!Number.isInteger(f.payloadLength) || f.payloadLength < 0 || totalLength > 0xffff) {
    throw new RangeError(`writeIpv4: payload length ${f.payloadLength} out of range`);
  }
  const h = buf.subarray(offset, offset + MIN_HEADER);
  h[0] = 0x45; // version 4, IHL 5
  h[1] = f.tos ?? 0;
  setU16(h, 2, totalLength);
  setU16(h, 4, f.id ?? 0);
  setU16(h, 6, (f.dontFragment ?? true) ? 0x4000 : 0); // DF; fragment offset 0
  h[8] = f.ttl ?? 64;
  h[9] = f.protocol;
  setU16(h, 10, 0);
  h.set(f.src, 12);
  h.set(f.dst, 16);
  setU16(h, 10, finishChecksum(onesSum(h)));
  return MIN_HEADER;
}
