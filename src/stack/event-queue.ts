import type { ConnEvent } from '../tcp/events.js';

/**
 * A connection's events waiting for the stack to deliver them (after the call
 * into the connection returns): first in, first out, in an array that is
 * reused. A new array per call cost an array and its backing store a few
 * times per segment; the stack lends these out from a small pool instead, so
 * an idle connection holds none.
 */
export class EventQueue {
  private items: Array<ConnEvent | undefined> = [];
  private head = 0;
  private tail = 0;

  get empty(): boolean {
    return this.head === this.tail;
  }

  push(ev: ConnEvent): void {
    this.items[this.tail++] = ev;
  }

  /** The oldest event (its slot let go), or undefined when none is left. */
  shift(): ConnEvent | undefined {
    if (this.head === this.tail) return undefined;
    const ev = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.tail) this.head = this.tail = 0;
    return ev;
  }
}

/** Queues lent to connections while their events are raised and delivered; a few are kept for reuse. */
export class EventQueuePool {
  private readonly free: EventQueue[] = [];

  take(): EventQueue {
    return this.free.pop() ?? new EventQueue();
  }

  /** Give back an empty queue. */
  give(q: EventQueue): void {
    if (this.free.length < MAX_KEPT) this.free.push(q);
  }
}

/** Queues in use at once are the depth of nested deliveries (a handler calling into another connection): a few. */
const MAX_KEPT = 16;
