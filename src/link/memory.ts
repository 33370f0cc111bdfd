import type { Clock, ScheduleOptions, TimerHandle } from '../util/clock.js';
import { Rng } from '../util/rng.js';
import { DeliveryQueue } from './delivery-queue.js';
import { RX_OWNED, type Link } from './link.js';
import { PacketPool, type PacketSlot } from './packet-pool.js';
import { hopIcmpError, tooBigForHop } from './path-mtu.js';
import { markCe } from '../wire/ecn.js';

/**
 * Impairments applied to the packets one end sends. Probabilities are in
 * [0, 1]; times in ms; all default to "off".
 */
export interface Impairment {
  /** Probability a packet is lost. */
  loss?: number;
  /** Probability a packet is delivered twice. */
  duplicate?: number;
  /** Probability a packet is held back by `reorderDelayMs` so later packets overtake it. */
  reorder?: number;
  /** Extra delay given to a reordered packet, default 2×(delayMs+1). */
  reorderDelayMs?: number;
  /** Fixed one-way propagation delay. */
  delayMs?: number;
  /** Extra delay drawn uniformly from [0, jitterMs); never reorders on its own. */
  jitterMs?: number;
  /** Serialization rate in bits per second, undefined = infinite. */
  rateBps?: number;
  /** Drop-tail limit of the rate queue, default 1 MiB (only used with rateBps). */
  queueLimitBytes?: number;
  /** Probability of flipping one random bit of one random byte (on a copy). */
  corrupt?: number;
  /**
   * ECN marking threshold of the rate queue, bytes (only with rateBps): a RED-like AQM (RFC 3168 §5,
   * RFC 7567). Once the backlog a packet joins exceeds it, the packet is "early-dropped" with a
   * probability rising linearly from 0 at the threshold to 1 at twice the threshold (drawn from the
   * seeded stream): an ECN-capable packet (ECT) is CE-marked and delivered instead, a Not-ECT one is dropped.
   */
  ecnMarkBytes?: number;
  /** MTU of a narrower hop along the path: bigger packets that may not be fragmented are dropped there (path-mtu.ts). */
  pathMtu?: number;
  /** With `pathMtu`: the hop's router answers each such drop with ICMP frag-needed / Packet Too Big (false: a black hole). */
  pathMtuIcmp?: boolean;
}

export type Direction = 'a->b' | 'b->a';

export interface PairOptions extends Impairment {
  /** Largest packet carried, default 1500. */
  mtu?: number;
  /** Seed of the impairment model, default 1. */
  seed?: number;
  /** Per-direction overrides merged over the shared impairment. */
  aToB?: Impairment;
  bToA?: Impairment;
  /** Consulted (before random loss) for every packet that fits the mtu; true = drop it. */
  drop?: (info: { packet: Uint8Array; direction: Direction; index: number }) => boolean;
}

export interface TapEvent {
  time: number;
  direction: Direction;
  /** The bytes put on the wire (for a corrupted packet, the corrupted copy). */
  packet: Uint8Array;
  dropped: boolean;
  reason?: 'loss' | 'hook' | 'mtu' | 'path-mtu' | 'queue' | 'closed';
  duplicate?: boolean;
  corrupted?: boolean;
}

/**
 * Counters for the packets this end SENDS (its outgoing direction).
 * Once nothing is in flight, delivered + dropped === sent + duplicated.
 */
export interface LinkStats {
  /** send() calls. */
  sent: number;
  /** Copies handed to the peer (duplicates count separately). */
  delivered: number;
  /** Copies dropped for any reason, including in-flight copies discarded by close(). */
  dropped: number;
  /** Extra copies created by `duplicate`. */
  duplicated: number;
  /** Copies corrupted by `corrupt`. */
  corrupted: number;
  /** Copies held back by `reorder`. */
  reordered: number;
  /** Copies CE-marked instead of dropped by the `ecnMarkBytes` queue (delivered, so counted there too). */
  marked: number;
}

