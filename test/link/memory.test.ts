import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryLink, type PairOptions, type TapEvent } from '../../src/link/memory.js';
import { VirtualClock } from '../../src/util/virtual-clock.js';

function pkt(id: number, size = 20): Uint8Array {
  const p = new Uint8Array(size);
  p[0] = id & 0xff;
  p[1] = (id >> 8) & 0xff;
  p[2] = (id >> 16) & 0xff;
  return p;
}
const idOf = (p: Uint8Array): number => p[0]! | (p[1]! << 8) | (p[2]! << 16);

/** Send n packets a->b (one every `gapMs`), run to idle, return [id, time] arrivals at b. */
function run(opts: PairOptions, n: number, gapMs = 0, size = 20): { arrivals: Array<[number, number]>; a: MemoryLink; b: MemoryLink; clock: VirtualClock } {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock, opts);
  const arrivals: Array<[number, number]> = [];
  b.onPacket((p) => arrivals.push([idOf(p), clock.now()]));
  for (let i = 0; i < n; i++) clock.schedule(i * gapMs, () => a.send(pkt(i, size)));
  clock.runUntilIdle();
  return { arrivals, a, b, clock };
}

test('without impairment packets arrive in FIFO order, both directions', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock);
  assert.equal(a.mtu, 1500);
  const atB: number[] = [];
  const atA: number[] = [];
  b.onPacket((p) => atB.push(idOf(p)));
  a.onPacket((p) => atA.push(idOf(p)));
  for (let i = 0; i < 100; i++) {
    a.send(pkt(i));
    b.send(pkt(1000 + i));
  }
  clock.runUntilIdle();
  assert.deepEqual(atB, [...Array(100).keys()]);
  assert.deepEqual(atA, [...Array(100).keys()].map((i) => 1000 + i));
  assert.deepEqual(a.stats, { sent: 100, delivered: 100, dropped: 0, duplicated: 0, corrupted: 0, reordered: 0, marked: 0 });
});

test('delivery is asynchronous: the handler is never called inside send()', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock);
  let inSend = false;
  let got = 0;
  b.onPacket(() => {
    assert.equal(inSend, false);
    got++;
    // Replying from the handler must not re-enter either side synchronously.
    inSend = true;
    b.send(pkt(9));
    inSend = false;
  });
  a.onPacket(() => {
    assert.equal(inSend, false);
    got++;
  });
  inSend = true;
  a.send(pkt(1));
  inSend = false;
  assert.equal(got, 0);
  assert.equal(clock.pending(), 1);
  clock.runUntilIdle();
  assert.equal(got, 2);
});

test('the packet is delivered, as a copy (Link contract: the sender reuses its buffer), with zero delay at the current time', () => {
  const clock = new VirtualClock(50);
  const [a, b] = MemoryLink.pair(clock);
  const sent = pkt(3);
  let got: Uint8Array | undefined;
  let at = -1;
  b.onPacket((p) => {
    got = p;
    at = clock.now();
  });
  a.send(sent);
  const bytes = sent.slice();
  sent.fill(0xee); // the sender's buffer is its own again once send returns
  clock.runUntilIdle();
  assert.deepEqual(got, bytes);
  assert.notEqual(got, sent);
  assert.equal(at, 50);
});

test('delayMs and jitterMs delay delivery; jitter alone never reorders', () => {
  const { arrivals } = run({ delayMs: 10, jitterMs: 50, seed: 3 }, 500, 0.1);
  assert.deepEqual(arrivals.map((x) => x[0]), [...Array(500).keys()]);
  for (const [id, t] of arrivals) assert.ok(t >= id * 0.1 + 10, `packet ${id} at ${t}`);
  const times = arrivals.map((x) => x[1]);
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! >= times[i - 1]!);
  assert.ok(new Set(times.map((t, i) => t - i * 0.1 - 10)).size > 100, 'jitter varies');
});

test('same seed gives an identical delivery sequence; a different seed differs', () => {
  const opts: PairOptions = { loss: 0.1, duplicate: 0.05, reorder: 0.1, jitterMs: 3, delayMs: 1, corrupt: 0.05, seed: 1234 };
  const trace = (o: PairOptions): string => {
    const clock = new VirtualClock();
    const [a, b] = MemoryLink.pair(clock, o);
    const out: string[] = [];
    b.onPacket((p) => out.push(`b ${clock.now().toFixed(6)} ${Array.from(p).join(',')}`));
    a.onPacket((p) => out.push(`a ${clock.now().toFixed(6)} ${Array.from(p).join(',')}`));
    for (let i = 0; i < 300; i++) {
      clock.schedule(i * 0.5, () => {
        a.send(pkt(i));
        b.send(pkt(10_000 + i));
      });
    }
    clock.runUntilIdle();
    return out.join('\n');
  };
  const t1 = trace(opts);
  assert.equal(trace(opts), t1);
  assert.notEqual(trace({ ...opts, seed: 1235 }), t1);
});

