import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DONE, PENDING, TimerHeap } from '../../src/util/timer-heap.js';

interface Entry {
  at: number;
  seq: number;
  state: number;
}

let nextSeq = 0;
const entry = (at: number): Entry => ({ at, seq: nextSeq++, state: PENDING });

function drainAll(h: TimerHeap<Entry>): Entry[] {
  const out: Entry[] = [];
  for (let top = h.peek(); top !== undefined; top = h.peek()) {
    assert.equal(h.pop(), top);
    out.push(top);
  }
  return out;
}

test('empty heap: peek and pop give undefined', () => {
  const h = new TimerHeap<Entry>();
  assert.equal(h.length, 0);
  assert.equal(h.peek(), undefined);
  assert.equal(h.pop(), undefined);
});

test('entries come out ordered by time', () => {
  const h = new TimerHeap<Entry>();
  for (const at of [30, 10, 20.5, 0, 99, 10.25]) h.push(entry(at));
  assert.equal(h.length, 6);
  assert.deepEqual(drainAll(h).map((e) => e.at), [0, 10, 10.25, 20.5, 30, 99]);
  assert.equal(h.length, 0);
});

test('equal times come out in seq order (FIFO)', () => {
  const h = new TimerHeap<Entry>();
  const pushed: Entry[] = [];
  for (let i = 0; i < 100; i++) {
    const e = entry(i % 3 === 0 ? 5 : 7);
    pushed.push(e);
    h.push(e);
  }
  const out = drainAll(h);
  const expected = [...pushed.filter((e) => e.at === 5), ...pushed.filter((e) => e.at === 7)];
  assert.deepEqual(out, expected);
});

test('peek skips cancelled entries and discards them', () => {
  const h = new TimerHeap<Entry>();
  const a = entry(1);
  const b = entry(2);
  const c = entry(3);
  h.push(c);
  h.push(a);
  h.push(b);
  a.state = DONE;
  b.state = DONE;
  assert.equal(h.length, 3);
  assert.equal(h.peek(), c);
  assert.equal(h.length, 1);
  c.state = DONE;
  assert.equal(h.peek(), undefined);
  assert.equal(h.length, 0);
});

test('compact drops cancelled entries and keeps the order', () => {
  const h = new TimerHeap<Entry>();
  const all: Entry[] = [];
  for (let i = 0; i < 2000; i++) {
    const e = entry((i * 7919) % 101);
    all.push(e);
    h.push(e);
  }
  for (let i = 0; i < all.length; i++) if (i % 4 !== 0) all[i]!.state = DONE;
  h.compact();
  assert.equal(h.length, 500);
  const expected = all.filter((e) => e.state === PENDING).sort((x, y) => x.at - y.at || x.seq - y.seq);
  assert.deepEqual(drainAll(h), expected);
});

test('clear empties the heap', () => {
  const h = new TimerHeap<Entry>();
  h.push(entry(1));
  h.push(entry(2));
  h.clear();
  assert.equal(h.length, 0);
  assert.equal(h.peek(), undefined);
});

test('property: with random pushes, cancels and compactions, output is the sorted live entries', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ at: fc.integer({ min: 0, max: 20 }), cancel: fc.boolean(), compactAfter: fc.boolean() }), { maxLength: 200 }),
      (ops) => {
        const h = new TimerHeap<Entry>();
        const all: Entry[] = [];
        for (const op of ops) {
          const e = entry(op.at);
          all.push(e);
          h.push(e);
          if (op.cancel) e.state = DONE;
          if (op.compactAfter) h.compact();
        }
        const expected = all.filter((e) => e.state === PENDING).sort((x, y) => x.at - y.at || x.seq - y.seq);
        assert.deepEqual(drainAll(h), expected);
      },
    ),
  );
});
