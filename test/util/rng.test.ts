import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from '../../src/util/rng.js';

function draw(r: Rng, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r.nextU32());
  return out;
}

test('same seed gives the same stream', () => {
  fc.assert(
    fc.property(fc.integer(), (seed) => {
      assert.deepEqual(draw(new Rng(seed), 50), draw(new Rng(seed), 50));
    }),
  );
});

test('different seeds give different streams', () => {
  assert.notDeepEqual(draw(new Rng(1), 20), draw(new Rng(2), 20));
  assert.notDeepEqual(draw(new Rng(0), 20), draw(new Rng(-1), 20));
});

test('known first outputs stay stable (regression: stream must never change silently)', () => {
  // Recorded scenarios depend on these exact values.
  assert.deepEqual(draw(new Rng(1), 4), [393288148, 2174103013, 3814759091, 2092745082]);
});

test('seed 0 works (no all-zero xoshiro state)', () => {
  const xs = draw(new Rng(0), 10);
  assert.ok(xs.some((x) => x !== 0));
});

test('nextU32 is an unsigned 32-bit integer and covers high bits', () => {
  const r = new Rng(42);
  let high = 0;
  for (let i = 0; i < 10_000; i++) {
    const x = r.nextU32();
    assert.ok(Number.isInteger(x) && x >= 0 && x <= 0xffffffff);
    if (x >= 2 ** 31) high++;
  }
  assert.ok(high > 4_500 && high < 5_500, `high half count ${high}`);
});

test('next() is in [0,1) with mean ≈ 0.5 and roughly uniform buckets', () => {
  const r = new Rng(7);
  const n = 100_000;
  const buckets = new Array<number>(10).fill(0);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = r.next();
    assert.ok(x >= 0 && x < 1);
    sum += x;
    buckets[Math.floor(x * 10)]!++;
  }
  assert.ok(Math.abs(sum / n - 0.5) < 0.01, `mean ${sum / n}`);
  for (const b of buckets) assert.ok(Math.abs(b - n / 10) < n / 100, `bucket ${b}`);
});

test('int(max) stays in range and hits every value', () => {
  fc.assert(
    fc.property(fc.integer(), fc.integer({ min: 1, max: 20 }), (seed, max) => {
      const r = new Rng(seed);
      const seen = new Set<number>();
      for (let i = 0; i < 400; i++) {
        const x = r.int(max);
        assert.ok(Number.isInteger(x) && x >= 0 && x < max);
        seen.add(x);
      }
      assert.equal(seen.size, max);
    }),
    { numRuns: 50 },
  );
  const r = new Rng(3);
  for (let i = 0; i < 1000; i++) {
    const x = r.int(2 ** 40);
    assert.ok(Number.isInteger(x) && x >= 0 && x < 2 ** 40);
  }
  assert.equal(new Rng(1).int(1), 0);
});

test('int rejects invalid bounds', () => {
  const r = new Rng(1);
  assert.throws(() => r.int(0), RangeError);
  assert.throws(() => r.int(-3), RangeError);
  assert.throws(() => r.int(2.5), RangeError);
  assert.throws(() => r.int(Number.NaN), RangeError);
});

test('chance(p) frequency ≈ p, and 0/1 are exact', () => {
  const r = new Rng(99);
  const n = 50_000;
  for (const p of [0.01, 0.1, 0.5, 0.9]) {
    let hits = 0;
    for (let i = 0; i < n; i++) if (r.chance(p)) hits++;
    const sd = Math.sqrt(n * p * (1 - p));
    assert.ok(Math.abs(hits - n * p) < 5 * sd, `p=${p} hits=${hits}`);
  }
  for (let i = 0; i < 1000; i++) {
    assert.equal(r.chance(0), false);
    assert.equal(r.chance(1), true);
  }
});

test('chance(0) and chance(1) do not consume randomness', () => {
  const a = new Rng(5);
  const b = new Rng(5);
  a.chance(0);
  a.chance(1);
  assert.equal(a.nextU32(), b.nextU32());
});

test('fork is deterministic and independent of the parent', () => {
  const p1 = new Rng(11);
  const p2 = new Rng(11);
  const c1 = p1.fork();
  const c2 = p2.fork();
  assert.deepEqual(draw(c1, 20), draw(c2, 20));
  // Child draws do not move the parent.
  assert.deepEqual(draw(p1, 20), draw(p2, 20));
  // Child differs from the parent and from a sibling.
  const p = new Rng(11);
  const x = p.fork();
  const y = p.fork();
  const xs = draw(x, 20);
  assert.notDeepEqual(xs, draw(y, 20));
  assert.notDeepEqual(xs, draw(new Rng(11), 20));
});