test('the two directions use independent random streams', () => {
  // Traffic in b->a must not change what happens a->b.
  const opts: PairOptions = { loss: 0.3, seed: 77 };
  const lossPattern = (alsoBtoA: boolean): number[] => {
    const clock = new VirtualClock();
    const [a, b] = MemoryLink.pair(clock, opts);
    const got: number[] = [];
    b.onPacket((p) => got.push(idOf(p)));
    for (let i = 0; i < 200; i++) {
      a.send(pkt(i));
      if (alsoBtoA) b.send(pkt(i));
    }
    clock.runUntilIdle();
    return got;
  };
  assert.deepEqual(lossPattern(true), lossPattern(false));
});

test('loss rate ≈ p over 10k packets', () => {
  for (const p of [0.05, 0.3]) {
    const n = 10_000;
    const { arrivals, a } = run({ loss: p, seed: 9 }, n);
    const lost = n - arrivals.length;
    assert.ok(Math.abs(lost / n - p) < 0.02, `p=${p} observed ${lost / n}`);
    assert.equal(a.stats.dropped, lost);
    assert.equal(a.stats.delivered, arrivals.length);
  }
  assert.equal(run({ loss: 1 }, 100).arrivals.length, 0);
});

test('duplicates deliver a second, independent copy and are flagged in the tap', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock, { duplicate: 0.5, seed: 5 });
  const taps: TapEvent[] = [];
  a.onTap((ev) => taps.push(ev));
  const got: Uint8Array[] = [];
  b.onPacket((p) => got.push(p));
  const n = 2000;
  for (let i = 0; i < n; i++) a.send(pkt(i));
  clock.runUntilIdle();
  const dups = taps.filter((e) => e.duplicate === true);
  assert.ok(dups.length > n * 0.4 && dups.length < n * 0.6, `dups ${dups.length}`);
  assert.equal(a.stats.duplicated, dups.length);
  assert.equal(got.length, n + dups.length);
  assert.equal(taps.length, n + dups.length);
  // Each duplicated id arrives twice, as distinct buffers with equal bytes.
  const byId = new Map<number, Uint8Array[]>();
  for (const p of got) byId.set(idOf(p), [...(byId.get(idOf(p)) ?? []), p]);
  for (const ev of dups) {
    const copies = byId.get(idOf(ev.packet))!;
    assert.equal(copies.length, 2);
    assert.notEqual(copies[0], copies[1]);
    assert.deepEqual(copies[0], copies[1]);
  }
});

test('corruption flips exactly one bit of a copy and is flagged; the sender buffer is untouched', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock, { corrupt: 1, seed: 8 });
  const taps: TapEvent[] = [];
  a.onTap((ev) => taps.push(ev));
  const got: Uint8Array[] = [];
  b.onPacket((p) => got.push(p));
  const originals: Uint8Array[] = [];
  for (let i = 0; i < 200; i++) {
    const p = new Uint8Array(64).fill(0xa5);
    originals.push(p);
    a.send(p);
  }
  clock.runUntilIdle();
  assert.equal(got.length, 200);
  assert.equal(a.stats.corrupted, 200);
  const positions = new Set<number>();
  got.forEach((p, i) => {
    assert.ok(originals[i]!.every((x) => x === 0xa5), 'sender copy unchanged');
    assert.notEqual(p, originals[i]);
    let bits = 0;
    for (let j = 0; j < p.length; j++) {
      const x = p[j]! ^ 0xa5;
      if (x !== 0) positions.add(j);
      bits += x.toString(2).split('1').length - 1;
    }
    assert.equal(bits, 1);
    assert.equal(taps[i]!.corrupted, true);
    assert.equal(taps[i]!.packet, p);
  });
  assert.ok(positions.size > 20, 'random byte positions');
  // Partial corruption rate.
  const { a: a2 } = run({ corrupt: 0.2, seed: 2 }, 5000);
  assert.ok(Math.abs(a2.stats.corrupted / 5000 - 0.2) < 0.03, `corrupted ${a2.stats.corrupted}`);
});

