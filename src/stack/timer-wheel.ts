import type { Clock, ScheduleOptions, TimerHandle } from '../util/clock.js';

/**
 * Protocol timers (retransmission, TIME_WAIT, keepalive...) never keep the process alive by themselves, as the kernel's do not.
 * `reuse`: the wheel forgets its wake-up's handle as the wake-up runs (onWakeup), so the clock may recycle it.
 */
const PROTOCOL_TIMER: ScheduleOptions = { ref: false, reuse: true };

/**
 * A hierarchical timing wheel (Varghese & Lauck, "Hashed and Hierarchical
 * Timing Wheels", 1987 — the scheme behind Linux's timer wheel): 4 levels of
 * 256 slots with a 1 ms tick, covering 2^32 ms. Arming, re-arming and
 * cancelling a timer are O(1): each timer is a node in a doubly linked slot
 * list. The wheel asks the Clock for one wake-up at a time, at the next slot
 * that holds timers (found by a bounded scan), so an idle wheel costs nothing
 * and a 60 s TIME_WAIT does not tick 60,000 times.
 *
 * Deadlines are rounded up to whole milliseconds: a timer fires at most 1 ms
 * late and never early. Timers due in the same millisecond fire in the order
 * they were armed.
 */
/**
 * What the wheel links into its slots: a WheelTimer, or any object that carries
 * these fields itself (the stack's per-connection record does, so that one object
 * per connection is at once its socket, its sink and its timer).
 */
export interface WheelNode {
  /** Absolute due time in whole ms (valid while armed). */
  due: number;
  /** @internal */ next: WheelNode | null;
  /** @internal */ prev: WheelNode | null;
  /** @internal */ slot: WheelSlot | null;
  /** Called by the wheel when the timer comes due. */
  fire(): void;
}

export class WheelTimer implements WheelNode {
  /** Absolute due time in whole ms (valid while armed). */
  due = 0;
  /** @internal */ next: WheelNode | null = null;
  /** @internal */ prev: WheelNode | null = null;
  /** @internal */ slot: WheelSlot | null = null;

  /** Pass a callback, or subclass and override `fire`. */
  constructor(private readonly callback?: () => void) {}

  /** Called by the wheel when the timer comes due. */
  fire(): void {
    this.callback?.();
  }

  get armed(): boolean {
    return this.slot !== null;
  }
}

/** @internal One slot's doubly linked list of timers. */
export interface WheelSlot {
  head: WheelNode | null;
  tail: WheelNode | null;
  count: number;
}

const BITS = 8;
const SLOTS = 1 << BITS; // 256
const MASK = SLOTS - 1;
const LEVELS = 4;
const MAX_SPAN = 2 ** (BITS * LEVELS) - 1;

export class TimerWheel {
  private readonly levels: WheelSlot[][];
  /** The wheel's current time, whole ms: every slot before it has been processed. */
  private current: number;
  private count = 0;
  private wakeup: TimerHandle | undefined;
  private running = false;

  constructor(private readonly clock: Clock) {
    this.levels = Array.from({ length: LEVELS }, () => Array.from({ length: SLOTS }, () => ({ head: null, tail: null, count: 0 })));
    this.current = Math.floor(clock.now());
  }

  /** Timers armed right now. */
  get size(): number {
    return this.count;
  }

  /** Arm (or re-arm) `timer` to fire at absolute time `at` (ms). */
  arm(timer: WheelNode, at: number): void {
    if (!Number.isFinite(at)) throw new RangeError(`timer deadline must be finite, got ${at}`);
    if (timer.slot) {
      this.unlink(timer);
      this.count--;
    }
    if (this.count === 0 && !this.running) this.current = Math.max(this.current, Math.floor(this.clock.now()));
    const due = Math.max(Math.ceil(at), this.current);
    timer.due = due;
    const level = this.insert(timer);
    this.count++;
    // The wheel must wake for this timer's slot (or its cascade) unless it already wakes earlier: O(1).
    if (!this.running) {
      const unit = SLOTS ** level;
      const event = level === 0 ? due : Math.floor(due / unit) * unit;
      if (!this.wakeup || event < this.wakeup.at) {
        if (this.wakeup) this.clock.cancel(this.wakeup);
        this.wakeup = this.clock.schedule(event, this.onWakeup, PROTOCOL_TIMER);
      }
    }
  }

