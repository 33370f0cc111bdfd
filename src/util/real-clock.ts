import type { Clock, ScheduleOptions, TimerHandle } from './clock.js';
import { before, DONE, MAX_SPARE_TIMERS, PENDING, TimerHeap } from './timer-heap.js';
import { DueQueue } from './due-queue.js';

/** Host timer functions, looked up on globalThis so this works in Node and browsers. */
interface HostTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(h: unknown): void;
  setImmediate?: (fn: () => void) => unknown;
  clearImmediate?: (h: unknown) => void;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (h: unknown) => void;
}

const host = globalThis as unknown as HostTimers;
const hasImmediate = typeof host.setImmediate === 'function' && typeof host.clearImmediate === 'function';

/** Largest delay setTimeout accepts (2^31 - 1 ms); longer waits re-arm. */
const TIMEOUT_MAX = 0x7fffffff;

class RealTimer implements TimerHandle {
  state: number = PENDING;
  constructor(
    readonly owner: RealClock,
    public at: number,
    public seq: number,
    public fn: (() => void) | null,
    /** Keeps the process alive while pending. */
    public ref: boolean,
    /** Scheduled with `reuse`: back to the clock's spare list once it has run. */
    public reuse: boolean,
  ) {}
}

/** Node's Timeout and Immediate objects have ref()/unref(); browsers' numeric handles do not. */
function setHostRef(h: unknown, on: boolean): void {
  if (typeof h !== 'object' || h === null) return;
  const f = (h as { ref?: () => unknown; unref?: () => unknown })[on ? 'ref' : 'unref'];
  if (typeof f === 'function') f.call(h);
}

const noop = (): void => {};

export interface RealClockOptions {
  /** Callbacks default to `{ ref: false }`: only hold() (and callbacks scheduled with `ref: true`) keep the process alive. */
  unref?: boolean;
}

/**
 * Wall-clock implementation of Clock: now() is performance.now() (monotonic ms).
 *
 * Callbacks are kept in this clock's own (at, seq) heap and a single host
 * timer is armed for the earliest one, which gives the Clock guarantees that
 * raw setTimeout does not: callbacks never run before their time (host timers
 * may fire up to ~1 ms early relative to performance.now()), and callbacks
 * due at the same time run in scheduling order.
 *
 * A callback due now or in the past runs on the next macrotask (setImmediate
 * when available, else setTimeout 0); it never runs synchronously inside
 * schedule(). Callbacks scheduled while others are running wait for the next
 * macrotask, so a callback that re-schedules itself cannot starve I/O.
 *
 * Process lifetime: the one host timer is ref'd only while some pending
 * callback was scheduled with `ref` (the default, as Node's timers), so the
 * stack's protocol timers (`{ ref: false }`) never hold the process. hold()
 * counts holders (referenced sockets and servers); while the count is above
 * zero a ref'd idle interval keeps the event loop alive, as a ref'd libuv
 * handle does, even when no callback is pending at all.
 */
export class RealClock implements Clock {
  private readonly unref: boolean;
  private readonly heap = new TimerHeap<RealTimer>();
  /** Callbacks due now (or within DUE_HORIZON_MS), scheduled in time order: a FIFO beside the heap (due-queue.ts). */
  private readonly due = new DueQueue<RealTimer>();
  /** While fire() runs a callback: the time read as it started, which now() returns (-1 otherwise). */
  private current = -1;
  private seq = 0;
  private live = 0;
  /** Pending callbacks scheduled with ref. */
  private refTimers = 0;
  /** Outstanding hold()s, and the ref'd host interval that stands for them. */
  private holds = 0;
  private keeper: unknown = undefined;
  /**
   * Host timers: at most one immediate (for callbacks due now) and one timeout (for the earliest later
   * one), armed independently. A callback due now does not clear a timeout armed for later, and a
   * timeout armed for no later than the earliest callback stays (if it wakes early, fire() re-arms):
   * a short connection moved the earliest time back and forth several times, and each move was a
   * clearTimeout and a setTimeout (Node's timer list insert), a tenth of RealClock's cost.
   */
  private immediate: unknown = undefined;
  private timeout: unknown = undefined;
  private timeoutAt = Infinity;
  /** Earliest time a host timer is armed for: -Infinity while an immediate is armed. */
  private armedAt = Infinity;
  private armedRef = false;
  /** True while fire() runs callbacks; it arms the next host timer itself when done. */
  private firing = false;
  private readonly onImmediate = (): void => {
    this.immediate = undefined;
    this.fire();
  };
  private readonly onTimeout = (): void => {
    this.timeout = undefined;
    this.timeoutAt = Infinity;
    this.fire();
  };
  /** Timers of `reuse` schedules that have run, ready for the next one (ScheduleOptions.reuse). */
  private readonly spare: RealTimer[] = [];

  constructor(opts: RealClockOptions = {}) {
    this.unref = opts.unref === true;
  }

  /**
   * Milliseconds, monotonic. Inside a callback of this clock, the time read as the callback started:
   * everything one delivery does (receive, answer, schedule) sees one time, as Linux stamps the
   * processing of a packet with one tcp_mstamp. Elsewhere, a fresh read.
   */
  now(): number {
    const c = this.current;
    return c >= 0 ? c : performance.now();
  }

