import type { TimerHandle } from '../util/clock.js';
import type { PacketSlot } from './packet-pool.js';

/**
 * The packets one direction of a MemoryLink has in flight in FIFO order, as
 * parallel ring arrays (no object per packet), grouped in runs: consecutive
 * packets served by one clock callback, which delivers them in order. A packet
 * joins the last run (no callback of its own) only while that run has not
 * started, is due at the same time, and nothing else was scheduled on the clock
 * since the run's last packet (the link checks with Clock.scheduleCount): it
 * would then have been the next callback to run after that packet anyway, so
 * every event keeps its place in the clock's (time, scheduling order). Since
 * delivery times never decrease and a clock runs callbacks due at the same time
 * in the order they were scheduled, the k-th callback to run serves the k-th
 * run queued. The arrays grow by doubling and are reused, so steady state
 * allocates nothing.
 */
export class DeliveryQueue {
  private packets: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(8).fill(undefined);
  private slots: Array<PacketSlot | undefined> = new Array<PacketSlot | undefined>(8).fill(undefined);
  /** A run's clock callback, at its first packet (undefined elsewhere). */
  private handles: Array<TimerHandle | undefined> = new Array<TimerHandle | undefined>(8).fill(undefined);
  /** A run's packet count, at its first packet (0 elsewhere). */
  private runs: number[] = new Array<number>(8).fill(0);
  private flags: number[] = new Array<number>(8).fill(0);
  private head = 0;
  private count = 0;
  /** Ring index of the last run's first packet, while that run has not started (-1 otherwise). */
  private openRun = -1;
  /** Due time of the open run, and the clock's scheduleCount after its last packet joined. */
  private openAt = NaN;
  private openMark = NaN;

  /** Packets queued. */
  get length(): number {
    return this.count;
  }

  /**
   * Add a packet due at `at` to the last run, if it has not started, is due at `at` and `mark` (the clock's
   * scheduleCount now) is the one it was left with: nothing was scheduled since its last packet. False: push it.
   */
  join(packet: Uint8Array, slot: PacketSlot | undefined, flags: number, at: number, mark: number): boolean {
    if (this.openRun < 0 || at !== this.openAt || mark !== this.openMark) return false;
    this.store(packet, slot, flags, undefined, 0);
    this.runs[this.openRun]!++;
    return true;
  }

  /** Queue a packet as a run of its own: `handle` is its clock callback (due at `at`), `mark` the clock's scheduleCount after scheduling it. */
  push(packet: Uint8Array, slot: PacketSlot | undefined, flags: number, handle: TimerHandle, at: number, mark: number): void {
    this.openRun = this.store(packet, slot, flags, handle, 1);
    this.openAt = at;
    this.openMark = mark;
  }

  /** A run's callback starts: the head run's packet count; no packet joins that run any more. */
  startRun(): number {
    if (this.openRun === this.head) this.openRun = -1;
    return this.runs[this.head]!;
  }

  /** What is left of a run a handler threw in: its `n` packets at the head become a run of their own served by `handle`. */
  restartRun(n: number, handle: TimerHandle): void {
    this.runs[this.head] = n;
    this.handles[this.head] = handle;
  }

  /** The oldest packet's fields, read before `shift`. */
  get headPacket(): Uint8Array {
    return this.packets[this.head]!;
  }
  get headSlot(): PacketSlot | undefined {
    return this.slots[this.head];
  }
  get headFlags(): number {
    return this.flags[this.head]!;
  }
  /** The clock callback of the run the oldest packet starts, undefined when it is not a run's first packet. */
  get headHandle(): TimerHandle | undefined {
    return this.handles[this.head];
  }

  /** Drop the oldest packet from the queue. */
  shift(): void {
    const i = this.head;
    if (this.openRun === i) this.openRun = -1;
    this.packets[i] = undefined;
    this.slots[i] = undefined;
    this.handles[i] = undefined;
    this.runs[i] = 0;
    this.head = (i + 1) & (this.packets.length - 1);
    this.count--;
  }

  private store(packet: Uint8Array, slot: PacketSlot | undefined, flags: number, handle: TimerHandle | undefined, run: number): number {
    if (this.count === this.packets.length) this.grow();
    const i = (this.head + this.count) & (this.packets.length - 1);
    this.packets[i] = packet;
    this.slots[i] = slot;
    this.flags[i] = flags;
    this.handles[i] = handle;
    this.runs[i] = run;
    this.count++;
    return i;
  }

  private grow(): void {
    const n = this.packets.length;
    const order = <T>(a: T[], fill: T): T[] => {
      const out = new Array<T>(n * 2).fill(fill);
      for (let k = 0; k < n; k++) out[k] = a[(this.head + k) & (n - 1)]!;
      return out;
    };
    this.packets = order(this.packets, undefined);
    this.slots = order(this.slots, undefined);
    this.handles = order(this.handles, undefined);
    this.runs = order(this.runs, 0);
    this.flags = order(this.flags, 0);
    if (this.openRun >= 0) this.openRun = (this.openRun - this.head) & (n - 1);
    this.head = 0;
  }
}
