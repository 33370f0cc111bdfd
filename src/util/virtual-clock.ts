import type { Clock, ScheduleOptions, TimerHandle } from './clock.js';
import { DONE, MAX_SPARE_TIMERS, PENDING, TimerHeap } from './timer-heap.js';

/** A scheduled callback; also the handle returned to callers. */
class VirtualTimer implements TimerHandle {
  state: number = PENDING;
  constructor(
    readonly owner: VirtualClock,
    public at: number,
    public seq: number,
    public fn: (() => void) | null,
    /** Scheduled with `reuse`: back to the clock's spare list once it has run. */
    public reuse: boolean,
  ) {}
}


/** Host functions to yield to the host's event loop, looked up on globalThis so this file also runs in browsers. */
interface HostYield {
  setImmediate?: (fn: () => void) => unknown;
  setTimeout(fn: () => void, ms: number): unknown;
}
const host = globalThis as unknown as HostYield;

/** One turn of the host's event loop: every nextTick, promise job and earlier immediate runs before this resolves. */
function hostTurn(): Promise<void> {
  return new Promise((resolve) => (typeof host.setImmediate === 'function' ? host.setImmediate(resolve) : host.setTimeout(resolve, 0)));
}

/** Limits of `VirtualClock.settle`. */
export interface SettleOptions {
  /** Absolute virtual time not to pass: callbacks later than this are left pending and now() becomes maxTime. */
  maxTime?: number;
  /** Stop as soon as this returns true (checked after each turn of the host's event loop). */
  until?: () => boolean;
  /** Most virtual instants to run (default 1_000_000); more pending after that throws (a runaway timer loop). */
  maxInstants?: number;
}

/** What `VirtualClock.settle` did. */
export interface SettleResult {
  /** Why it stopped: nothing left to run, maxTime reached, or until() held. */
  reason: 'idle' | 'maxTime' | 'until';
  /** Callbacks run. */
  steps: number;
  /** Virtual time when it stopped. */
  now: number;
}

/** Compact the heap once at least this many cancelled timers sit in it... */
const COMPACT_MIN = 1024;

/**
 * Discrete-event clock: time only moves when the owner calls `advance`,
 * `runUntil`, `runUntilIdle` or `settle` (the one to use with sockets and
 * streams: it lets the host's event loop turn between virtual instants). Callbacks run in (time, scheduling order).
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
  /** Timers of `reuse` schedules that have run, ready for the next one (ScheduleOptions.reuse). */
  private readonly spare: VirtualTimer[] = [];

  constructor(start = 0) {
    if (!Number.isFinite(start)) throw new RangeError(`VirtualClock: start must be finite, got ${start}`);
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  /**
   * Run `fn` at time `at`. A time in the past is clamped to the current time, so it runs after everything already due
   * now; time never moves backwards. The handle's `at` is the clamped time. With `opts.reuse` the handle
   * object is recycled once its callback has run (the caller has forgotten it by then).
   */
  schedule(at: number, fn: () => void, opts?: ScheduleOptions): TimerHandle {
    if (Number.isNaN(at)) throw new RangeError('VirtualClock.schedule: time is NaN');
    const t = at < this.time ? this.time : at;
    const reuse = opts?.reuse === true;
    let timer = reuse ? this.spare.pop() : undefined;
    if (timer === undefined) {
      timer = new VirtualTimer(this, t, this.seq++, fn, reuse);
    } else {
      timer.at = t;
      timer.seq = this.seq++;
      timer.fn = fn;
      timer.state = PENDING;
    }
    this.heap.push(timer);
    this.live++;
    return timer;
  }

  /** schedule() calls made so far (Clock.scheduleCount). */
  scheduleCount(): number {
    return this.seq;
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

  /**
   * Run until the work is done: the one way to drive code that mixes this
   * clock with the host's own queues (node:stream, promises, nextTick), such as
   * a stack's `net` sockets.
   *
   *   b.net.createServer((s) => s.pipe(s)).listen(7);
   *   a.net.connect(7, '10.0.0.2').end('hello');
   *   await clock.settle();          // the echo, the close and TIME_WAIT, in virtual time
   *
   * It alternates one turn of the host's event loop (so every tick, promise
   * and stream callback queued so far runs) with one virtual instant (every
   * callback due at the next pending time), and resolves when the host turn
   * has queued no new virtual work and none is pending, or at `maxTime`, or
   * once `until()` holds. Streams need that turn: a `write()` or a `'data'`
   * handler often acts on the next tick, and running all virtual timers at once
   * (`runUntilIdle`) would finish the network's work before the application
   * has seen any of it.
   *
   * Bounded: at most `maxInstants` instants (default 1_000_000), then it
   * throws, as `runUntilIdle` does with `maxSteps`. A connection with
   * keepalive on, or a retransmission that never ends, keeps timers pending
   * forever: give such runs a `maxTime` or an `until`.
   */
  async settle(opts: SettleOptions = {}): Promise<SettleResult> {
    const { maxTime, until } = opts;
    const maxInstants = opts.maxInstants ?? 1_000_000;
    if (maxTime !== undefined && Number.isNaN(maxTime)) throw new RangeError('VirtualClock.settle: maxTime is NaN');
    if (!(maxInstants >= 0)) throw new RangeError(`VirtualClock.settle: maxInstants must be >= 0, got ${maxInstants}`);
    let steps = 0;
    for (let instants = 0; ; instants++) {
      await hostTurn();
      if (until?.()) return { reason: 'until', steps, now: this.time };
      let next = this.nextAt();
      if (next === undefined) {
        // A second turn: work queued by the last one (an immediate that writes, say) gets its chance to schedule.
        await hostTurn();
        if (until?.()) return { reason: 'until', steps, now: this.time };
        next = this.nextAt();
        if (next === undefined) return { reason: 'idle', steps, now: this.time };
      }
      if (maxTime !== undefined && next > maxTime) {
        if (maxTime > this.time) this.time = maxTime;
        return { reason: 'maxTime', steps, now: this.time };
      }
      if (instants >= maxInstants) {
        throw new Error(`VirtualClock.settle: maxInstants (${maxInstants}) exceeded with ${this.live} callback(s) still pending at t=${this.time}ms (next at ${next}ms)`);
      }
      steps += this.runUntil(next);
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
    // A reused timer goes back to the spare list only after its callback (which may throw) is done with it.
    try {
      fn();
    } finally {
      if (top.reuse && top.state === DONE && this.spare.length < MAX_SPARE_TIMERS) this.spare.push(top);
    }
  }
}