test('reorder actually reorders (held-back packets are overtaken)', () => {
  const { arrivals, a } = run({ reorder: 0.2, seed: 4 }, 1000, 0.5);
  const ids = arrivals.map((x) => x[0]);
  assert.equal(ids.length, 1000);
  assert.deepEqual([...ids].sort((x, y) => x - y), [...Array(1000).keys()]);
  let inversions = 0;
  for (let i = 1; i < ids.length; i++) if (ids[i]! < ids[i - 1]!) inversions++;
  assert.ok(inversions > 50, `inversions ${inversions}`);
  assert.ok(a.stats.reordered > 150 && a.stats.reordered < 250, `reordered ${a.stats.reordered}`);
  // A reordered packet gets reorderDelayMs extra.
  const { arrivals: r2 } = run({ reorder: 1, reorderDelayMs: 7, delayMs: 3 }, 1);
  assert.deepEqual(r2, [[0, 10]]);
  // Default extra delay is 2×(delayMs+1).
  const { arrivals: r3 } = run({ reorder: 1, delayMs: 3 }, 1);
  assert.deepEqual(r3, [[0, 3 + 8]]);
});

test('drop hook sees index and direction, and runs before random loss', () => {
  const clock = new VirtualClock();
  const seen: Array<[string, number]> = [];
  const [a, b] = MemoryLink.pair(clock, {
    drop: ({ direction, index, packet }) => {
      seen.push([direction, index]);
      assert.ok(packet instanceof Uint8Array);
      return direction === 'a->b' ? index === 2 || index === 5 : index === 0;
    },
  });
  const atB: number[] = [];
  const atA: number[] = [];
  b.onPacket((p) => atB.push(idOf(p)));
  a.onPacket((p) => atA.push(idOf(p)));
  const taps: TapEvent[] = [];
  a.onTap((e) => taps.push(e));
  for (let i = 0; i < 8; i++) a.send(pkt(i));
  for (let i = 0; i < 3; i++) b.send(pkt(100 + i));
  clock.runUntilIdle();
  assert.deepEqual(atB, [0, 1, 3, 4, 6, 7]);
  assert.deepEqual(atA, [101, 102]);
  assert.deepEqual(seen.filter((s) => s[0] === 'a->b').map((s) => s[1]), [...Array(8).keys()]);
  assert.deepEqual(seen.filter((s) => s[0] === 'b->a').map((s) => s[1]), [0, 1, 2]);
  assert.deepEqual(taps.filter((e) => e.dropped).map((e) => [idOf(e.packet), e.reason]), [[2, 'hook'], [5, 'hook']]);
  // Hook consulted even with loss = 1, and gets the drop attributed to it.
  const [c] = MemoryLink.pair(new VirtualClock(), { loss: 1, drop: () => true });
  const reasons: Array<string | undefined> = [];
  c.onTap((e) => reasons.push(e.reason));
  c.send(pkt(0));
  assert.deepEqual(reasons, ['hook']);
});

test('packets larger than the mtu are dropped with reason mtu', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock, { mtu: 100 });
  assert.equal(a.mtu, 100);
  assert.equal(b.mtu, 100);
  const got: number[] = [];
  b.onPacket((p) => got.push(p.length));
  const taps: TapEvent[] = [];
  a.onTap((e) => taps.push(e));
  a.send(new Uint8Array(100));
  a.send(new Uint8Array(101));
  clock.runUntilIdle();
  assert.deepEqual(got, [100]);
  assert.equal(taps[1]!.dropped, true);
  assert.equal(taps[1]!.reason, 'mtu');
  assert.equal(a.stats.dropped, 1);
});

test('rate limiting spaces deliveries by size*8/rate', () => {
  // 1000 bytes at 1 Mbit/s = 8 ms each, plus 5 ms propagation.
  const { arrivals } = run({ rateBps: 1_000_000, delayMs: 5 }, 5, 0, 1000);
  assert.deepEqual(arrivals, [
    [0, 13],
    [1, 21],
    [2, 29],
    [3, 37],
    [4, 45],
  ]);
  // An idle link does not bank credit: sends spaced wider than the tx time are not bunched.
  const { arrivals: spaced } = run({ rateBps: 1_000_000 }, 3, 20, 1000);
  assert.deepEqual(spaced, [
    [0, 8],
    [1, 28],
    [2, 48],
  ]);
});

test('the rate queue drops from the tail when queueLimitBytes is exceeded', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock, { rateBps: 80_000, queueLimitBytes: 3000 });
  const got: number[] = [];
  b.onPacket((p) => got.push(idOf(p)));
  const reasons: Array<string | undefined> = [];
  a.onTap((e) => reasons.push(e.dropped ? e.reason : 'ok'));
  for (let i = 0; i < 6; i++) a.send(pkt(i, 1000));
  clock.runUntilIdle();
  assert.deepEqual(got, [0, 1, 2]);
  assert.deepEqual(reasons, ['ok', 'ok', 'ok', 'queue', 'queue', 'queue']);
});

