import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VirtualClock } from '../../src/util/virtual-clock.js';
import { createStack, MemoryLink } from '../../src/index.js';

test('starts at the given time and does not move on its own', () => {
  assert.equal(new VirtualClock().now(), 0);
  const c = new VirtualClock(1000);
  assert.equal(c.now(), 1000);
  c.schedule(1500, () => {});
  assert.equal(c.now(), 1000);
});

test('callbacks run in time order, with now() equal to their time', () => {
  const c = new VirtualClock();
  const log: Array<[string, number]> = [];
  c.schedule(30, () => log.push(['c', c.now()]));
  c.schedule(10, () => log.push(['a', c.now()]));
  c.schedule(20.5, () => log.push(['b', c.now()]));
  c.advance(100);
  assert.deepEqual(log, [['a', 10], ['b', 20.5], ['c', 30]]);
  assert.equal(c.now(), 100);
});

test('callbacks due at the same time run FIFO', () => {
  const c = new VirtualClock();
  const log: number[] = [];
  for (let i = 0; i < 100; i++) c.schedule(i % 2 === 0 ? 5 : 7, () => log.push(i));
  c.runUntilIdle();
  const evens = [...Array(50).keys()].map((i) => i * 2);
  const odds = evens.map((i) => i + 1);
  assert.deepEqual(log, [...evens, ...odds]);
});

test('ordering matches a stable sort by time (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), (times) => {
      const c = new VirtualClock();
      const log: number[] = [];
      times.forEach((t, i) => c.schedule(t, () => log.push(i)));
      c.runUntilIdle();
      const expected = times.map((t, i) => [t, i] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]).map((x) => x[1]);
      assert.deepEqual(log, expected);
    }),
  );
});

test('cancel prevents the callback; cancelling twice or after firing is harmless', () => {
  const c = new VirtualClock();
  const log: string[] = [];
  const h1 = c.schedule(10, () => log.push('a'));
  const h2 = c.schedule(20, () => log.push('b'));
  c.schedule(30, () => log.push('c'));
  assert.equal(c.pending(), 3);
  c.cancel(h2);
  c.cancel(h2);
  assert.equal(c.pending(), 2);
  c.advance(15);
  c.cancel(h1); // already fired
  assert.equal(c.pending(), 1);
  c.runUntilIdle();
  assert.deepEqual(log, ['a', 'c']);
  assert.equal(c.pending(), 0);
});

test('cancelling the earliest timer updates nextAt', () => {
  const c = new VirtualClock();
  const h = c.schedule(5, () => {});
  c.schedule(9, () => {});
  assert.equal(c.nextAt(), 5);
  c.cancel(h);
  assert.equal(c.nextAt(), 9);
  c.runUntilIdle();
  assert.equal(c.nextAt(), undefined);
});

test('a handle from another clock is ignored by cancel', () => {
  const a = new VirtualClock();
  const b = new VirtualClock();
  let ran = false;
  const h = a.schedule(1, () => (ran = true));
  b.cancel(h);
  assert.equal(a.pending(), 1);
  a.runUntilIdle();
  assert.ok(ran);
});

test('random schedule/cancel mix: exactly the uncancelled callbacks run, in order (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.boolean()), { maxLength: 3000 }),
      (ops) => {
        const c = new VirtualClock();
        const log: number[] = [];
        const handles = ops.map(([t], i) => c.schedule(t, () => log.push(i)));
        ops.forEach(([, cancel], i) => cancel && c.cancel(handles[i]!));
        const live = ops.map(([t, cancel], i) => ({ t, cancel, i })).filter((x) => !x.cancel);
        assert.equal(c.pending(), live.length);
        c.runUntilIdle();
        assert.deepEqual(log, live.sort((x, y) => x.t - y.t || x.i - y.i).map((x) => x.i));
      },
    ),
    { numRuns: 50 },
  );
});

test('advance runs only what is due by now+ms, then sets now = old now + ms', () => {
  const c = new VirtualClock(100);
  const log: number[] = [];
  c.schedule(150, () => log.push(150));
  c.schedule(200, () => log.push(200));
  c.schedule(201, () => log.push(201));
  assert.equal(c.advance(100), 2);
  assert.deepEqual(log, [150, 200]);
  assert.equal(c.now(), 200);
  c.advance(0);
  assert.deepEqual(log, [150, 200]);
  c.advance(1);
  assert.deepEqual(log, [150, 200, 201]);
  assert.equal(c.now(), 201);
  assert.throws(() => c.advance(-1), RangeError);
});

test('callbacks scheduled by callbacks run within the same advance when due', () => {
  const c = new VirtualClock();
  const log: Array<[string, number]> = [];
  c.schedule(10, () => {
    log.push(['outer', c.now()]);
    c.schedule(c.now() + 5, () => {
      log.push(['inner', c.now()]);
      c.schedule(c.now() + 100, () => log.push(['late', c.now()]));
    });
  });
  c.advance(50);
  assert.deepEqual(log, [['outer', 10], ['inner', 15]]);
  assert.equal(c.now(), 50);
  assert.equal(c.nextAt(), 115);
  c.runUntilIdle();
  assert.deepEqual(log.at(-1), ['late', 115]);
});

