import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TimerWheel, WheelTimer } from '../../src/stack/timer-wheel.js';
import { VirtualClock } from '../../src/util/virtual-clock.js';

test('timers fire at their deadline (rounded up to the ms), never early, in deadline order', () => {
  const clock = new VirtualClock();
  const wheel = new TimerWheel(clock);
  const fired: Array<[string, number]> = [];
  const mk = (name: string) => new WheelTimer(() => fired.push([name, clock.now()]));
  wheel.arm(mk('60s'), 60_000);
  wheel.arm(mk('200ms'), 200);
  wheel.arm(mk('1.5ms'), 1.5);
  wheel.arm(mk('2h'), 7_200_000);
  wheel.arm(mk('70000.2'), 70_000.2);
  clock.runUntilIdle();
  assert.deepEqual(fired, [
    ['1.5ms', 2],
    ['200ms', 200],
    ['60s', 60_000],
    ['70000.2', 70_001],
    ['2h', 7_200_000],
  ]);
  assert.equal(wheel.size, 0);
});

test('a 60 s timer costs a handful of clock wake-ups, not 60,000 ticks', () => {
  const clock = new VirtualClock();
  const wheel = new TimerWheel(clock);
  let fired = 0;
  wheel.arm(new WheelTimer(() => fired++), 60_000);
  const steps = clock.runUntilIdle();
  assert.equal(fired, 1);
  assert.ok(steps <= 4, `took ${steps} wake-ups`);
});

test('cancel and re-arm are O(1) and take effect', () => {
  const clock = new VirtualClock();
  const wheel = new TimerWheel(clock);
  const fired: string[] = [];
  const a = new WheelTimer(() => fired.push('a'));
  const b = new WheelTimer(() => fired.push('b'));
  wheel.arm(a, 100);
  wheel.arm(b, 50);
  wheel.cancel(b);
  wheel.arm(a, 300); // re-arm moves it
  assert.equal(wheel.size, 1);
  clock.advance(200);
  assert.deepEqual(fired, []);
  clock.advance(100);
  assert.deepEqual(fired, ['a']);
  assert.equal(a.armed, false);
});

test('same-millisecond timers fire in the order they were armed; callbacks may re-arm', () => {
  const clock = new VirtualClock();
  const wheel = new TimerWheel(clock);
  const fired: string[] = [];
  const again = new WheelTimer(() => fired.push(`again@${clock.now()}`));
  wheel.arm(new WheelTimer(() => fired.push('x')), 10);
  wheel.arm(
    new WheelTimer(() => {
      fired.push('y');
      wheel.arm(again, clock.now() + 5);
    }),
    10,
  );
  wheel.arm(new WheelTimer(() => fired.push('z')), 10);
  clock.runUntilIdle();
  assert.deepEqual(fired, ['x', 'y', 'z', 'again@15']);
});

test('property: the wheel fires exactly the armed, uncancelled timers, each at ceil(deadline), in order', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ at: fc.oneof(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 20_000_000 }), fc.double({ min: 0, max: 70_000, noNaN: true })), cancel: fc.boolean(), armAt: fc.integer({ min: 0, max: 70_000 }) }), { maxLength: 60 }),
      (specs) => {
        const clock = new VirtualClock();
        const wheel = new TimerWheel(clock);
        const fired: Array<{ i: number; t: number }> = [];
        const expected: Array<{ i: number; t: number; seq: number }> = [];
        let seq = 0;
        specs.forEach((spec, i) => {
          clock.schedule(spec.armAt, () => {
            const timer = new WheelTimer(() => fired.push({ i, t: clock.now() }));
            const at = clock.now() + spec.at;
            wheel.arm(timer, at);
            if (spec.cancel) wheel.cancel(timer);
            else expected.push({ i, t: Math.max(Math.ceil(at), Math.floor(clock.now())), seq: seq++ });
          });
        });
        clock.runUntilIdle({ maxSteps: 1_000_000 });
        expected.sort((a, b) => a.t - b.t || a.seq - b.seq);
        assert.deepEqual(
          fired.map((f) => f.i).sort((a, b) => a - b),
          expected.map((e) => e.i).sort((a, b) => a - b),
        );
        for (const f of fired) {
          const e = expected.find((x) => x.i === f.i)!;
          assert.ok(f.t >= e.t && f.t <= e.t + 1, `timer ${f.i} due ${e.t} fired ${f.t}`);
        }
        for (let k = 1; k < fired.length; k++) assert.ok(fired[k]!.t >= fired[k - 1]!.t);
        assert.equal(wheel.size, 0);
      },
    ),
    { numRuns: 200 },
  );
});