  private readonly onWakeup = (): void => {
    this.wakeup = undefined;
    this.advance(Math.floor(this.clock.now()));
  };

  /** Disarm `timer`; a no-op when it is not armed. */
  cancel(timer: WheelNode): void {
    if (!timer.slot) return;
    this.unlink(timer);
    this.count--;
    if (this.count === 0 && this.wakeup) {
      this.clock.cancel(this.wakeup);
      this.wakeup = undefined;
    }
  }

  /** Link `t` into its slot; returns the level it went to. */
  private insert(t: WheelNode): number {
    const delta = Math.min(t.due - this.current, MAX_SPAN);
    let level = 0;
    while (level < LEVELS - 1 && delta >= SLOTS ** (level + 1)) level++;
    // Slot index from the due time's bits at this level (absolute, so cascading is exact).
    const idx = Math.floor(t.due / SLOTS ** level) & MASK;
    const slot = this.levels[level]![idx]!;
    t.slot = slot;
    t.prev = slot.tail;
    t.next = null;
    if (slot.tail) slot.tail.next = t;
    else slot.head = t;
    slot.tail = t;
    slot.count++;
    return level;
  }

  private unlink(t: WheelNode): void {
    const slot = t.slot;
    if (!slot) return;
    if (t.prev) t.prev.next = t.next;
    else slot.head = t.next;
    if (t.next) t.next.prev = t.prev;
    else slot.tail = t.prev;
    slot.count--;
    t.slot = t.next = t.prev = null;
  }

  /**
   * The earliest time the wheel has work: the next occupied level-0 slot, or
   * the boundary at which an occupied higher-level slot cascades down.
   * Bounded scan: at most 256 slots per level.
   */
  private nextEvent(): number | undefined {
    if (this.count === 0) return undefined;
    let best: number | undefined;
    for (let level = 0; level < LEVELS; level++) {
      const unit = SLOTS ** level;
      const base = Math.floor(this.current / unit);
      // Level 0 holds ticks current … current+255; level L > 0 holds blocks base+1 … base+256.
      const first = level === 0 ? 0 : 1;
      for (let i = first; i < first + SLOTS; i++) {
        const tick = base + i;
        const at = tick * unit;
        if (best !== undefined && at >= best) break;
        if (this.levels[level]![tick & MASK]!.count > 0) {
          best = at;
          break;
        }
      }
    }
    return best;
  }

  private scheduleWakeup(): void {
    if (this.running) return;
    const at = this.nextEvent();
    if (at === undefined) return;
    if (this.wakeup && this.wakeup.at === at) return;
    if (this.wakeup) this.clock.cancel(this.wakeup);
    this.wakeup = this.clock.schedule(at, this.onWakeup, PROTOCOL_TIMER);
  }

  /** Process every slot up to and including `now`. */
  private advance(now: number): void {
    this.running = true;
    try {
      for (let guard = 0; this.current <= now && this.count > 0 && guard < 1 << 20; guard++) {
        const t = this.current;
        // Cascade: when a lower level wraps, bring the next slot of the level above down.
        for (let level = 1; level < LEVELS; level++) {
          const unit = SLOTS ** level;
          if (t % unit !== 0) break;
          this.cascade(level, Math.floor(t / unit) & MASK);
        }
        const slot = this.levels[0]![t & MASK]!;
        while (slot.head && slot.head.due <= t) {
          const timer = slot.head;
          this.unlink(timer);
          this.count--;
          timer.fire();
        }
        // Jump straight to the next slot with work (empty stretches in between need no cascading).
        const next = this.nextEvent();
        this.current = next === undefined ? now + 1 : Math.max(t + 1, Math.min(next, now + 1));
      }
      if (this.current <= now) this.current = now + 1;
    } finally {
      this.running = false;
    }
    this.scheduleWakeup();
  }

  private cascade(level: number, idx: number): void {
    const slot = this.levels[level]![idx]!;
    let t = slot.head;
    slot.head = slot.tail = null;
    slot.count = 0;
    while (t) {
      const next = t.next;
      t.slot = t.next = t.prev = null;
      this.insert(t);
      t = next;
    }
  }
}
