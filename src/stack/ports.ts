import type { Rng } from '../util/rng.js';

/**
 * Ephemeral port choice for active opens: start at a random offset in the
 * range and walk it (RFC 6056 §3.3.1 "simple port randomization"), taking
 * the first port the caller accepts. Bounded by the size of the range.
 */
export class EphemeralPorts {
  private readonly lo: number;
  private readonly size: number;

  constructor(
    range: [number, number],
    private readonly rng: Rng,
  ) {
    const [lo, hi] = range;
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi > 65535 || lo > hi) {
      throw new RangeError(`ephemeral port range must be integers with 1 <= lo <= hi <= 65535, got ${lo}-${hi}`);
    }
    this.lo = lo;
    this.size = hi - lo + 1;
  }

  pick(free: (port: number) => boolean): number | undefined {
    const start = this.rng.int(this.size);
    for (let i = 0; i < this.size; i++) {
      const port = this.lo + ((start + i) % this.size);
      if (free(port)) return port;
    }
    return undefined;
  }
}
