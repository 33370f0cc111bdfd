/** IPv6 fixed header (RFC 8200 §3): parse in place, write. Extension headers are not walked. */
import { getU16, setU16, checkRoom } from './bytes.js';
import { wrap, type ParseResult, type WireError } from './errors.js';

export interface Ipv6Header {
  version: 6;
  trafficClass: number;
  flowLabel: number;
  payloadLength: number;
  /** Protocol of the first header after the fixed header (6 = TCP, 44 = Fragment, …). */
  nextHeader: number;
  hopLimit: number;
  /** 16-byte view into the packet. */
  src: Uint8Array;
  /** 16-byte view into the packet. */
  dst: Uint8Array;
  /** View of the payloadLength bytes after the fixed header (trailing bytes excluded). */
  payload: Uint8Array;
}

const HEADER = 40;

/**
 * Parse the fixed 40-byte IPv6 header. Never throws. A payload length of 0
 * is taken literally (Jumbo Payload, RFC 2675, is not supported).
 */
export function parseIpv6(bytes: Uint8Array): ParseResult<Ipv6Header> {
  return wrap(readIpv6(bytes));
}

/** parseIpv6 without the result wrapper: the header, or why not. */
export function readIpv6(bytes: Uint8Array): Ipv6Header | WireError {
  const error = ipv6Error(bytes);
  if (error !== undefined) return error;
  const b0 = bytes[0];
  const b1 = bytes[1];
  const payloadLength = getU16(bytes, 4);
  return {
    version: 6,
    trafficClass: ((b0 & 0x0f) << 4) | (b1 >>> 4),
    flowLabel: ((b1 & 0x0f) << 16) | getU16(bytes, 2),
    payloadLength,
    nextHeader: bytes[6],
    hopLimit: bytes[7],
    src: bytes.subarray(8, 24),
    dst: bytes.subarray(24, 40),
    payload: bytes.subarray(HEADER, HEADER + payloadLength),
  };
}

/** The checks of parseIpv6, in its order, allocating nothing: undefined when the header is sound, else why not. */
export function ipv6Error(bytes: Uint8Array): WireError | undefined {
  if (bytes.length < HEADER) return 'short-packet';
  if (bytes[0] >>> 4 !== 6) return 'bad-ip-version';
  if (HEADER + getU16(bytes, 4) > bytes.length) return 'truncated';
  return undefined;
}

export interface Ipv6Fields {
  src: Uint8Array;
  dst: Uint8Array;
  nextHeader: number;
  payloadLength: number;
  /** Default 64. */
  hopLimit?: number;
  /** Default 0. */
  trafficClass?: number;
  /** Default 0 (20 bits). */
  flowLabel?: number;
}

/**
 * Write the 40-byte IPv6 header at `offset`. Returns 40. Throws RangeError if
 * it does not fit, the addresses are not 16 bytes, or the payload exceeds 65535.
 */
export function writeIpv6(buf: Uint8Array, offset: number, f: Ipv6Fields): number {
  checkRoom(buf, offset, HEADER, 'writeIpv6');
  if (f.src.length !== 16 || f.dst.length !== 16) throw new RangeError('writeIpv6: addresses must be 16 bytes');
  if (!Number.isInteger(f.payloadLength) || f.payloadLength < 0 || f.payloadLength > 0xffff) {
    throw new RangeError(`writeIpv6: payload length ${f.payloadLength} out of range`);
  }
  const tc = (f.trafficClass ?? 0) & 0xff;
  const fl = (f.flowLabel ?? 0) & 0xfffff;
  const h = buf.subarray(offset, offset + HEADER);
  h[0] = 0x60 | (tc >>> 4);
  h[1] = ((tc & 0x0f) << 4) | (fl >>> 16);
  setU16(h, 2, fl & 0xffff);
  setU16(h, 4, f.payloadLength);
  h[6] = f.nextHeader;
  h[7] = f.hopLimit ?? 64;
  h.set(f.src, 8);
  h.set(f.dst, 24);
  return HEADER;
}
