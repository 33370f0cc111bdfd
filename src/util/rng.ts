/**
 * Small, fast, deterministic pseudo-random number generator.
 *
 * The state is xoshiro128** (Blackman & Vigna), seeded from a 32-bit seed by
 * running splitmix32 four times. Everything here is plain integer arithmetic,
 * so the same seed gives the same stream on every JavaScript engine.
 *
 * Not cryptographically secure: it exists to make simulations reproducible
 * (packet loss, reordering, initial sequence numbers in tests, ...).
 */

const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_53 = 2 ** 53;

/** splitmix32 step: returns [output, nextState]. */
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  z = z ^ (z >>> 15);
  return [z >>> 0, next];
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /**
   * @param seed any number; it is reduced to 32 bits (non-integers are
   *   truncated, NaN/Infinity become 0), so `new Rng(1)` and `new Rng(1 + 2**32)`
   *   give the same stream.
   */
  constructor(seed: number) {
    let st = Number.isFinite(seed) ? Math.trunc(seed) | 0 : 0;
    let out: number;
    [out, st] = splitmix32(st);
    this.s0 = out;
    [out, st] = splitmix32(st);
    this.s1 = out;
    [out, st] = splitmix32(st);
    this.s2 = out;
    [out, st] = splitmix32(st);
    this.s3 = out;
    // xoshiro must never have an all-zero state.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next unsigned 32-bit integer, uniform in [0, 2^32). */
  nextU32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    const s2 = this.s2;
    const s3 = this.s3;
    // result = rotl(s1 * 5, 7) * 9
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    this.s1 = s1 ^ n2;
    this.s0 = s0 ^ n3;
    this.s2 = n2 ^ t;
    this.s3 = (n3 << 11) | (n3 >>> 21);
    return result;
  }

  /** Uniform double in [0, 1) with 53 bits of randomness. */
  next(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / TWO_POW_53;
  }

  /**
   * Uniform integer in [0, maxExclusive). `maxExclusive` must be a positive
   * safe integer. Unbiased (rejection sampling) for maxExclusive <= 2^32.
   */
  int(maxExclusive: number): number {
    if (!Number.isSafeInteger(maxExclusive) || maxExclusive <= 0) {
      throw new RangeError(`Rng.int: maxExclusive must be a positive safe integer, got ${maxExclusive}`);
    }
    if (maxExclusive <= TWO_POW_32) {
      // Reject the top partial bucket so every residue is equally likely.
      const limit = TWO_POW_32 - (TWO_POW_32 % maxExclusive);
      for (;;) {
        const x = this.nextU32();
        if (x < limit) return x % maxExclusive;
      }
    }
    return Math.floor(this.next() * maxExclusive);
  }

  /**
   * True with probability `p`. `p <= 0` is always false and `p >= 1` always
   * true; neither consumes randomness (so disabled impairments do not shift
   * the stream). NaN counts as 0.
   */
  chance(p: number): boolean {
    if (!(p > 0)) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  /**
   * A new generator whose stream is derived from (and advances) this one.
   * Forking is deterministic: the same parent state yields the same child,
   * and the child's draws do not affect the parent afterwards.
   */
  fork(): Rng {
    const child = new Rng(0);
    // Seed all 128 bits of the child from the parent, then scramble once more
    // through splitmix32 so the child stream is not a shifted copy of ours.
    let st = this.nextU32() | 0;
    let out: number;
    [out, st] = splitmix32(st ^ this.nextU32());
    child.s0 = out;
    [out, st] = splitmix32(st ^ this.nextU32());
    child.s1 = out;
    [out, st] = splitmix32(st ^ this.nextU32());
    child.s2 = out;
    [out, st] = splitmix32(st ^ this.nextU32());
    child.s3 = out;
    if ((child.s0 | child.s1 | child.s2 | child.s3) === 0) child.s0 = 1;
    return child;
  }
}
