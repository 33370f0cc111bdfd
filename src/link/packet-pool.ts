/**
 * Reused packet buffers for a link that holds packets between send and
 * delivery (MemoryLink), as a NIC holds them in its rings: a packet is copied
 * into a slot at send, delivered from it, and the slot is taken again once the
 * receiver's handler has returned (Link contract: a delivered packet is valid
 * only during the call). No buffer or view is allocated per packet in steady
 * state.
 *
 * The slots are carved out of one arena (one ArrayBuffer), so whatever caches a
 * view per buffer (checksum.ts's word view) sees one buffer. The arena starts
 * small and doubles when every slot is in flight, up to `maxBytes`; then `take`
 * says no and the link copies into a buffer of its own. Slots of an arena that
 * has been replaced are not taken back: they go with the garbage once delivered.
 */

/** Slots of a new pool's first arena. */
const FIRST_SLOTS = 8;

/** One packet-sized slot of an arena. */
export class PacketSlot {
  /** The slot's whole space (`slotBytes`). */
  readonly bytes: Uint8Array;
  /** Views of the slot's first `length` bytes, one per length seen recently (index = length mod 16). */
  private readonly views: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(16).fill(undefined);

  constructor(
    readonly arena: ArrayBuffer,
    offset: number,
    size: number,
  ) {
    this.bytes = new Uint8Array(arena, offset, size);
  }

  /** Copy `packet` into the slot and return the view of it (kept for the next packet of the same length). */
  fill(packet: Uint8Array): Uint8Array {
    const length = packet.length;
    this.bytes.set(packet);
    const k = length & 15;
    let v = this.views[k];
    if (v === undefined || v.length !== length) this.views[k] = v = this.bytes.subarray(0, length);
    return v;
  }
}

export class PacketPool {
  /** Bytes per slot: the largest packet the pool holds, rounded up to 8 (each slot starts 8-byte aligned). */
  readonly slotBytes: number;
  private readonly maxSlots: number;
  private arena: ArrayBuffer | undefined = undefined;
  private slots = 0;
  private readonly free: PacketSlot[] = [];

  /** Slots for packets of up to `packetBytes`, at most `maxBytes` of them in all. */
  constructor(packetBytes: number, maxBytes: number) {
    this.slotBytes = (packetBytes + 7) & ~7;
    this.maxSlots = Math.max(1, Math.floor(maxBytes / this.slotBytes));
  }

  /** A free slot, or undefined when all `maxBytes` are in flight. */
  take(): PacketSlot | undefined {
    if (this.free.length === 0 && !this.grow()) return undefined;
    return this.free.pop();
  }

  /** Give back a slot whose packet has been delivered (or dropped). */
  give(slot: PacketSlot): void {
    if (slot.arena === this.arena) this.free.push(slot);
  }

  /** A new arena with twice the slots (every free slot moves to it); false at the limit. */
  private grow(): boolean {
    if (this.slots >= this.maxSlots) return false;
    const n = Math.min(this.slots === 0 ? FIRST_SLOTS : this.slots * 2, this.maxSlots);
    const arena = new ArrayBuffer(n * this.slotBytes);
    this.arena = arena;
    this.slots = n;
    this.free.length = 0;
    for (let i = n - 1; i >= 0; i--) this.free.push(new PacketSlot(arena, i * this.slotBytes, this.slotBytes));
    return true;
  }
}
