import { hashBegin, hashEnd, hashWord, type HashKey } from './halfsiphash.js';

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
  beginTupleHash(key, localAddr, localPort, remoteAddr, remotePort);
  const f = hashEnd();
  const m = Math.floor(nowMs * 250) >>> 0; // 4 µs ticks
  return (m + f) >>> 0;
}

/**
 * Start a hash of a 4-tuple (the words of both addresses, then the two ports
 * in one word); the caller may absorb more words (`hashWord`) before `hashEnd`.
 * No array is built: a connection's ISN and TSval offset cost no allocation.
 */
export function beginTupleHash(key: HashKey, localAddr: Uint8Array, localPort: number, remoteAddr: Uint8Array, remotePort: number): void {
  hashBegin(key);
  hashAddress(localAddr);
  hashAddress(remoteAddr);
  hashWord(((localPort & 0xffff) << 16) | (remotePort & 0xffff));
}

/** Absorb an address as its big-endian 32-bit words (the words `addressWords` lists). */
function hashAddress(addr: Uint8Array): void {
  for (let i = 0; i + 3 < addr.length; i += 4) hashWord(addressWord(addr, i));
}

/** The big-endian 32-bit word at byte `i` of an address. */
function addressWord(addr: Uint8Array, i: number): number {
  return ((addr[i]! << 24) | (addr[i + 1]! << 16) | (addr[i + 2]! << 8) | addr[i + 3]!) >>> 0;
}

export function addressWords(addr: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 3 < addr.length; i += 4) out.push(addressWord(addr, i));
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
  beginTupleHash(key, localAddr, localPort, remoteAddr, remotePort);
  hashWord(TS_OFFSET_DOMAIN);
  return hashEnd();
}