const DEFAULT_MTU = 1500;
/** Size of the slabs small packets are copied into, and the largest packet copied into one. */
const SLAB_BYTES = 64 * 1024;
const SLAB_MAX_PACKET = 8 * 1024;
const DEFAULT_QUEUE_LIMIT = 1024 * 1024;
/**
 * Most bytes of reused packet slots one direction keeps (packet-pool.ts); beyond, packets get buffers of their own.
 * The arena is kept for the link's life, as a NIC keeps its rings, so this bounds what a burst leaves behind:
 * at 16 MiB, a burst of 20,000 handshakes (bench/scale.js) left 45 MB held by one link, 1,100 B per TCB.
 */
const POOL_MAX_BYTES = 1024 * 1024;
/**
 * Largest packet copied into a pool slot. The receiver copies a smaller payload into its queue whatever
 * the link does (receive-queue.ts adopts only payloads of 16 KiB and more), so a slot saves the buffer;
 * a larger packet gets a buffer of its own, which the receive queue adopts as a page (RX_OWNED) instead
 * of copying it. Measured (bench/throughput, CPU time per run, 10 alternating pinned pairs, median
 * ratio): pooling every packet took 0.92× the CPU of fresh copies at MTU 1500 (7 pairs of 10 faster)
 * but 1.32× at MTU 65535 (9 of 10 slower), where it cost that copy.
 */
const POOL_MAX_PACKET = SLAB_MAX_PACKET;
/** The clock may reuse a delivery's handle once it has run (deliverHead forgets it as it shifts the run's first packet). */
const DELIVERY: ScheduleOptions = { reuse: true };

const PROBABILITY_KEYS = ['loss', 'duplicate', 'reorder', 'corrupt'] as const;
const NON_NEGATIVE_KEYS = ['reorderDelayMs', 'delayMs', 'jitterMs', 'queueLimitBytes', 'ecnMarkBytes'] as const;
/** RFC 791: every IPv4 hop carries 68 bytes. */
const MIN_HOP_MTU = 68;

function validateImpairment(imp: Impairment, where: string): void {
  for (const k of PROBABILITY_KEYS) {
    const v = imp[k];
    if (v !== undefined && !(v >= 0 && v <= 1)) {
      throw new RangeError(`MemoryLink: ${where}${k} must be a probability in [0, 1], got ${v}`);
    }
  }
  for (const k of NON_NEGATIVE_KEYS) {
    const v = imp[k];
    if (v !== undefined && !(v >= 0 && Number.isFinite(v))) {
      throw new RangeError(`MemoryLink: ${where}${k} must be a finite number >= 0, got ${v}`);
    }
  }
  const m = imp.pathMtu;
  if (m !== undefined && !(Number.isInteger(m) && m >= MIN_HOP_MTU)) {
    throw new RangeError(`MemoryLink: ${where}pathMtu must be an integer >= ${MIN_HOP_MTU}, got ${m}`);
  }
  const r = imp.rateBps;
  if (r !== undefined && !(r > 0)) {
    throw new RangeError(`MemoryLink: ${where}rateBps must be > 0 (or undefined for infinite), got ${r}`);
  }
}

/** Keep only the impairment fields (drops mtu, seed, hooks, ...) that are defined. */
function pickImpairment(src: Impairment | undefined): Impairment {
  const out: Impairment = {};
  if (src === undefined) return out;
  if (src.loss !== undefined) out.loss = src.loss;
  if (src.duplicate !== undefined) out.duplicate = src.duplicate;
  if (src.reorder !== undefined) out.reorder = src.reorder;
  if (src.reorderDelayMs !== undefined) out.reorderDelayMs = src.reorderDelayMs;
  if (src.delayMs !== undefined) out.delayMs = src.delayMs;
  if (src.jitterMs !== undefined) out.jitterMs = src.jitterMs;
  if (src.rateBps !== undefined) out.rateBps = src.rateBps;
  if (src.queueLimitBytes !== undefined) out.queueLimitBytes = src.queueLimitBytes;
  if (src.corrupt !== undefined) out.corrupt = src.corrupt;
  if (src.ecnMarkBytes !== undefined) out.ecnMarkBytes = src.ecnMarkBytes;
  if (src.pathMtu !== undefined) out.pathMtu = src.pathMtu;
  if (src.pathMtuIcmp !== undefined) out.pathMtuIcmp = src.pathMtuIcmp;
  return out;
}

