import type { Clock, TimerHandle } from './clock.js';
import { DONE, PENDING, TimerHeap } from './timer-heap.js';

/** A scheduled callback; also the handle returned to callers. */
class VirtualTimer implements TimerHandle {
  state: number = PENDING;
  constructor(
    readonly owner: VirtualClock,
    readonly at: number,
    readonly seq: number,
    public fn: (() => void) | null,
  ) {}
}

/** Compact the heap once at least this many cancelled timers sit in it... */
const COMPACT_MIN = 1024;

/**
 * Discrete-event clock: time only moves when the owner calls `advance`,
 * `runUntil` or `runUntilIdle`. Callbacks run in (time, scheduling order).
 *
 * Implementation: binary min-heap keyed by (at, seq); cancel is O(1) and lazy
 * (the entry is skipped when it reaches the top), with an O(n) compaction when
 * cancelled entries outnumber live ones, so schedule/cancel churn (e.g. TCP
 * retransmission timers that are almost always cancelled) stays bounded.
 *
 * If a callback throws, the exception propagates out of advance/runUntil/
 * runUntilIdle; the clock stays consistent (now = that callback's time, the
 * callback is consumed) and can be driven again.
 */
export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly heap = new TimerHeap<VirtualTimer>();
  private live = 0;

  constructor(start = 0) {
    if (!Number.isFinite(start)) throw new RangeError(`VirtualClock: start must be finite, got ${start}`);
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  /**
   * Run `fn` at time `at`. A time in the past is clamped to the current time, so it runs after everything already due
   * now; time never moves backwards. The handle's `at` is the clamped time.
   */
  schedule(at: number, fn: () => void): TimerHandle {
    if (Number.isNaN(at)) throw new RangeError('VirtualClock.schedule: time is NaN');
    const t = at < this.time ? this.time : at;
    const timer = new VirtualTimer(this, t, this.seq++, fn);
    this.heap.push(timer);
    this.live++;
    return timer;
  }

  /** Cancel a pending callback. No-op for fired/cancelled/foreign handles. */
  cancel(handle: TimerHandle): void {
    if (!(handle instanceof VirtualTimer) || handle.owner !== this || handle.state !== PENDING) return;
    handle.state = DONE;
    handle.fn = null;
    this.live--;
    if (this.live === 0) {
      this.heap.clear();
    } else {
      // Every entry in the heap is either live or cancelled (fired ones are popped before they run).
      const cancelledInHeap = this.heap.length - this.live;
      if (cancelledInHeap >= COMPACT_MIN && cancelledInHeap > this.live) this.heap.compact();
    }
  }

  /** Number of callbacks scheduled and not yet run or cancelled. */
  pending(): number {
    return this.live;
  }

  /** Time of the next pending callback, or undefined when idle. */
  nextAt(): number | undefined {
    const top = this.heap.peek();
    return top === undefined ? undefined : top.at;
  }

  /**
   * Run every callback due up to now+ms (including ones scheduled meanwhile),
   * each with now() equal to its time, then set now = old now + ms.
   * Returns the number of callbacks run.
   */
  advance(ms: number): number {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`VirtualClock.advance: ms must be finite and >= 0, got ${ms}`);
    return this.runUntil(this.time + ms);
  }

  /**
   * Run every callback due at or before `t`, then set now = t (if t is in the
   * past nothing runs and time does not move). Returns the number run.
   */
  runUntil(t: number): number {
    if (!Number.isFinite(t)) throw new RangeError(`VirtualClock.runUntil: time must be finite, got ${t}`);
    let steps = 0;
    for (;;) {
      const top = this.heap.peek();
      if (top === undefined || top.at > t) break;
      this.runTop(top);
      steps++;
    }
    if (t > this.time) this.time = t;
    return steps;
  }

  /**
   * Run callbacks until none are left. Limits:
   * - `maxSteps` (default 10_000_000): if that many callbacks have run and
   *   more are pending, throws an Error (a runaway timer loop).
   * - `maxTime`: stops (without throwing) before running any callback later
   *   than maxTime and sets now = maxTime. If the clock goes idle first, now
   *   stays at the time of the last callback run.
   * Returns the number of callbacks run.
   */
  runUntilIdle(limits?: { maxTime?: number; maxSteps?: number }): number {
    const maxTime = limits?.maxTime;
    const maxSteps = limits?.maxSteps ?? 10_000_000;
    if (maxTime !== undefined && Number.isNaN(maxTime)) throw new RangeError('VirtualClock.runUntilIdle: maxTime is NaN');
    let steps = 0;
    for (;;) {
      const top = this.heap.peek();
      if (top === undefined) return steps;
      if (maxTime !== undefined && top.at > maxTime) {
        if (maxTime > this.time) this.time = maxTime;
        return steps;
      }
      if (steps >= maxSteps) {
        throw new Error(
          `VirtualClock.runUntilIdle: maxSteps (${maxSteps}) exceeded with ${this.live} callback(s) still pending at t=${this.time}ms (next at ${top.at}ms)`,
        );
      }
      this.runTop(top);
      steps++;
    }
  }

  // ---- internals ----

  /** Pop `top` (which must be heap[0] and pending) and run it. */
  private runTop(top: VirtualTimer): void {
    this.heap.pop();
    this.live--;
    top.state = DONE;
    const fn = top.fn!;
    top.fn = null;
    if (top.at > this.time) this.time = top.at;
    fn();
  }
}
