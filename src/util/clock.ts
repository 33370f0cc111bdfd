/**
 * The one clock a stack (and a memory link) uses. Time is in milliseconds
 * (fractions allowed). `schedule` runs `fn` once at or after `at`; callbacks
 * due at the same time run in the order they were scheduled.
 *
 * Process lifetime (wall-clock clocks only; a virtual clock ignores both):
 * a callback scheduled with `{ ref: false }` does not by itself keep the
 * host process alive — the stack's protocol timers (retransmission,
 * TIME_WAIT, keepalive) are scheduled so, as the kernel's timers never keep a
 * Node process alive. `hold()` keeps the process alive until the function it
 * returns is called: a referenced net.Socket or listening net.Server holds
 * its stack's clock, as a ref'd libuv handle holds Node's event loop.
 */
export interface Clock {
  now(): number;
  schedule(at: number, fn: () => void, opts?: ScheduleOptions): TimerHandle;
  cancel(handle: TimerHandle): void;
  /** Keep the host process alive until the returned release function is called (idempotent). */
  hold?(): () => void;
  /**
   * schedule() calls made so far. Two equal reads mean nothing was scheduled in between, so a callback
   * scheduled before them is still the last one due at its time (MemoryLink adds packets to its pending delivery batch then).
   */
  scheduleCount?(): number;
}

export interface ScheduleOptions {
  /** false: this callback alone does not keep the host process alive (as Node's timer.unref()). Default true. */
  ref?: boolean;
  /**
   * true: the caller forgets the handle once the callback has started (it never cancels it after that),
   * so the clock may reuse the handle object for a later schedule: no object per callback on a path
   * that schedules one per packet (MemoryLink's deliveries). A clock may ignore it.
   */
  reuse?: boolean;
}

/** Opaque handle returned by `Clock.schedule`. */
export interface TimerHandle {
  readonly at: number;
}