/** State shared by both ends of a pair. */
interface Shared {
  readonly clock: Clock;
  readonly mtu: number;
  closed: boolean;
  readonly drop: PairOptions['drop'];
  /** Reordered deliveries scheduled and not yet run, in both directions (cancelled by close()); the others wait in each end's DeliveryQueue. */
  readonly inFlight: Set<InFlight>;
}

interface InFlight {
  handle: TimerHandle | undefined;
  readonly sender: MemoryLink;
}

/**
 * One end of an in-memory point-to-point link. Create both ends with
 * `MemoryLink.pair(clock, opts)`.
 *
 * Every delivery goes through `clock.schedule` (even with zero delay), so a
 * stack's send() never re-enters the peer (or itself). Without impairments
 * packets arrive in FIFO order. All randomness comes from one Rng stream per
 * direction, forked from `seed`, so the same seed and the same sequence of
 * sends give identical behaviour.
 *
 * Per packet, in order: closed? → mtu → path MTU (pathMtu, path-mtu.ts) → drop hook → loss → duplicate; then per
 * copy: corrupt → rate queue (drop-tail, ECN marking) → delay + jitter → reorder. The
 * packet is copied as send() takes it (Link contract: the sender reuses its buffer),
 * and that copy is what the hook, the taps and the receiver see; duplicates and
 * corrupted copies are fresh buffers of their own.
 *
 * Where the copy goes: with no tap and no drop hook (which may keep the packets
 * they see), a packet of up to POOL_MAX_PACKET bytes into a slot of the direction's PacketPool, reused once the receiver's
 * handler has returned, so the packet is delivered without RX_OWNED (valid only
 * during the call, as from a NIC's ring; the receiver copies what it keeps). Else,
 * and for larger, reordered or corrupted packets and when the pool is exhausted, into a
 * buffer the receiver may keep (RX_OWNED). Deliveries in FIFO order (all but the
 * reordered ones) wait in a DeliveryQueue: no object or closure per packet, and one
 * clock callback per run of packets due at the same time that nothing else was scheduled between.
 */
