import { PENDING, type TimerEntry } from './timer-heap.js';

/**
 * How far ahead of now a callback may be and still join the due queue: a link with a small delay
 * schedules its deliveries in time order too; protocol timers (hundreds of ms and more) go to the heap.
 */
export const DUE_HORIZON_MS = 2;

/**
 * The callbacks a clock has to run soon, kept in the order they were scheduled
 * while that is also their (at, seq) order: a FIFO beside the clock's heap.
 * A MemoryLink schedules every delivery at now (or now + its delay), in time
 * order, a few hundred at a time in bulk: in the heap each one cost a sift up
 * and a sift down through entries scattered in memory (two thirds of
 * RealClock.fire's own time); here they cost an array push and an index step.
 * The clock runs whichever of the heap's top and this queue's head is earlier.
 *
 * Cancellation is lazy, as the heap's: a cancelled entry (state not PENDING)
 * stays until it reaches the head, where peek() discards it.
 */
export class DueQueue<T extends TimerEntry> {
  /** Entries [head, tail); the array keeps its length when the queue empties (truncating it would free its store, reallocated by the next push). */
  private items: Array<T | undefined> = [];
  private head = 0;
  private tail = 0;
  /** `at` of the last entry taken: a later one may join only at or after it. */
  private tailAt = -Infinity;

  /** Take `entry` if it keeps the queue in (at, seq) order and is due within DUE_HORIZON_MS of `now`; false: the caller heaps it. */
  offer(entry: T, now: number): boolean {
    const at = entry.at;
    if (at > now + DUE_HORIZON_MS) return false;
    if (this.head < this.tail && at < this.tailAt) return false;
    if (this.tail < this.items.length) this.items[this.tail] = entry;
    else this.items.push(entry);
    this.tail++;
    this.tailAt = at;
    return true;
  }

  /** The head entry, discarding cancelled ones; undefined when none is pending. */
  peek(): T | undefined {
    while (this.head < this.tail) {
      const e = this.items[this.head]!;
      if (e.state === PENDING) return e;
      this.shift();
    }
    return undefined;
  }

  /** Remove the head entry. */
  shift(): void {
    const items = this.items;
    items[this.head++] = undefined;
    if (this.head === this.tail) {
      this.head = this.tail = 0;
      if (items.length > 4096) items.length = 4096; // a burst leaves no large array behind
    } else if (this.head >= 1024 && this.head * 2 >= this.tail) {
      items.copyWithin(0, this.head, this.tail);
      this.tail -= this.head;
      items.fill(undefined, this.tail, this.tail + this.head);
      this.head = 0;
    }
  }

  get length(): number {
    return this.tail - this.head;
  }

  clear(): void {
    this.items.fill(undefined, this.head, this.tail);
    this.head = this.tail = 0;
  }
}
