/**
 * The stack's per-connection event queue (src/stack/event-queue.ts): events
 * come out in the order they went in, also when more are added while it is
 * being emptied (a handler calling back into its connection), and an emptied
 * queue is lent out again instead of a new array per call.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueue, EventQueuePool } from '../../src/stack/event-queue.js';
import { EOF, READABLE, WRITABLE, type ConnEvent } from '../../src/tcp/events.js';

test('event queue: first in, first out, with events added while it is being emptied', () => {
  const q = new EventQueue();
  assert.equal(q.empty, true);
  assert.equal(q.shift(), undefined);
  const closed: ConnEvent = { type: 'closed' };
  q.push(READABLE);
  q.push(WRITABLE);
  const out: ConnEvent[] = [];
  for (let ev = q.shift(); ev !== undefined; ev = q.shift()) {
    out.push(ev);
    if (ev === READABLE) q.push(EOF); // as a 'readable' handler's read() raising 'eof'
    if (ev === EOF) q.push(closed);
  }
  assert.deepEqual(out, [READABLE, WRITABLE, EOF, closed]);
  assert.equal(q.empty, true);
});

test('event queue pool: a queue given back is the next one lent', () => {
  const pool = new EventQueuePool();
  const a = pool.take();
  const b = pool.take();
  assert.notEqual(a, b, 'two queues in use at once are two queues');
  pool.give(a);
  assert.equal(pool.take(), a);
});
