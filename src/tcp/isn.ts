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