test('a callback scheduled in the past runs at the current time, after those already due', () => {
  const c = new VirtualClock();
  const log: Array<[string, number]> = [];
  c.schedule(10, () => {
    c.schedule(3, () => log.push(['past', c.now()]));
    log.push(['first', c.now()]);
  });
  c.schedule(10, () => log.push(['second', c.now()]));
  c.advance(20);
  assert.deepEqual(log, [['first', 10], ['second', 10], ['past', 10]]);
  assert.equal(c.now(), 20);
  const h = c.schedule(5, () => log.push(['past2', c.now()]));
  assert.equal(h.at, 20);
  c.runUntilIdle();
  assert.deepEqual(log.at(-1), ['past2', 20]);
  assert.equal(c.now(), 20);
});

test('runUntil(t) runs callbacks at or before t and leaves now = t; never goes backwards', () => {
  const c = new VirtualClock();
  const log: number[] = [];
  c.schedule(10, () => log.push(10));
  c.schedule(20, () => log.push(20));
  assert.equal(c.runUntil(10), 1);
  assert.deepEqual(log, [10]);
  assert.equal(c.now(), 10);
  c.runUntil(15);
  assert.equal(c.now(), 15);
  c.runUntil(5);
  assert.equal(c.now(), 15);
  c.runUntil(20);
  assert.deepEqual(log, [10, 20]);
});

test('runUntilIdle runs everything, returns the step count and leaves now at the last callback', () => {
  const c = new VirtualClock();
  let n = 0;
  const tick = (): void => {
    n++;
    if (n < 10) c.schedule(c.now() + 7, tick);
  };
  c.schedule(0, tick);
  assert.equal(c.runUntilIdle(), 10);
  assert.equal(c.now(), 63);
  assert.equal(c.pending(), 0);
  assert.equal(c.runUntilIdle(), 0);
});

test('runUntilIdle maxTime stops before later callbacks and sets now = maxTime', () => {
  const c = new VirtualClock();
  const log: number[] = [];
  for (const t of [10, 20, 30, 40]) c.schedule(t, () => log.push(t));
  assert.equal(c.runUntilIdle({ maxTime: 30 }), 3);
  assert.deepEqual(log, [10, 20, 30]);
  assert.equal(c.now(), 30);
  assert.equal(c.pending(), 1);
  assert.equal(c.runUntilIdle({ maxTime: 35 }), 0);
  assert.equal(c.now(), 35);
  assert.equal(c.runUntilIdle(), 1);
  assert.equal(c.now(), 40);
});

test('runUntilIdle maxTime with a self-rescheduling timer stops instead of spinning', () => {
  const c = new VirtualClock();
  let ticks = 0;
  const tick = (): void => {
    ticks++;
    c.schedule(c.now() + 1, tick);
  };
  c.schedule(0, tick);
  c.runUntilIdle({ maxTime: 1000 });
  assert.equal(ticks, 1001);
  assert.equal(c.now(), 1000);
});

test('runUntilIdle throws when maxSteps is exceeded', () => {
  const c = new VirtualClock();
  const tick = (): void => {
    c.schedule(c.now(), tick);
  };
  c.schedule(0, tick);
  assert.throws(() => c.runUntilIdle({ maxSteps: 1000 }), /maxSteps/);
  // Exactly maxSteps callbacks and then idle is fine.
  const d = new VirtualClock();
  for (let i = 0; i < 5; i++) d.schedule(i, () => {});
  assert.equal(d.runUntilIdle({ maxSteps: 5 }), 5);
});

test('runUntilIdle default maxSteps catches a runaway loop', () => {
  const c = new VirtualClock();
  const tick = (): void => {
    c.schedule(c.now() + 1, tick);
  };
  c.schedule(0, tick);
  assert.throws(() => c.runUntilIdle(), /maxSteps \(10000000\)/);
});

test('a throwing callback propagates and leaves the clock usable', () => {
  const c = new VirtualClock();
  const log: number[] = [];
  c.schedule(1, () => {
    throw new Error('boom');
  });
  c.schedule(2, () => log.push(2));
  assert.throws(() => c.advance(10), /boom/);
  assert.equal(c.now(), 1);
  assert.equal(c.pending(), 1);
  c.advance(10);
  assert.deepEqual(log, [2]);
});

test('schedule rejects NaN', () => {
  assert.throws(() => new VirtualClock().schedule(Number.NaN, () => {}), RangeError);
});

test('heavy schedule/cancel churn stays fast and bounded', () => {
  const c = new VirtualClock();
  let fired = 0;
  const start = performance.now();
  let h = c.schedule(1, () => fired++);
  for (let i = 0; i < 1_000_000; i++) {
    c.cancel(h);
    h = c.schedule(1000 + i, () => fired++);
  }
  assert.equal(c.pending(), 1);
  c.runUntilIdle();
  assert.equal(fired, 1);
  const ms = performance.now() - start;
  assert.ok(ms < 5000, `1M schedule+cancel took ${ms} ms`);
});

