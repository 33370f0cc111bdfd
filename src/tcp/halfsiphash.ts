/**
 * HalfSipHash-2-4 (Aumasson & Bernstein; the 32-bit SipHash variant Linux
 * uses as hsiphash): a keyed hash with a 64-bit key and a 32-bit result.
 * Used for initial sequence numbers (RFC 6528) and SYN cookies (RFC 4987).
 * Pure 32-bit arithmetic, no dependencies.
 */
export type HashKey = readonly [number, number];

function rotl(x: number, b: number): number {
  return ((x << b) | (x >>> (32 - b))) >>> 0;
}

export function halfSipHash24(key: HashKey, words: readonly number[]): number {
  const k0 = key[0] >>> 0;
  const k1 = key[1] >>> 0;
  let v0 = k0;
  let v1 = k1;
  let v2 = (0x6c796765 ^ k0) >>> 0;
  let v3 = (0x74656462 ^ k1) >>> 0;

  const round = (): void => {
    v0 = (v0 + v1) >>> 0;
    v1 = rotl(v1, 5) ^ v0;
    v0 = rotl(v0, 16);
    v2 = (v2 + v3) >>> 0;
    v3 = rotl(v3, 8) ^ v2;
    v0 = (v0 + v3) >>> 0;
    v3 = rotl(v3, 7) ^ v0;
    v2 = (v2 + v1) >>> 0;
    v1 = rotl(v1, 13) ^ v2;
    v2 = rotl(v2, 16);
  };

  for (const w of words) {
    const m = w >>> 0;
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  const b = ((words.length * 4) << 24) >>> 0;
  v3 ^= b;
  round();
  round();
  v0 ^= b;
  v2 ^= 0xff;
  round();
  round();
  round();
  round();
  return (v1 ^ v3) >>> 0;
}
