import type { TimerHandle } from '../util/clock.js';
import type { PacketSlot } from './packet-pool.js';

/**
 * The packets one direction of a MemoryLink has in flight in FIFO order, as
 * parallel ring arrays (no object per packet): each has one clock callback
 * scheduled, and since their delivery times never decrease and a clock runs
 * callbacks due at the same time in the order they were scheduled, the k-th
 * callback to run delivers the k-th packet queued. The arrays grow by doubling
 * and are reused, so steady state allocates nothing.
 */
export class DeliveryQueue {
  private packets: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(8).fill(undefined);
  private slots: Array<PacketSlot | undefined> = new Array<PacketSlot | undefined>(8).fill(undefined);
  private handles: Array<TimerHandle | undefined> = new Array<TimerHandle | undefined>(8).fill(undefined);
  private flags: number[] = new Array<number>(8).fill(0);
  private head = 0;
  private count = 0;

  /** Packets queued. */
  get length(): number {
    return this.count;
  }

  /** Queue a packet: its slot in the link's pool (if any), the flags to deliver it with and its clock callback. */
  push(packet: Uint8Array, slot: PacketSlot | undefined, flags: number, handle: TimerHandle): void {
    if (this.count === this.packets.length) this.grow();
    const i = (this.head + this.count) & (this.packets.length - 1);
    this.packets[i] = packet;
    this.slots[i] = slot;
    this.flags[i] = flags;
    this.handles[i] = handle;
    this.count++;
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
  get headHandle(): TimerHandle {
    return this.handles[this.head]!;
  }

  /** Drop the oldest packet from the queue. */
  shift(): void {
    const i = this.head;
    this.packets[i] = undefined;
    this.slots[i] = undefined;
    this.handles[i] = undefined;
    this.head = (i + 1) & (this.packets.length - 1);
    this.count--;
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
    this.flags = order(this.flags, 0);
    this.head = 0;
  }
}
