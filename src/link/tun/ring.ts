/**
 * A single-producer / single-consumer ring of packets in a SharedArrayBuffer:
 * the TUN reader thread writes packets straight into it (read(2) lands in the
 * ring, no intermediate copy) and the main thread copies each one out into a
 * buffer of its own. No Node APIs: only SharedArrayBuffer and Atomics.
 *
 * Layout: a 64-byte control block of Int32 words, then `capacity` bytes of
 * records. A record is a 4-byte length followed by the packet, padded to a
 * multiple of 4. Records never wrap: when the tail of the buffer is too short
 * for a maximum-size packet, the producer writes a PAD marker (length -1) and
 * continues at offset 0. HEAD and TAIL are free-running byte counters (mod
 * 2^32); used = HEAD - TAIL. Only the producer writes HEAD, only the consumer
 * TAIL; Atomics.store/load on them order the plain reads and writes of the
 * data (the JS memory model gives Atomics sequentially-consistent semantics).
 *
 * Wake-ups: the consumer sets CONSUMER_WAITING before it goes idle and then
 * looks at HEAD once more; the producer publishes HEAD and later swaps
 * CONSUMER_WAITING to 0, waking the consumer only if it was 1. With both
 * sides' accesses sequentially consistent, at least one of them sees the
 * other's write, so no packet is left unnoticed (at worst a spurious wake-up).
 * When the ring is full the producer blocks in Atomics.wait on TAIL, which the
 * consumer notifies after each drain.
 */

const HEAD = 0;
const TAIL = 1;
const CONSUMER_WAITING = 2;
/** Set by the consumer: the producer must stop. */
const STOP = 3;
/** Set by the producer when it has left its loop for good. */
const STOPPED = 4;
/** Times the producer found the ring full (packets then wait in the kernel's queue, which drops when full). */
const FULL_WAITS = 5;

const CONTROL_BYTES = 64;
const PAD = -1;

export const DEFAULT_RING_BYTES = 4 * 1024 * 1024;
/** Largest IP packet (IPv4 total length / IPv6 payload length without jumbograms). */
export const MAX_PACKET = 65535;

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** The shared memory and the views both sides use over it. */
export class PacketRing {
  readonly sab: SharedArrayBuffer;
  readonly capacity: number;
  protected readonly ctrl: Int32Array;
  /** Record headers, indexed by byte offset / 4. */
  protected readonly words: Int32Array;
  /** Record bytes. */
  readonly data: Uint8Array;
  protected readonly mask: number;

  /** Make a ring of `capacity` bytes (a power of two, ≥ 2 × (MAX_PACKET + 4)). */
  static create(capacity = DEFAULT_RING_BYTES): SharedArrayBuffer {
    if (!(Number.isInteger(capacity) && capacity >= 2 * (MAX_PACKET + 4) && (capacity & (capacity - 1)) === 0)) {
      throw new RangeError(`ring capacity must be a power of two >= ${2 * (MAX_PACKET + 4)}, got ${capacity}`);
    }
    return new SharedArrayBuffer(CONTROL_BYTES + capacity);
  }

  constructor(sab: SharedArrayBuffer) {
    this.sab = sab;
    this.capacity = sab.byteLength - CONTROL_BYTES;
    this.mask = this.capacity - 1;
    this.ctrl = new Int32Array(sab, 0, CONTROL_BYTES / 4);
    this.words = new Int32Array(sab, CONTROL_BYTES, this.capacity / 4);
    this.data = new Uint8Array(sab, CONTROL_BYTES, this.capacity);
  }

  /** Bytes in use (records and padding not yet consumed). */
  used(): number {
    return (Atomics.load(this.ctrl, HEAD) - Atomics.load(this.ctrl, TAIL)) >>> 0;
  }

  get stopRequested(): boolean {
    return Atomics.load(this.ctrl, STOP) !== 0;
  }

  get fullWaits(): number {
    return Atomics.load(this.ctrl, FULL_WAITS);
  }
}

/** The reader thread's side. */
export class RingProducer extends PacketRing {
  private head: number;

  constructor(sab: SharedArrayBuffer) {
    super(sab);
    this.head = Atomics.load(this.ctrl, HEAD);
  }

