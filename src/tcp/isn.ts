import { halfSipHash24, type HashKey } from './halfsiphash.js';

/**
 * Initial sequence number per RFC 6528 §3:
 *   ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
 * where M is a timer ticking every 4 µs and F a keyed hash. Addresses are
 * given as the bytes of the IP address (4 or 16).
 */
export function initialSequenceNumber(
  key: HashKey,
  localAddr: Uint8Array,
  localPort: number,
  remoteAddr: Uint8Array,
  remotePort: number,
  nowMs: number,
): number {
  const words = [...addressWords(localAddr), ...addressWords(remoteAddr), ((localPort & 0xffff) << 16) | (remotePort & 0xffff)];
  const f = halfSipHash24(key, words);
  const m = Math.floor(nowMs * 250) >>> 0; // 4 µs ticks
  return (m + f) >>> 0;
}

export function addressWords(addr: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 3 < addr.length; i += 4) {
    out.push(((addr[i]! << 24) | (addr[i + 1]! << 16) | (addr[i + 2]! << 8) | addr[i + 3]!) >>> 0);
  }
  return out;
}

/** Domain separator: the TSval offset and the ISN hash the same tuple with one key, never to the same value. */
const TS_OFFSET_DOMAIN = 0x54534f46; // "TSOF"

/**
 * A per-connection TSval offset (RFC 7323 §5.4), as Linux's secure_tcp_ts_off:
 * a keyed hash, random to an observer, yet the same for every incarnation of a
 * 4-tuple, so TSvals keep growing across TIME_WAIT reuse (RFC 6191) and PAWS.
 */
export function timestampOffset(key: HashKey, localAddr: Uint8Array, localPort: number, remoteAddr: Uint8Array, remotePort: number): number {
  const words = [...addressWords(localAddr), ...addressWords(remoteAddr), ((localPort & 0xffff) << 16) | (remotePort & 0xffff), TS_OFFSET_DOMAIN];
  return halfSipHash24(key, words) >>> 0;
}
