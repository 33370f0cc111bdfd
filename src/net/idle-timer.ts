import type { Clock, ScheduleOptions, TimerHandle } from '../util/clock.js';

/** As Node's socket timeouts (setUnrefTimeout): the idle timer alone never keeps the process alive. */
const UNREF: ScheduleOptions = { ref: false };

/**
 * socket.setTimeout()'s idle timer, on an injected clock (the stack's, so it
 * runs in virtual time). As Node's (a refreshed, non-repeating timer):
 * it fires once `ms` after the last activity; after firing it re-arms only
 * when there is new activity. Activity is cheap: it just notes the time, and
 * a timer that wakes up early re-arms itself for the new deadline.
 */
export class IdleTimer {
  private ms = 0;
  private handle: TimerHandle | undefined;
  private lastActive = 0;

  constructor(
    private readonly clock: () => Clock,
    private readonly onIdle: () => void,
  ) {}

  /** Start over with a new idle time; 0 turns it off. */
  set(ms: number): void {
    this.cancel();
    this.ms = ms;
    if (ms > 0) this.arm(this.clock().now());
  }

  /** Reads, writes, connecting: push the deadline out. */
  touch(): void {
    if (this.ms === 0) return;
    const now = this.clock().now();
    this.lastActive = now;
    if (!this.handle) this.handle = this.clock().schedule(now + this.ms, this.fire, UNREF);
  }

  /** Stop for good (destroy). */
  cancel(): void {
    if (this.handle) this.clock().cancel(this.handle);
    this.handle = undefined;
  }

  private arm(now: number): void {
    this.lastActive = now;
    this.handle = this.clock().schedule(now + this.ms, this.fire, UNREF);
  }

  private readonly fire = (): void => {
    this.handle = undefined;
    if (this.ms === 0) return;
    const due = this.lastActive + this.ms;
    if (this.clock().now() < due) {
      this.handle = this.clock().schedule(due, this.fire, UNREF);
      return;
    }
    this.onIdle();
  };
}
