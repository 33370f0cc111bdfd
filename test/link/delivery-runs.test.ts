import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryLink, type PairOptions } from '../../src/link/memory.js';
import type { Clock } from '../../src/util/clock.js';
import { Rng } from '../../src/util/rng.js';
import { VirtualClock } from '../../src/util/virtual-clock.js';

// MemoryLink serves packets due at the same time with one clock callback (a run, delivery-queue.ts) only
// where nothing else was scheduled between them: every event keeps its place in the clock's order.

function pkt(id: number): Uint8Array {
  const p = new Uint8Array(20);
  p[0] = id;
  return p;
}

test('packets due at the same time, sent back to back, are delivered in send order by one clock callback', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock, { delayMs: 3 });
  const got: Array<[number, number]> = [];
  b.onPacket((p) => got.push([p[0]!, clock.now()]));
  const before = clock.scheduleCount();
  for (let i = 0; i < 5; i++) a.send(pkt(i));
  assert.equal(clock.scheduleCount() - before, 1);
  assert.equal(clock.pending(), 1);
  clock.runUntilIdle();
  assert.deepEqual(got, [0, 1, 2, 3, 4].map((i) => [i, 3]));
  assert.deepEqual(a.stats, { sent: 5, delivered: 5, dropped: 0, duplicated: 0, corrupted: 0, reordered: 0, marked: 0 });
});

test('a callback scheduled between two sends at the same time still runs between their deliveries', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock);
  const got: string[] = [];
  b.onPacket((p) => got.push(`p${p[0]}`));
  a.send(pkt(0));
  a.send(pkt(1));
  clock.schedule(0, () => got.push('timer'));
  a.send(pkt(2));
  b.send(pkt(9)); // the other direction: a run of its own, after the timer
  a.onPacket((p) => got.push(`a${p[0]}`));
  a.send(pkt(3));
  clock.runUntilIdle();
  assert.deepEqual(got, ['p0', 'p1', 'timer', 'p2', 'a9', 'p3']);
});

test('a packet sent during a run is not delivered in that run, at the same time or later', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock);
  const got: string[] = [];
  b.onPacket((p) => {
    got.push(`p${p[0]}@${clock.now()}`);
    if (p[0] === 0) a.send(pkt(2)); // same direction, due now: after everything already due now
  });
  a.send(pkt(0));
  a.send(pkt(1));
  clock.schedule(0, () => got.push('timer'));
  clock.runUntilIdle();
  assert.deepEqual(got, ['p0@0', 'p1@0', 'timer', 'p2@0']);

  // Nothing scheduled since the run's last packet: the packet still gets a callback of its own.
  got.length = 0;
  a.send(pkt(0));
  a.send(pkt(1));
  clock.runUntilIdle();
  assert.deepEqual(got, ['p0@0', 'p1@0', 'p2@0']);
  assert.equal(a.stats.delivered, 6);

  const [c, d] = MemoryLink.pair(clock, { delayMs: 5 });
  const late: string[] = [];
  d.onPacket((p) => {
    late.push(`p${p[0]}@${clock.now()}`);
    if (p[0] === 0) c.send(pkt(2));
  });
  c.send(pkt(0));
  c.send(pkt(1));
  clock.runUntilIdle();
  assert.deepEqual(late, ['p0@5', 'p1@5', 'p2@10']);
});

test('close() in a handler ends the run: the rest of it is dropped', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock);
  const got: number[] = [];
  b.onPacket((p) => {
    got.push(p[0]!);
    if (p[0] === 1) b.close();
  });
  for (let i = 0; i < 4; i++) a.send(pkt(i));
  clock.runUntilIdle();
  assert.deepEqual(got, [0, 1]);
  assert.equal(clock.pending(), 0);
  assert.deepEqual(a.stats, { sent: 4, delivered: 2, dropped: 2, duplicated: 0, corrupted: 0, reordered: 0, marked: 0 });
});

test('a handler that throws mid-run: the error propagates and the rest of the run is still delivered, in order', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock);
  const got: number[] = [];
  b.onPacket((p) => {
    got.push(p[0]!);
    if (p[0] === 1) throw new Error('handler bug');
  });
  for (let i = 0; i < 4; i++) a.send(pkt(i));
  assert.throws(() => clock.runUntilIdle(), /handler bug/);
  clock.runUntilIdle();
  assert.deepEqual(got, [0, 1, 2, 3]);
  assert.equal(a.stats.delivered, 4);
});

/** The same clock without scheduleCount: the link then schedules one callback per packet, as before runs. */
function unbatched(clock: VirtualClock): Clock {
  return { now: () => clock.now(), schedule: (at, fn, opts) => clock.schedule(at, fn, opts), cancel: (h) => clock.cancel(h) };
}

/** Random sends on both directions, timers, and replies from handlers; the log of everything that ran, in order. */
function scenario(seed: number, batched: boolean, opts: PairOptions): string[] {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(batched ? clock : unbatched(clock), opts);
  const rng = new Rng(seed);
  const log: string[] = [];
  let id = 0;
  const on = (name: string, self: MemoryLink) => (p: Uint8Array): void => {
    log.push(`${name}${p[0]}@${clock.now()}`);
    const r = rng.int(4);
    if (r === 0) self.send(pkt(id++ & 0xff));
    else if (r === 1) clock.schedule(clock.now() + rng.int(2), () => log.push(`t@${clock.now()}`));
  };
  a.onPacket(on('a', a));
  b.onPacket(on('b', b));
  for (let step = 0; step < 200; step++) {
    clock.schedule(rng.int(20), () => {
      const n = 1 + rng.int(4);
      for (let k = 0; k < n; k++) {
        const r = rng.int(3);
        if (r === 0) a.send(pkt(id++ & 0xff));
        else if (r === 1) b.send(pkt(id++ & 0xff));
        else clock.schedule(clock.now() + rng.int(2), () => log.push(`u@${clock.now()}`));
      }
    });
  }
  clock.runUntilIdle();
  log.push(JSON.stringify([a.stats, b.stats]));
  return log;
}

test('runs change no order: random traffic both ways with timers gives the same events as one callback per packet', () => {
  const impairments: PairOptions[] = [{}, { delayMs: 1 }, { delayMs: 2, jitterMs: 3, loss: 0.1, duplicate: 0.1, reorder: 0.1 }, { rateBps: 1e6 }];
  for (const opts of impairments) {
    for (let seed = 1; seed <= 10; seed++) {
      const ref = scenario(seed, false, opts);
      assert.ok(ref.length > 400);
      assert.deepEqual(scenario(seed, true, opts), ref, `seed ${seed}, ${JSON.stringify(opts)}`);
    }
  }
});