export class MemoryLink implements Link {
  readonly mtu: number;
  readonly stats: LinkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, corrupted: 0, reordered: 0, marked: 0 };

  private peer!: MemoryLink;
  private handler: ((packet: Uint8Array, flags?: number) => void) | undefined;
  private readonly taps: Array<(ev: TapEvent) => void> = [];
  private imp: Impairment;
  private sentCount = 0;
  /** Latest non-reordered delivery time scheduled in this end's outgoing direction. */
  private lastDeliveryAt = -Infinity;
  /** Time the rate queue finishes serializing everything accepted so far. */
  private busyUntil = -Infinity;
  /** Where send() copies small packets it does not pool (see copy). */
  private slab = new Uint8Array(0);
  private slabUsed = 0;
  /** Reused buffers for this end's outgoing packets (created at the first pooled send). */
  private pool: PacketPool | undefined = undefined;
  /** Largest packet this end copies into its pool. */
  private readonly poolPacketBytes: number;
  /** This end's outgoing deliveries in FIFO order. */
  private readonly queue = new DeliveryQueue();

  private constructor(
    private readonly shared: Shared,
    private readonly direction: Direction,
    private readonly rng: Rng,
    imp: Impairment,
  ) {
    this.mtu = shared.mtu;
    this.poolPacketBytes = Math.min(shared.mtu, POOL_MAX_PACKET);
    this.imp = imp;
  }

  /** Create two connected ends: packets sent on [0] arrive at [1] ('a->b') and vice versa. */
  static pair(clock: Clock, opts: PairOptions = {}): [MemoryLink, MemoryLink] {
    const mtu = opts.mtu ?? DEFAULT_MTU;
    if (!(Number.isInteger(mtu) && mtu > 0)) throw new RangeError(`MemoryLink: mtu must be a positive integer, got ${mtu}`);
    const common = pickImpairment(opts);
    const aImp = { ...common, ...pickImpairment(opts.aToB) };
    const bImp = { ...common, ...pickImpairment(opts.bToA) };
    validateImpairment(aImp, 'a->b ');
    validateImpairment(bImp, 'b->a ');
    const root = new Rng(opts.seed ?? 1);
    const shared: Shared = { clock, mtu, closed: false, drop: opts.drop, inFlight: new Set() };
    const a = new MemoryLink(shared, 'a->b', root.fork(), aImp);
    const b = new MemoryLink(shared, 'b->a', root.fork(), bImp);
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  /** A pooled packet is valid only during the call; one in a buffer of its own comes with RX_OWNED (see the class comment). */
  onPacket(handler: (packet: Uint8Array, flags?: number) => void): void {
    this.handler = handler;
  }

  /** Observe every packet this end sends (plus one event per duplicate), at send time. */
  onTap(fn: (ev: TapEvent) => void): void {
    this.taps.push(fn);
  }

  /** Replace this end's outgoing impairment (not merged with the previous one). */
  setImpairment(imp: Impairment): void {
    const next = pickImpairment(imp);
    validateImpairment(next, `${this.direction} `);
    this.imp = next;
  }

  /** Stops all delivery in both directions, including packets already in flight. Idempotent. */
  close(): void {
    const shared = this.shared;
    if (shared.closed) return;
    shared.closed = true;
    for (const f of shared.inFlight) {
      if (f.handle !== undefined) shared.clock.cancel(f.handle);
      f.sender.stats.dropped++;
    }
    shared.inFlight.clear();
    this.discardQueue();
    this.peer.discardQueue();
    this.handler = undefined;
    this.peer.handler = undefined;
  }

  send(packet: Uint8Array): void {
    // Link contract: the packet is the sender's again once send returns (the stack builds the next one in
    // the same buffer), so the wire carries a copy, as a real link copies into its device's ring.
    const shared = this.shared;
    // Nothing outside the link sees a pooled packet before its delivery (a tap or the drop hook might keep it).
    const slot = this.taps.length === 0 && shared.drop === undefined && packet.length <= this.poolPacketBytes && !shared.closed ? this.slotFor() : undefined;
    packet = slot !== undefined ? slot.fill(packet) : this.copy(packet);
    const stats = this.stats;
    const index = this.sentCount++;
    stats.sent++;

    if (shared.closed) return this.dropped(packet, 'closed', false);
    if (packet.length > shared.mtu) return this.dropped(packet, 'mtu', false);
    if (this.imp.pathMtu !== undefined && tooBigForHop(packet, this.imp.pathMtu)) {
      this.tooBig(packet, this.imp.pathMtu);
      return this.release(slot);
    }
    if (shared.drop !== undefined && shared.drop({ packet, direction: this.direction, index })) {
      return this.dropped(packet, 'hook', false);
    }
    const imp = this.imp;
    const rng = this.rng;
    if (rng.chance(imp.loss ?? 0)) {
      this.dropped(packet, 'loss', false);
      return this.release(slot);
    }
    const dup = rng.chance(imp.duplicate ?? 0);
    // Copy before transmitting the original, in case a tap or hook keeps it.
    const dupBytes = dup ? packet.slice() : undefined;
    this.transmit(packet, slot, false);
    if (dupBytes !== undefined) {
      stats.duplicated++;
      this.transmit(dupBytes, undefined, true);
    }
  }

  // ---- internals ----

  private slotFor(): PacketSlot | undefined {
    return (this.pool ??= new PacketPool(this.poolPacketBytes, POOL_MAX_BYTES)).take();
  }

  private release(slot: PacketSlot | undefined): void {
    if (slot !== undefined) this.pool!.give(slot);
  }

  /**
   * Deliver the packets of the FIFO queue's oldest run (delivery-queue.ts), in order: the callback of every
   * delivery scheduled in transmit, but reordered ones. close() in a handler empties the queue and ends the run.
   */
  private readonly deliverRun = (): void => {
    const q = this.queue;
    let n = q.startRun();
    try {
      while (n > 0 && q.length > 0) {
        n--;
        this.deliverHead();
      }
    } finally {
      // A handler threw: the rest of the run is still due, in a callback of its own (the error propagates).
      if (n > 0 && q.length > 0) q.restartRun(n, this.shared.clock.schedule(this.shared.clock.now(), this.deliverRun, DELIVERY));
    }
  };

  private deliverHead(): void {
    const q = this.queue;
    const packet = q.headPacket;
    const slot = q.headSlot;
    const flags = q.headFlags;
    q.shift();
    this.stats.delivered++;
    const h = this.peer.handler;
    if (h === undefined) return this.release(slot);
    if (slot === undefined) return h(packet, flags);
    try {
      h(packet, flags);
    } finally {
      this.pool!.give(slot); // the handler is done with the packet (Link contract): the slot takes the next one
    }
  }

  /** close(): this end's queued deliveries are cancelled and count as dropped. */
  private discardQueue(): void {
    const q = this.queue;
    while (q.length > 0) {
      const handle = q.headHandle;
      if (handle !== undefined) this.shared.clock.cancel(handle);
      this.stats.dropped++;
      this.release(q.headSlot);
      q.shift();
    }
  }

  /**
   * A copy of `packet` that the receiver owns. A small packet is copied into the current slab (one
   * allocation per SLAB_BYTES, as Node pools small Buffers) instead of a buffer of its own each; a
   * large one gets its own buffer. A slab is never written again where a packet was copied, so every
   * delivered packet is the receiver's to keep (RX_OWNED).
   */
  private copy(packet: Uint8Array): Uint8Array {
    const n = packet.length;
    if (n > SLAB_MAX_PACKET) return packet.slice();
    if (this.slabUsed + n > this.slab.length) {
      this.slab = new Uint8Array(SLAB_BYTES);
      this.slabUsed = 0;
    }
    const at = this.slabUsed;
    this.slab.set(packet, at);
    this.slabUsed = (at + n + 7) & ~7; // the next copy starts 8-byte aligned, as a fresh buffer would
    return this.slab.subarray(at, at + n);
  }

  private dropped(packet: Uint8Array, reason: NonNullable<TapEvent['reason']>, duplicate: boolean): void {
    this.stats.dropped++;
    if (this.taps.length > 0) {
      const ev: TapEvent = { time: this.shared.clock.now(), direction: this.direction, packet, dropped: true, reason };
      if (duplicate) ev.duplicate = true;
      this.emit(ev);
    }
  }

  /** Dropped at the narrower hop; its router's ICMP error (if it sends one) comes back after this direction's delay. */
  private tooBig(packet: Uint8Array, mtu: number): void {
    this.dropped(packet, 'path-mtu', false);
    if (!this.imp.pathMtuIcmp) return;
    const icmp = hopIcmpError(packet, mtu);
    const shared = this.shared;
    // Not a packet either end sent, so outside the link's counters; a closed link drops it on arrival.
    shared.clock.schedule(shared.clock.now() + (this.imp.delayMs ?? 0), () => {
      if (!shared.closed) this.handler?.(icmp, RX_OWNED);
    });
  }

  private emit(ev: TapEvent): void {
    for (const fn of this.taps) fn(ev);
  }

  /** Put one copy on the wire: corrupt, queue, delay, reorder, schedule. `slot`: where a pooled copy sits. */
  private transmit(bytes: Uint8Array, slot: PacketSlot | undefined, duplicate: boolean): void {
    const shared = this.shared;
    const clock = shared.clock;
    const imp = this.imp;
    const rng = this.rng;
    const stats = this.stats;
    const now = clock.now();

    let packet = bytes;
    let corrupted = false;
    if (packet.length > 0 && rng.chance(imp.corrupt ?? 0)) {
      if (!duplicate) packet = packet.slice(); // duplicates are already private copies
      this.release(slot);
      slot = undefined;
      const i = rng.int(packet.length);
      packet[i] = packet[i]! ^ (1 << rng.int(8));
      corrupted = true;
    }

    let t = now;
    const rate = imp.rateBps;
    if (rate !== undefined) {
      const start = this.busyUntil > now ? this.busyUntil : now;
      // Bytes still waiting to be serialized (fluid model of the FIFO queue).
      const backlog = ((start - now) * rate) / 8000;
      if (backlog + packet.length > (imp.queueLimitBytes ?? DEFAULT_QUEUE_LIMIT)) {
        this.dropped(packet, 'queue', duplicate);
        return this.release(slot);
      }
      const markAt = imp.ecnMarkBytes;
      if (markAt !== undefined && backlog > markAt && rng.chance(Math.min(1, (backlog - markAt) / Math.max(markAt, 1)))) {
        if (!markCe(packet)) {
          this.dropped(packet, 'queue', duplicate); // Not-ECT: RED drops it
          return this.release(slot);
        }
        stats.marked++;
      }
      t = start + (packet.length * 8000) / rate;
      this.busyUntil = t;
    }
    const delay = imp.delayMs ?? 0;
    t += delay;
    const jitter = imp.jitterMs ?? 0;
    if (jitter > 0) t += rng.next() * jitter;

    const reordered = rng.chance(imp.reorder ?? 0);
    if (reordered) {
      stats.reordered++;
      t += imp.reorderDelayMs ?? 2 * (delay + 1);
      if (slot !== undefined) {
        // Out of the FIFO order the pool's queue keeps: a buffer of its own.
        packet = packet.slice();
        this.release(slot);
        slot = undefined;
      }
    } else {
      if (t < this.lastDeliveryAt) t = this.lastDeliveryAt;
      this.lastDeliveryAt = t;
    }
    if (corrupted) stats.corrupted++;

    if (this.taps.length > 0) {
      const ev: TapEvent = { time: now, direction: this.direction, packet, dropped: false };
      if (duplicate) ev.duplicate = true;
      if (corrupted) ev.corrupted = true;
      this.emit(ev);
    }
    // A tap may have closed the link.
    if (shared.closed) {
      stats.dropped++;
      return this.release(slot);
    }
    if (!reordered) {
      // One callback per run of packets due at the same time with nothing scheduled between them (delivery-queue.ts).
      const flags = slot === undefined ? RX_OWNED : 0;
      const q = this.queue;
      if (clock.scheduleCount === undefined) {
        q.push(packet, slot, flags, clock.schedule(t, this.deliverRun, DELIVERY), t, NaN);
      } else if (!q.join(packet, slot, flags, t, clock.scheduleCount())) {
        const handle = clock.schedule(t, this.deliverRun, DELIVERY);
        q.push(packet, slot, flags, handle, t, clock.scheduleCount());
      }
      return;
    }

    const flight: InFlight = { handle: undefined, sender: this };
    shared.inFlight.add(flight);
    const peer = this.peer;
    flight.handle = clock.schedule(t, () => {
      if (!shared.inFlight.delete(flight)) return;
      stats.delivered++;
      const h = peer.handler;
      if (h !== undefined) h(packet, RX_OWNED);
    });
  }
}
