/** Entry state: scheduled and not yet run or cancelled. */
export const PENDING = 0;
/** Entry state: fired or cancelled. */
export const DONE = 1;
/** Most spare entries a clock keeps for schedules with ScheduleOptions.reuse. */
export const MAX_SPARE_TIMERS = 4096;

/** What the heap needs from an entry: its time, a tie-breaking sequence number and its state. */
export interface TimerEntry {
  readonly at: number;
  readonly seq: number;
  readonly state: number;
}

/** (at, seq) order: whether `a` runs before `b`. */
export function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/**
 * Binary min-heap of timer entries keyed by (at, seq), shared by the clocks.
 * Equal times come out in seq order (FIFO when seq grows with each schedule).
 *
 * Cancellation is lazy: the owner sets an entry's state to something other
 * than PENDING and leaves it in place; `peek` discards such entries when they
 * reach the top, and `compact` drops them all in O(n). When to compact is the
 * owner's decision.
 */
export class TimerHeap<T extends TimerEntry> {
  private items: T[] = [];

  /** Number of entries held, cancelled ones not yet discarded included. */
  get length(): number {
    return this.items.length;
  }

  /** Earliest pending entry, discarding cancelled ones from the top; undefined when none is left. */
  peek(): T | undefined {
    const heap = this.items;
    while (heap.length > 0) {
      const top = heap[0]!;
      if (top.state === PENDING) return top;
      this.pop();
    }
    return undefined;
  }

  push(item: T): void {
    const heap = this.items;
    let i = heap.length;
    heap.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!before(item, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = item;
  }

  /** Remove the top entry (whatever its state) and return it. */
  pop(): T | undefined {
    const heap = this.items;
    if (heap.length === 0) return undefined;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) this.siftDown(last, 0, heap.length);
    return top;
  }

  /** Drop every entry. */
  clear(): void {
    this.items.length = 0;
  }

  /** Drop cancelled entries and rebuild the heap in O(n). */
  compact(): void {
    const kept: T[] = [];
    for (const t of this.items) if (t.state === PENDING) kept.push(t);
    this.items = kept;
    const n = kept.length;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(kept[i]!, i, n);
  }

  private siftDown(item: T, start: number, n: number): void {
    const heap = this.items;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let c = heap[child]!;
      const right = child + 1;
      if (right < n) {
        const r = heap[right]!;
        if (before(r, c)) {
          child = right;
          c = r;
        }
      }
      if (!before(c, item)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = item;
  }
}
