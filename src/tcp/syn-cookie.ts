import { halfSipHash24, type HashKey } from './halfsiphash.js';
import { addressWords } from './isn.js';

/**
 * SYN cookies (RFC 4987 §3.6): when a listener's SYN queue is full, the
 * SYN-ACK's ISN encodes everything needed to rebuild the connection from the
 * final ACK, so no state is kept for half-open connections.
 *
 *   cookie = H1(SEG.SEQ) + (count << 24) + ((H2(count) + mssIndex) mod 2^24)
 *
 * H1 and H2 are keyed hashes of the 4-tuple; `count` is a minute counter, so
 * a cookie is honoured for up to two minutes. The SYN's sequence number goes
 * into the hash, not added to it as Linux's cookie_hash scheme does: added,
 * an ACK k octets past the SYN's ISN + 1 (a data segment that overtook the
 * first one, when the first carried 1–3 octets) checks out with MSS index
 * − k, and the connection would open with the wrong IRS, its first octets lost
 * unseen (fuzz case 2961773184). Only the MSS survives (as an
 * index into a table); window scaling, SACK and timestamps are off for a
 * connection opened by a cookie, as in Linux without timestamp cookies.
 */
export const COOKIE_MSS_TABLE: readonly number[] = [536, 1300, 1440, 1460];

const MINUTE = 60_000;

export interface CookieTuple {
  localAddr: Uint8Array;
  localPort: number;
  remoteAddr: Uint8Array;
  remotePort: number;
}

function hash(key: HashKey, t: CookieTuple, salt: number, count: number): number {
  return halfSipHash24(key, [...addressWords(t.localAddr), ...addressWords(t.remoteAddr), ((t.localPort & 0xffff) << 16) | (t.remotePort & 0xffff), salt, count]);
}

/** The largest table MSS not above what the peer offered. */
export function cookieMssIndex(peerMss: number | undefined): number {
  const mss = peerMss ?? 536;
  let idx = 0;
  for (let i = 0; i < COOKIE_MSS_TABLE.length; i++) if (COOKIE_MSS_TABLE[i]! <= mss) idx = i;
  return idx;
}

/** The ISN for a cookie SYN-ACK answering a SYN with sequence number `peerSeq`. */
export function makeCookie(key: HashKey, t: CookieTuple, peerSeq: number, nowMs: number, mssIndex: number): number {
  const count = Math.floor(nowMs / MINUTE) & 0xff;
  const h1 = hash(key, t, 0, peerSeq);
  const h2 = hash(key, t, 1, count);
  return (h1 + ((count << 24) >>> 0) + ((h2 + mssIndex) & 0xffffff)) >>> 0;
}

/**
 * Check the cookie echoed in an ACK (SEG.ACK − 1) for a SYN whose sequence
 * number was SEG.SEQ − 1. Returns the MSS index, or undefined for a forged,
 * stale or mangled cookie.
 */
export function checkCookie(key: HashKey, t: CookieTuple, peerSeq: number, cookie: number, nowMs: number): number | undefined {
  const h1 = hash(key, t, 0, peerSeq);
  const v = (cookie - h1) >>> 0;
  const count = v >>> 24;
  const age = ((Math.floor(nowMs / MINUTE) & 0xff) - count) & 0xff;
  if (age > 1) return undefined;
  const mssIndex = ((v & 0xffffff) - (hash(key, t, 1, count) & 0xffffff)) & 0xffffff;
  return mssIndex < COOKIE_MSS_TABLE.length ? mssIndex : undefined;
}
