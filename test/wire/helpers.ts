/**
 * Test support (not a test file): an independent, deliberately naive RFC 1071
 * reference and small byte helpers. Kept simple so it can be trusted.
 */
import type { WireError } from '../../src/wire/index.js';

/** Naive RFC 1071: add big-endian 16-bit words one by one with end-around carry. */
export function naiveOnesSum(bytes: ArrayLike<number>, initial = 0): number {
  let sum = initial;
  for (let i = 0; i < bytes.length; i += 2) {
    const hi = bytes[i];
    const lo = i + 1 < bytes.length ? bytes[i + 1] : 0;
    sum += hi * 256 + lo;
    if (sum > 0xffff) sum = sum - 0x10000 + 1;
  }
  return sum;
}

export function naiveChecksum(bytes: ArrayLike<number>, initial = 0): number {
  return 0xffff - naiveOnesSum(bytes, initial);
}

/** "45 00 00 3c" → bytes (whitespace ignored). */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0) throw new Error('odd hex');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Recompute the IPv4 header checksum in place with the naive reference (after editing a header). */
export function fixIpv4Checksum(pkt: Uint8Array): Uint8Array {
  const ihl = (pkt[0] & 0x0f) * 4;
  pkt[10] = 0;
  pkt[11] = 0;
  const c = naiveChecksum(pkt.subarray(0, Math.min(ihl, pkt.length)));
  pkt[10] = c >> 8;
  pkt[11] = c & 0xff;
  return pkt;
}

/** Recompute the TCP checksum of an IPv4 or IPv6 packet (no extension headers) in place, naively. */
export function fixTcpChecksum(pkt: Uint8Array): Uint8Array {
  const v6 = pkt[0] >> 4 === 6;
  const ipLen = v6 ? 40 : (pkt[0] & 0x0f) * 4;
  const tcp = pkt.subarray(ipLen, v6 ? 40 + ((pkt[4] << 8) | pkt[5]) : (pkt[2] << 8) | pkt[3]);
  const len = tcp.length;
  const pseudo = v6
    ? [...pkt.subarray(8, 40), len >>> 24, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff, 0, 0, 0, 6]
    : [...pkt.subarray(12, 20), 0, 6, len >> 8, len & 0xff];
  tcp[16] = 0;
  tcp[17] = 0;
  const c = naiveChecksum([...pseudo, ...tcp]);
  tcp[16] = c >> 8;
  tcp[17] = c & 0xff;
  return pkt;
}

export const WIRE_ERRORS: readonly WireError[] = [
  'short-packet',
  'bad-ip-version',
  'bad-ip-header-length',
  'bad-ip-total-length',
  'bad-ip-checksum',
  'ip-fragment',
  'not-tcp',
  'truncated',
  'bad-data-offset',
  'bad-option-length',
  'bad-tcp-checksum',
  'not-icmp',
  'short-icmp',
  'bad-icmp-checksum',
  'icmp-not-error',
  'bad-icmp-quote',
];

/**
 * A real Linux IPv4 SYN, 10.0.0.1:40000 → 10.0.0.2:80, assembled by hand:
 * IP id 0x1c46, DF, TTL 64; seq 0xd7a3c2e1, window 64240; options
 * mss 1460, sackOK, TS val 0x0023e4b1 ecr 0, nop, wscale 7 (tcpdump's order).
 * Checksums 0x0a74 (IP) and 0x1d22 (TCP) were computed outside this project
 * (a separate Python struct-based implementation) and are cross-checked
 * against naiveChecksum in the tests.
 */
export const LINUX_SYN_V4 = hex(`
  45 00 00 3c 1c 46 40 00 40 06 0a 74 0a 00 00 01 0a 00 00 02
  9c 40 00 50 d7 a3 c2 e1 00 00 00 00 a0 02 fa f0 1d 22 00 00
  02 04 05 b4 04 02 08 0a 00 23 e4 b1 00 00 00 00 01 03 03 07
`);

/**
 * The same SYN over IPv6, 2001:db8::1 → 2001:db8::2, flow label 0x5f3e1,
 * hop limit 64. TCP checksum 0xd5af computed outside the project as above.
 */
export const LINUX_SYN_V6 = hex(`
  60 05 f3 e1 00 28 06 40
  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02
  9c 40 00 50 d7 a3 c2 e1 00 00 00 00 a0 02 fa f0 d5 af 00 00
  02 04 05 b4 04 02 08 0a 00 23 e4 b1 00 00 00 00 01 03 03 07
`);