test('cancelled timers do not pile up while many others stay pending', () => {
  const c = new VirtualClock();
  for (let i = 0; i < 1000; i++) c.schedule(1e9 + i, () => {});
  for (let i = 0; i < 200_000; i++) c.cancel(c.schedule(i, () => {}));
  assert.equal(c.pending(), 1000);
  const heapSize = (c as unknown as { heap: unknown[] }).heap.length;
  assert.ok(heapSize < 4000, `heap holds ${heapSize} entries`);
  assert.equal(c.nextAt(), 1e9);
});

// ---- settle(): virtual instants interleaved with turns of the host's event loop ----

test('settle() lets the host queues run between instants: work a nextTick schedules is run too; runUntilIdle() would stop before it', async () => {
  const chain = (c: VirtualClock, log: number[]): void => {
    c.schedule(10, () => {
      log.push(c.now());
      process.nextTick(() => c.schedule(c.now() + 5, () => Promise.resolve().then(() => c.schedule(c.now() + 5, () => log.push(c.now())))));
    });
  };
  const sync = new VirtualClock();
  const syncLog: number[] = [];
  chain(sync, syncLog);
  sync.runUntilIdle();
  assert.deepEqual(syncLog, [10], 'runUntilIdle() finished before the tick ran');

  const c = new VirtualClock();
  const log: number[] = [];
  chain(c, log);
  const r = await c.settle();
  assert.deepEqual(log, [10, 20]);
  assert.deepEqual(r, { reason: 'idle', steps: 3, now: 20 });
  assert.equal(c.pending(), 0);
});

test('settle() on an idle clock resolves at once, time unmoved', async () => {
  const c = new VirtualClock(7);
  assert.deepEqual(await c.settle(), { reason: 'idle', steps: 0, now: 7 });
});

test('settle({ maxTime }) leaves later callbacks pending and sets now = maxTime', async () => {
  const c = new VirtualClock();
  const log: number[] = [];
  for (const t of [5, 50, 500]) c.schedule(t, () => log.push(t));
  assert.deepEqual(await c.settle({ maxTime: 100 }), { reason: 'maxTime', steps: 2, now: 100 });
  assert.deepEqual(log, [5, 50]);
  assert.equal(c.pending(), 1);
  await assert.rejects(c.settle({ maxTime: Number.NaN }), RangeError);
});

test('settle({ until }) stops as soon as the condition holds', async () => {
  const c = new VirtualClock();
  let n = 0;
  const tick = (): void => {
    n++;
    c.schedule(c.now() + 1000, tick); // a periodic timer: never idle
  };
  c.schedule(0, tick);
  const r = await c.settle({ until: () => n === 3 });
  assert.equal(r.reason, 'until');
  assert.equal(n, 3);
  assert.equal(r.now, 2000);
});

test('settle() is bounded: a timer loop that never ends throws after maxInstants, naming the count', async () => {
  const c = new VirtualClock();
  const tick = (): void => void c.schedule(c.now() + 1, tick);
  c.schedule(0, tick);
  await assert.rejects(c.settle({ maxInstants: 50 }), /maxInstants \(50\) exceeded with 1 callback\(s\) still pending at t=49ms/);
  await assert.rejects(c.settle({ maxInstants: -1 }), RangeError);
});

test('settle() runs an echo over two stacks to the end: data, both FINs, TIME_WAIT; the application sees every event', async () => {
  const clock = new VirtualClock();
  const [la, lb] = MemoryLink.pair(clock, { delayMs: 5 });
  const a = createStack({ clock, name: 'A' });
  const b = createStack({ clock, name: 'B' });
  a.attach(la, { address: '10.0.0.1' });
  b.attach(lb, { address: '10.0.0.2' });
  b.net.createServer((s) => s.pipe(s)).listen(7);
  const c = a.net.connect(7, '10.0.0.2');
  const seen: string[] = [];
  c.on('data', (d) => seen.push(`data ${String(d)} ${c.tcpState}`));
  c.on('end', () => seen.push('end'));
  c.on('close', () => seen.push(`close ${c.tcpState}`));
  c.end('hello');
  const r = await clock.settle();
  assert.equal(r.reason, 'idle');
  // The echo comes back while our FIN is out (FIN_WAIT_1 or _2, depending on whether its ACK came first), or
  // with the peer's FIN in one segment: the socket reads after the stack has processed it, as a process reads
  // what the kernel has queued (TIME_WAIT by then).
  assert.match(seen[0] ?? '', /^data hello (FIN_WAIT_[12]|TIME_WAIT)$/);
  assert.deepEqual(seen.slice(1), ['end', 'close TIME_WAIT']);
  assert.ok(r.now >= 60_000, `TIME_WAIT (2×MSL) passed in virtual time: now=${r.now}`);
  assert.deepEqual(a.connections(), [], 'A is CLOSED after TIME_WAIT');
  assert.deepEqual(b.connections().map((row) => row.state), ['LISTEN']);
});
