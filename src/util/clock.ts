/**
 * The one clock a stack (and a memory link) uses. Time is in milliseconds
 * (fractions allowed). `schedule` runs `fn` once at or after `at`; callbacks
 * due at the same time run in the order they were scheduled.
 */
export interface Clock {
  now(): number;
  schedule(at: number, fn: () => void): TimerHandle;
  cancel(handle: TimerHandle): void;
}

/** Opaque handle returned by `Clock.schedule`. */
export interface TimerHandle {
  readonly at: number;
}
