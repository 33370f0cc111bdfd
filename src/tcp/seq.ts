/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4, RFC 1982).
 * Values are unsigned 32-bit numbers (0 … 2^32−1). Comparisons are valid
 * for numbers less than 2^31 apart, which the window rules guarantee.
 */

/** a + n, wrapped. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** Signed distance b − a in (−2^31, 2^31]: positive when b is after a. */
export function seqDiff(b: number, a: number): number {
  return (b - a) | 0;
}

export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}
export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}
export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}
export function seqGe(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}
export function seqMax(a: number, b: number): number {
  return seqGt(a, b) ? a : b;
}
export function seqMin(a: number, b: number): number {
  return seqLt(a, b) ? a : b;
}

/** lo <= x < hi, modulo 2^32. */
export function seqInRange(x: number, lo: number, hi: number): boolean {
  return seqLe(lo, x) && seqLt(x, hi);
}
