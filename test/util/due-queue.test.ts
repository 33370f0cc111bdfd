import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DueQueue, DUE_HORIZON_MS } from '../../src/util/due-queue.js';
import { DONE, PENDING } from '../../src/util/timer-heap.js';
import { RealClock } from '../../src/util/real-clock.js';

interface E {
  at: number;
  seq: number;
  state: number;
}
const entry = (at: number, seq: number): E => ({ at, seq, state: PENDING });

test('DueQueue takes entries in time order near now, refuses an earlier one or a far one (the clock heaps those)', () => {
  const q = new DueQueue<E>();
  assert.equal(q.offer(entry(10, 1), 10), true);
  assert.equal(q.offer(entry(10, 2), 10), true);
  assert.equal(q.offer(entry(11, 3), 10), true);
  assert.equal(q.offer(entry(10.5, 4), 10), false, 'earlier than the tail: out of order');
  assert.equal(q.offer(entry(10 + DUE_HORIZON_MS + 1, 5), 10), false, 'a protocol timer: beyond the horizon');
  assert.deepEqual([q.peek()?.seq, q.length], [1, 3]);
  q.shift();
  q.shift();
  q.shift();
  assert.equal(q.peek(), undefined);
  assert.equal(q.offer(entry(5, 6), 10), true, 'an emptied queue takes any due time again');
});

test('DueQueue discards cancelled entries at its head and compacts after many shifts', () => {
  const q = new DueQueue<E>();
  const es = Array.from({ length: 3000 }, (_, i) => entry(1, i));
  for (const e of es) assert.equal(q.offer(e, 1), true);
  for (let i = 0; i < 2000; i++) es[i]!.state = DONE;
  assert.equal(q.peek()?.seq, 2000);
  for (let i = 2000; i < 2999; i++) q.shift();
  assert.equal(q.peek()?.seq, 2999);
  assert.equal(q.length, 1);
});

test('RealClock runs due-now callbacks and heaped ones in one (time, scheduling) order', async () => {
  const c = new RealClock();
  const log: string[] = [];
  // Scheduled from inside a callback, where now() stands still: the test does not depend on how fast it runs.
  c.schedule(c.now(), () => {
    const t0 = c.now();
    c.schedule(t0 + 1.5, () => log.push('z')); // the due queue's first entry
    c.schedule(t0 - 5, () => log.push('x')); // in the past: runs as due now, earlier than the queue's tail: heaped
    c.schedule(t0 + 1.9, () => log.push('y')); // due queue
    c.schedule(t0 + 1.6, () => log.push('w')); // earlier than the due queue's tail: heaped
    c.schedule(t0 + 50, () => log.push('far')); // beyond the horizon: heaped
  });
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(log, ['x', 'z', 'w', 'y', 'far']);
});

test('RealClock: inside a callback now() is the time the callback started; outside it moves', async () => {
  const c = new RealClock();
  const seen: number[] = [];
  await new Promise<void>((done) =>
    c.schedule(c.now(), () => {
      const a = c.now();
      const until = performance.now() + 3;
      while (performance.now() < until); // busy 3 ms
      seen.push(a, c.now());
      done();
    }),
  );
  assert.equal(seen[0], seen[1], 'one time for all one callback does');
  const a = c.now();
  await new Promise((r) => setTimeout(r, 3));
  assert.ok(c.now() > a);
});

test('RealClock: callbacks due now do not clear the host timeout armed for a later one, nor re-arm it after they ran', async () => {
  const g = globalThis as unknown as { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout };
  const realSet = g.setTimeout;
  const realClear = g.clearTimeout;
  let sets = 0;
  let clears = 0;
  g.setTimeout = ((fn: () => void, ms?: number) => {
    sets++;
    return realSet(fn, ms);
  }) as typeof setTimeout;
  g.clearTimeout = ((h: Parameters<typeof clearTimeout>[0]) => {
    clears++;
    realClear(h);
  }) as typeof clearTimeout;
  const log: string[] = [];
  try {
    const c = new RealClock();
    c.schedule(c.now() + 40, () => log.push('later'));
    assert.equal(sets, 1);
    for (let i = 0; i < 3; i++) {
      c.schedule(c.now(), () => log.push(`now${i}`));
      await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(log, ['now0', 'now1', 'now2']);
    assert.deepEqual([sets, clears], [1, 0], 'the timeout for the later callback stayed armed');
    await new Promise((r) => realSet(r, 80));
    assert.deepEqual(log, ['now0', 'now1', 'now2', 'later']);
  } finally {
    g.setTimeout = realSet;
    g.clearTimeout = realClear;
  }
});