test('tap events report every packet with time, direction and dropped status', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock, { loss: 0.5, seed: 21 });
  const taps: TapEvent[] = [];
  a.onTap((e) => taps.push(e));
  b.onTap((e) => taps.push(e));
  let delivered = 0;
  b.onPacket(() => delivered++);
  for (let i = 0; i < 100; i++) clock.schedule(i, () => a.send(pkt(i)));
  clock.schedule(200, () => b.send(pkt(7)));
  clock.runUntilIdle();
  const ab = taps.filter((e) => e.direction === 'a->b');
  assert.equal(ab.length, 100);
  ab.forEach((e, i) => {
    assert.equal(e.time, i);
    assert.equal(idOf(e.packet), i);
    if (e.dropped) assert.equal(e.reason, 'loss');
    else assert.equal(e.reason, undefined);
  });
  assert.equal(ab.filter((e) => !e.dropped).length, delivered);
  assert.ok(ab.some((e) => e.dropped));
  const ba = taps.filter((e) => e.direction === 'b->a');
  assert.equal(ba.length, 1);
  assert.equal(ba[0]!.time, 200);
});

test('close stops delivery in both directions, including packets in flight', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock, { delayMs: 10 });
  const got: string[] = [];
  b.onPacket((p) => got.push(`b${idOf(p)}`));
  a.onPacket((p) => got.push(`a${idOf(p)}`));
  a.send(pkt(1));
  b.send(pkt(2));
  clock.advance(10);
  assert.deepEqual(got, ['b1', 'a2']);
  a.send(pkt(3));
  b.send(pkt(4));
  clock.advance(5);
  b.close();
  b.close(); // idempotent
  assert.equal(clock.pending(), 0);
  const reasons: Array<string | undefined> = [];
  a.onTap((e) => reasons.push(e.reason));
  a.send(pkt(5));
  b.send(pkt(6));
  clock.runUntilIdle();
  assert.deepEqual(got, ['b1', 'a2']);
  assert.deepEqual(reasons, ['closed']);
  assert.deepEqual(a.stats, { sent: 3, delivered: 1, dropped: 2, duplicated: 0, corrupted: 0, reordered: 0, marked: 0 });
});

test('setImpairment changes this end\'s outgoing impairment only', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock, { delayMs: 1 });
  const times: Array<[string, number]> = [];
  b.onPacket(() => times.push(['b', clock.now()]));
  a.onPacket(() => times.push(['a', clock.now()]));
  a.setImpairment({ delayMs: 50 });
  a.send(pkt(0));
  b.send(pkt(0));
  clock.runUntilIdle();
  assert.deepEqual(times, [['a', 1], ['b', 50]]);
  a.setImpairment({ loss: 1 });
  a.send(pkt(1));
  clock.runUntilIdle();
  assert.equal(a.stats.dropped, 1);
  assert.throws(() => a.setImpairment({ loss: 2 }), RangeError);
});

test('per-direction overrides merge over the shared impairment', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock, { delayMs: 5, jitterMs: 0, bToA: { delayMs: 20 }, aToB: { loss: 0 } });
  const times: Array<[string, number]> = [];
  b.onPacket(() => times.push(['b', clock.now()]));
  a.onPacket(() => times.push(['a', clock.now()]));
  a.send(pkt(0));
  b.send(pkt(0));
  clock.runUntilIdle();
  assert.deepEqual(times, [['b', 5], ['a', 20]]);
});

test('invalid options are rejected', () => {
  const clock = new VirtualClock();
  assert.throws(() => MemoryLink.pair(clock, { loss: -0.1 }), RangeError);
  assert.throws(() => MemoryLink.pair(clock, { aToB: { duplicate: 1.5 } }), RangeError);
  assert.throws(() => MemoryLink.pair(clock, { delayMs: -1 }), RangeError);
  assert.throws(() => MemoryLink.pair(clock, { rateBps: 0 }), RangeError);
  assert.throws(() => MemoryLink.pair(clock, { mtu: 0 }), RangeError);
});

test('stats balance: delivered + dropped = sent + duplicated', () => {
  const { a } = run({ loss: 0.1, duplicate: 0.1, reorder: 0.1, corrupt: 0.1, rateBps: 1e6, queueLimitBytes: 20_000, seed: 12 }, 3000, 0.01, 500);
  const s = a.stats;
  assert.equal(s.delivered + s.dropped, s.sent + s.duplicated);
  assert.ok(s.dropped > 300);
});