  /**
   * Offset in `data` where a packet of up to `maxLen` bytes may be written, or
   * -1 if the ring is too full. Call `commit` with the real length afterwards,
   * or nothing if no packet came (the reservation is simply reused).
   */
  reserve(maxLen: number): number {
    const need = 4 + align4(maxLen);
    const free = this.capacity - ((this.head - Atomics.load(this.ctrl, TAIL)) >>> 0);
    let pos = this.head & this.mask;
    const room = this.capacity - pos;
    if (room < need) {
      if (free < room + need) return -1;
      this.words[pos >> 2] = PAD;
      this.head = (this.head + room) | 0;
      pos = 0;
    } else if (free < need) {
      return -1;
    }
    return pos + 4;
  }

  /** Publish the packet of `len` bytes written at the offset `reserve` returned. */
  commit(len: number): void {
    const pos = this.head & this.mask;
    this.words[pos >> 2] = len;
    this.head = (this.head + 4 + align4(len)) | 0;
    Atomics.store(this.ctrl, HEAD, this.head);
  }

  /**
   * After commits: true when the consumer had gone idle and must be woken
   * (it then stays awake until it calls idle() again). The producer decides
   * how often to ask — every packet gives the lowest latency, every few
   * packets in a burst saves wake-ups.
   */
  consumerNeedsWake(): boolean {
    return Atomics.exchange(this.ctrl, CONSUMER_WAITING, 0) === 1;
  }

  /** Block until the consumer frees space, the consumer asks to stop, or `timeoutMs` passes. */
  waitForSpace(timeoutMs: number): void {
    Atomics.add(this.ctrl, FULL_WAITS, 1);
    const tail = Atomics.load(this.ctrl, TAIL);
    if (this.stopRequested) return;
    Atomics.wait(this.ctrl, TAIL, tail, timeoutMs);
  }

  /** Tell the consumer this side has stopped for good. */
  markStopped(): void {
    Atomics.store(this.ctrl, STOPPED, 1);
    Atomics.notify(this.ctrl, STOPPED);
  }
}

/** The main thread's side. */
export class RingConsumer extends PacketRing {
  private tail: number;

  constructor(sab: SharedArrayBuffer) {
    super(sab);
    this.tail = Atomics.load(this.ctrl, TAIL);
  }

  /**
   * Hand up to `max` packets to `deliver`, each in a fresh buffer of its own
   * (the ring's memory is reused), or with `inPlace` as a view of the ring,
   * valid only until `deliver` returns (the producer may take the space back
   * once drain has returned). Returns how many were delivered. The first
   * `skip` bytes of each record (a per-packet header, e.g. virtio_net_hdr) are
   * left out of the packet; `deliver` gets their offset in `data`, where they
   * stay readable until it returns.
   */
  drain(deliver: (packet: Uint8Array, headerAt: number) => void, max: number, skip = 0, inPlace = false): number {
    const head = Atomics.load(this.ctrl, HEAD);
    const words = this.words;
    const data = this.data;
    let tail = this.tail;
    let n = 0;
    try {
      while (tail !== head && n < max) {
        const pos = tail & this.mask;
        const len = words[pos >> 2]!;
        if (len === PAD) {
          tail = (tail + this.capacity - pos) | 0;
          continue;
        }
        const from = pos + 4 + Math.min(skip, len);
        const packet = inPlace ? data.subarray(from, pos + 4 + len) : data.slice(from, pos + 4 + len);
        tail = (tail + 4 + align4(len)) | 0;
        n++;
        // Advance before delivering: a throwing handler must not see the packet twice.
        this.tail = tail;
        deliver(packet, pos + 4);
      }
    } finally {
      this.tail = tail;
      Atomics.store(this.ctrl, TAIL, tail);
      Atomics.notify(this.ctrl, TAIL);
    }
    return n;
  }

  /**
   * Announce that the consumer is going idle. Returns true if packets arrived
   * meanwhile (the caller must drain again instead of sleeping).
   */
  idle(): boolean {
    Atomics.store(this.ctrl, CONSUMER_WAITING, 1);
    if (Atomics.load(this.ctrl, HEAD) === this.tail) return false;
    Atomics.store(this.ctrl, CONSUMER_WAITING, 0);
    return true;
  }

  /** Ask the producer to stop (it also needs its own wake-up if it is blocked in the kernel). */
  requestStop(): void {
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.notify(this.ctrl, TAIL);
  }

  /** Wait (blocking this thread, at most `timeoutMs`) until the producer has stopped. Returns whether it did. */
  waitStopped(timeoutMs: number): boolean {
    return Atomics.wait(this.ctrl, STOPPED, 0, timeoutMs) !== 'timed-out';
  }
}
