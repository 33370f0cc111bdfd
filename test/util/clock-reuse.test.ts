/**
 * ScheduleOptions.reuse: a caller that forgets the handle once its callback has started lets the clock
 * recycle the handle object (MemoryLink schedules one delivery per packet, the timer wheel its wake-ups).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealClock } from '../../src/util/real-clock.js';
import { VirtualClock } from '../../src/util/virtual-clock.js';

const REUSE = { reuse: true };

test('virtual clock: a reuse handle that has run serves the next reuse schedule; others are never recycled', () => {
  const c = new VirtualClock();
  const ran: string[] = [];
  const h1 = c.schedule(1, () => ran.push('a'), REUSE);
  const plain = c.schedule(1, () => ran.push('b'));
  c.runUntilIdle();
  const h2 = c.schedule(5, () => ran.push('c'), REUSE);
  assert.equal(h2, h1, 'the handle object came back');
  assert.equal(h2.at, 5);
  const h3 = c.schedule(6, () => ran.push('d'), REUSE);
  assert.notEqual(h3, plain, 'a handle scheduled without reuse stays the caller’s');
  assert.notEqual(h3, h2, 'a pending handle is not handed out twice');
  c.runUntilIdle();
  assert.deepEqual(ran, ['a', 'b', 'c', 'd']);
  assert.equal(c.pending(), 0);
});

test('virtual clock: a reuse handle cancelled before it runs stays cancelled and is not recycled', () => {
  const c = new VirtualClock();
  const ran: string[] = [];
  const h = c.schedule(1, () => ran.push('cancelled'), REUSE);
  c.cancel(h);
  const next = c.schedule(2, () => ran.push('next'), REUSE);
  assert.notEqual(next, h);
  c.runUntilIdle();
  assert.deepEqual(ran, ['next']);
});

test('virtual clock: a callback that throws has run all the same: its reuse handle is recycled and the clock stays consistent', () => {
  const c = new VirtualClock();
  const h = c.schedule(1, () => {
    throw new Error('boom');
  }, REUSE);
  assert.throws(() => c.runUntilIdle(), /boom/);
  const ok = c.schedule(2, () => {}, REUSE);
  assert.equal(ok, h, 'recycled after its callback ended, even by a throw (it had run)');
  c.runUntilIdle();
  assert.equal(c.pending(), 0);
});

test('real clock: a reuse handle that has run serves the next reuse schedule', async () => {
  const c = new RealClock();
  const ran: string[] = [];
  let h1: unknown;
  await new Promise<void>((resolve) => {
    h1 = c.schedule(c.now(), () => {
      ran.push('a');
      resolve();
    }, REUSE);
  });
  await new Promise<void>((resolve) => setImmediate(resolve));
  let h2: unknown;
  await new Promise<void>((resolve) => {
    h2 = c.schedule(c.now(), () => {
      ran.push('b');
      resolve();
    }, REUSE);
  });
  assert.equal(h2, h1);
  assert.deepEqual(ran, ['a', 'b']);
  assert.equal(c.pending(), 0);
});