  schedule(at: number, fn: () => void, opts?: ScheduleOptions): TimerHandle {
    if (Number.isNaN(at)) throw new RangeError('RealClock.schedule: time is NaN');
    const now = this.now();
    const ref = opts?.ref ?? !this.unref;
    const t = at < now ? now : at;
    const reuse = opts?.reuse === true;
    let timer = reuse ? this.spare.pop() : undefined;
    if (timer === undefined) {
      timer = new RealTimer(this, t, this.seq++, fn, ref, reuse);
    } else {
      timer.at = t;
      timer.seq = this.seq++;
      timer.fn = fn;
      timer.ref = ref;
      timer.state = PENDING;
    }
    if (!this.due.offer(timer, now)) this.heap.push(timer);
    this.live++;
    if (ref && this.refTimers++ === 0) this.refArmed(true);
    if (!this.firing && timer.at < this.armedAt) this.arm(now);
    return timer;
  }

  /**
   * Keep the process alive until the returned function is called (once; later
   * calls do nothing). What a referenced socket or listening server does.
   */
  hold(): () => void {
    if (this.holds++ === 0 && typeof host.setInterval === 'function') this.keeper = host.setInterval(noop, TIMEOUT_MAX);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      if (--this.holds === 0 && this.keeper !== undefined) {
        host.clearInterval?.(this.keeper);
        this.keeper = undefined;
      }
    };
  }

  /** Outstanding hold()s. */
  holders(): number {
    return this.holds;
  }

  cancel(handle: TimerHandle): void {
    if (!(handle instanceof RealTimer) || handle.owner !== this || handle.state !== PENDING) return;
    handle.state = DONE;
    handle.fn = null;
    this.live--;
    if (handle.ref && --this.refTimers === 0) this.refArmed(false);
    if (this.live === 0) {
      // Nothing left: release the host timer so the process can exit.
      this.heap.clear();
      this.due.clear();
      this.disarm();
    } else if (this.heap.length > 1024 && this.heap.length > 2 * this.live) {
      this.heap.compact();
    }
    // Otherwise the host timer may wake up for nothing; fire() just re-arms.
  }

  /** schedule() calls made so far (Clock.scheduleCount). */
  scheduleCount(): number {
    return this.seq;
  }

  /** Number of callbacks scheduled and not yet run or cancelled. */
  pending(): number {
    return this.live;
  }

  // ---- internals ----

  private fire(): void {
    this.armedAt = this.immediate !== undefined ? -Infinity : this.timeoutAt;
    const now = performance.now();
    // Only callbacks that existed when we woke up run in this turn.
    const limitSeq = this.seq;
    this.firing = true;
    try {
      for (;;) {
        const top = this.earliest();
        if (top === undefined || top.at > now || top.seq >= limitSeq) break;
        if (top === this.due.peek()) this.due.shift();
        else this.heap.pop();
        this.live--;
        if (top.ref) this.refTimers--;
        top.state = DONE;
        const fn = top.fn!;
        top.fn = null;
        this.current = performance.now();
        fn();
        // Its caller forgot a reused handle as the callback started: the next `reuse` schedule may take it.
        if (top.reuse && this.spare.length < MAX_SPARE_TIMERS) this.spare.push(top);
      }
    } finally {
      // Re-arm even if a callback threw (the error still propagates).
      this.firing = false;
      this.current = -1;
      this.arm(performance.now());
    }
  }

  /** The pending callback that runs first: the heap's or the due queue's, by (at, seq). */
  private earliest(): RealTimer | undefined {
    const h = this.heap.peek();
    const d = this.due.peek();
    if (d === undefined) return h;
    return h !== undefined && before(h, d) ? h : d;
  }

  private arm(now: number): void {
    const top = this.earliest();
    if (top === undefined) {
      this.disarm();
      return;
    }
    const ref = this.refTimers > 0;
    if (top.at <= now) {
      if (this.immediate === undefined) {
        const h = hasImmediate ? host.setImmediate!(this.onImmediate) : host.setTimeout(this.onImmediate, 0);
        if (!this.armedRef) setHostRef(h, false); // as the other handle; refArmed sets both
        this.immediate = h;
      }
      this.armedAt = -Infinity;
      this.refArmed(ref);
      return;
    }
    if (this.immediate !== undefined) return; // fire() runs first and arms what is left
    if (this.timeout === undefined || this.timeoutAt > top.at) {
      if (this.timeout !== undefined) host.clearTimeout(this.timeout);
      // Round up so a whole-ms host timer does not wake us before `at`.
      const h = host.setTimeout(this.onTimeout, Math.min(Math.ceil(top.at - now), TIMEOUT_MAX));
      if (!this.armedRef) setHostRef(h, false);
      this.timeout = h;
      this.timeoutAt = top.at;
    }
    this.armedAt = this.timeoutAt;
    this.refArmed(ref);
  }

  /** The armed host timers keep the process alive exactly while a ref'd callback is pending. */
  private refArmed(on: boolean): void {
    if (this.armedRef === on) return;
    this.armedRef = on;
    if (this.immediate !== undefined) setHostRef(this.immediate, on);
    if (this.timeout !== undefined) setHostRef(this.timeout, on);
  }

  private disarm(): void {
    if (this.immediate !== undefined) {
      if (hasImmediate) host.clearImmediate!(this.immediate);
      else host.clearTimeout(this.immediate);
      this.immediate = undefined;
    }
    if (this.timeout !== undefined) {
      host.clearTimeout(this.timeout);
      this.timeout = undefined;
      this.timeoutAt = Infinity;
    }
    this.armedAt = Infinity;
  }

}
