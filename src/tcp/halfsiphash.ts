/**
 * HalfSipHash-2-4 (Aumasson & Bernstein; the 32-bit SipHash variant Linux
 * uses as hsiphash): a keyed hash with a 64-bit key and a 32-bit result.
 * Used for initial sequence numbers (RFC 6528) and SYN cookies (RFC 4987).
 * Pure 32-bit arithmetic, no dependencies.
 *
 * Allocation-free: the state lives in one module-level Int32Array (numbers
 * kept there stay unboxed), fed a 32-bit word at a time — `hashBegin`,
 * `hashWord`…, `hashEnd` — so a caller hashes a 4-tuple straight from its
 * address bytes without building an array. One hash at a time: the calls of
 * one hash must not interleave with another's (everything here is synchronous).
 * A word is the little-endian reading of 4 message bytes, as in the reference.
 */
export type HashKey = readonly [number, number];

/** v0, v1, v2, v3, then the message length in bytes. */
const state = new Int32Array(5);

/** `n` SipRounds over the state. */
function rounds(n: number): void {
  let v0 = state[0]!;
  let v1 = state[1]!;
  let v2 = state[2]!;
  let v3 = state[3]!;
  for (let i = 0; i < n; i++) {
    v0 = (v0 + v1) | 0;
    v1 = ((v1 << 5) | (v1 >>> 27)) ^ v0;
    v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0;
    v3 = ((v3 << 8) | (v3 >>> 24)) ^ v2;
    v0 = (v0 + v3) | 0;
    v3 = ((v3 << 7) | (v3 >>> 25)) ^ v0;
    v2 = (v2 + v1) | 0;
    v1 = ((v1 << 13) | (v1 >>> 19)) ^ v2;
    v2 = (v2 << 16) | (v2 >>> 16);
  }
  state[0] = v0;
  state[1] = v1;
  state[2] = v2;
  state[3] = v3;
}

/** Start a hash under `key`. */
export function hashBegin(key: HashKey): void {
  const k0 = key[0] | 0;
  const k1 = key[1] | 0;
  state[0] = k0;
  state[1] = k1;
  state[2] = 0x6c796765 ^ k0;
  state[3] = 0x74656462 ^ k1;
  state[4] = 0;
}

/** Absorb one 32-bit message word (c = 2 rounds). */
export function hashWord(w: number): void {
  const m = w | 0;
  state[3] ^= m;
  rounds(2);
  state[0] ^= m;
  state[4] += 4;
}

/** Finish (d = 4 rounds) and return the 32-bit result. */
export function hashEnd(): number {
  const b = state[4]! << 24;
  state[3] ^= b;
  rounds(2);
  state[0] ^= b;
  state[2] ^= 0xff;
  rounds(4);
  return (state[1]! ^ state[3]!) >>> 0;
}

/** The hash of a message of whole 32-bit words. */
export function halfSipHash24(key: HashKey, words: ArrayLike<number>): number {
  hashBegin(key);
  for (let i = 0; i < words.length; i++) hashWord(words[i]!);
  return hashEnd();
}
