/**
 * TunLink: a Link over a Linux TUN device (tun(4), IFF_TUN | IFF_NO_PI).
 *
 * Mechanism, and why (MEASUREMENTS.md, re-measured by bench/tun.ts on this
 * 2-vCPU VM; its figures are noisy, the ratios within one run are not):
 *
 * - koffi (an FFI with prebuilt binaries: no compiler at install) for open(2),
 *   ioctl(2) TUNSETIFF / SIOCSIFMTU / SIOCSIFFLAGS, read(2), write(2),
 *   poll(2), eventfd(2). The fd cannot go into net.Socket (libuv sees a
 *   file: ERR_INVALID_FD_TYPE), and fs.read through the libuv pool costs
 *   several µs of CPU per packet: in the same bench run it delivered 34–52 k
 *   pkt/s at 12–27 µs of CPU per packet, against 250 k pkt/s at 3.3 µs here.
 * - Reads: a worker_thread runs a non-blocking read(2) loop via koffi straight
 *   into a SharedArrayBuffer ring (ring.ts) and parks in poll(2) when the fd
 *   is empty. It wakes the main thread with one postMessage per burst (at
 *   most one per 64 packets, and only if the main thread had gone idle); the
 *   main thread drains up to `batch` packets per macrotask, handing each to the
 *   receiver as a view of the ring, valid during the call (Link contract: the
 *   stack copies the payload into its receive queue). A copy into a buffer of
 *   its own per packet cost the main thread 3.2–3.8 µs per 1400-byte packet
 *   against 1.1–1.4 µs for the view (bench/tun.ts, 1 vCPU, alternating runs;
 *   64 B: 1.7–1.8 vs 1.5–1.6 µs). A synchronous read on the main thread would
 *   block the event loop; this keeps it free and puts the syscalls (≈ 1–2 µs
 *   each on this VM) on the other vCPU. Measured: main thread ≈ 1.1 µs and
 *   reader thread ≈ 2.1 µs of CPU per 64-byte packet while keeping up with a
 *   kernel forwarding 250–300 k pkt/s into the device; a backlog drains at
 *   0.7–2.7 M pkt/s; UDP echo round trip through the link ≈ 110 µs (p50).
 * - Writes: synchronous write(2) on the main thread via koffi (≈ 0.5 µs of
 *   call overhead; the rest is the kernel's receive path, which tun(4) runs
 *   inline, so a write never blocks). A TUN fd takes one packet per write(2) —
 *   there is nothing to batch into — and handing writes to the worker would add
 *   a copy and a cross-thread wake-up that cost more than the write itself.
 *   koffi's write measured at or above fs.writeSync (400–530 k vs 330–440 k/s).
 * - A small N-API addon (option b) would save only the copy out of the ring:
 *   MEASUREMENTS puts its read loop level with koffi's (1.11 M vs 1.06 M
 *   pkt/s on one vCPU), and it needs a compiler on every install.
 * - close() is synchronous and bounded: it sets STOP, wakes the reader through
 *   the eventfd (poll's 250 ms timeout is the backstop), waits for the reader
 *   to acknowledge (Atomics.wait, ~0.2–2 ms, at most CLOSE_WAIT_MS), then
 *   closes the fds. For a non-persistent device the kernel unregisters it
 *   inside that close(2), which takes 10–50 ms (RCU grace periods): when
 *   close() returns the device is gone and its name free. The reader thread
 *   is ref'd while the link is open (like a listening socket it keeps the
 *   process alive; see unref()) and gone after close().
 *
 * Packets that arrive while no handler is registered wait in the ring; when
 * the ring is full the reader stops reading and the device's queue
 * (txqueuelen) drops, as a NIC's would.
 */
import { Worker } from 'node:worker_threads';
import { RX_CSUM_TRUSTED, type Link, type LinkOffload } from '../link.js';
import { finishChecksum, onesSumRange } from '../../wire/checksum.js';
import { addAddress, getMtu, openTun, setMtu, setOffload, setTxQueueLen, setUp } from './device.js';
import { EFD_CLOEXEC, EFD_NONBLOCK, SysError, TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6, libc } from './libc.js';
import {
  TCP_CSUM_OFFSET,
  VIRTIO_NET_HDR_F_DATA_VALID,
  VIRTIO_NET_HDR_F_NEEDS_CSUM,
  VIRTIO_NET_HDR_GSO_NONE,
  VNET_HDR_LEN,
  vnetCsumOffset,
  vnetCsumStart,
  vnetFlags,
  vnetGsoType,
  writeTcpOffloadHeader,
} from './vnet-header.js';
import { DEFAULT_RING_BYTES, PacketRing, RingConsumer } from './ring.js';
import { CANCELLED, NOT_STARTED, type ReaderData, type ReaderMessage } from './protocol.js';

export interface TunOptions {
  /** Interface name; absent or '' lets the kernel pick tunN. An existing TUN device of that name is attached to. */
  name?: string;
  /** Set the device MTU first (SIOCSIFMTU). Default: leave it (a new TUN device has 1500). */
  mtu?: number;
  /** Bring the device up (default true). */
  up?: boolean;
  /** Bytes in the receive ring (power of two, default 4 MiB). */
  ringBytes?: number;
  /** Most packets delivered per macrotask before yielding to the event loop (default 256). */
  batch?: number;
  /**
   * Offloads (default true): open with IFF_VNET_HDR and TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6),
   * so the kernel hands over 64 KB TCP super-packets with partial checksums and takes TSO writes.
   * Where the kernel refuses, the link falls back to plain packets and says why in `offloadStatus`.
   */
  offload?: boolean;
  /** Set the device's txqueuelen (SIOCSIFTXQLEN): packets the kernel queues for us before it drops. Default: leave it (500). */
  txQueueLen?: number;
  /** @internal The TUN_F_* flags asked for (tests use an unknown bit to see the kernel refuse). */
  offloadFlags?: number;
}

export interface TunStats {
  /** Packets and bytes delivered to the handler. */
  rxPackets: number;
  rxBytes: number;
  /** Times the reader found the ring full (the kernel queue then absorbs or drops). */
  rxRingFull: number;
  /** Packets and bytes written to the device. */
  txPackets: number;
  txBytes: number;
  /** Packets not written: over the MTU, link closed, or write(2) failed. */
  txDropped: number;
  /** errno of the last failed write(2), 0 if none. */
  txLastErrno: number;
  /** Wake-up messages from the reader thread, and macrotasks spent draining the ring. */
  wakes: number;
  pumps: number;
  /** Offloads on: GSO super-packets received (gso_type ≠ NONE), and the largest packet received. */
  rxGsoPackets: number;
  rxMaxPacket: number;
  /** Offloads on: packets received with a partial checksum (NEEDS_CSUM), and non-TCP ones of them completed here. */
  rxCsumPartial: number;
  rxCsumCompleted: number;
  /** Offloads on: TSO super-segments written (the kernel cut them), and the largest packet written. */
  txTsoPackets: number;
  txMaxPacket: number;
}

/** Largest IP packet a TSO write may carry (the kernel's GSO limit for a TUN device is 64 KB). */
const TSO_MAX_BYTES = 65535;
const DEFAULT_OFFLOAD_FLAGS = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;

/** How long close() waits for the reader thread to acknowledge STOP. */
const CLOSE_WAIT_MS = 1000;

export class TunLink implements Link {
  /** Interface name, as the kernel named it. */
  readonly name: string;
  /** The device MTU when opened. */
  readonly mtu: number;
  /** Resolves once the reader thread runs (or the link is closed, or the reader failed, first). Never rejects. */
  readonly ready: Promise<void>;

  private readonly fd: number;
  private readonly wakeFd: number;
  private readonly worker: Worker;
  private readonly ring: RingConsumer;
  private readonly control: Int32Array;
  private readonly batch: number;
  private handler: ((packet: Uint8Array, flags?: number) => void) | undefined;
  private errorHandler: ((err: Error) => void) | undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private closed = false;
  private readerExited = false;
  /** Set when close() could not confirm the reader stopped: the fds are closed when it exits. */
  private fdsOnExit = false;
  private fdsClosed = false;
  private resolveReady!: () => void;
  private readonly counters: TunStats = {
    rxPackets: 0,
    rxBytes: 0,
    rxRingFull: 0,
    txPackets: 0,
    txBytes: 0,
    txDropped: 0,
    txLastErrno: 0,
    wakes: 0,
    pumps: 0,
    rxGsoPackets: 0,
    rxMaxPacket: 0,
    rxCsumPartial: 0,
    rxCsumCompleted: 0,
    txTsoPackets: 0,
    txMaxPacket: 0,
  };
  /** TSO and checksum offload, when the kernel took TUNSETOFFLOAD; undefined otherwise. */
  readonly offload: LinkOffload | undefined;
  /** A few words for banners: "tso4 tso6 csum", "off (not asked)" or "off: the kernel refused (…)". */
  readonly offloadStatus: string;
  /** virtio_net_hdr bytes before each packet read and written (0 without offloads). */
  private readonly hdrLen: number;
  /** With offloads: [virtio_net_hdr | packet], one write(2) each (reused: write(2) copies it into the kernel). */
  private readonly writeBuf: Uint8Array;
  /**
   * Where the stack may build the packet it sends next (Link.txScratch): after the
   * virtio_net_hdr in `writeBuf` with offloads, so a TSO segment goes out without
   * being copied; an MTU-sized buffer of its own without. write(2) copies it into
   * the kernel before send() returns. A fresh 64 KB packet per TSO segment (zeroed,
   * page-faulted, collected) cost the stack more than building it here.
   */
  readonly txScratch: Uint8Array;

  /** Create (or attach to) a TUN device, optionally set its MTU, bring it up, and start reading. */
  static open(opts: TunOptions = {}): TunLink {
    const batch = opts.batch ?? 256;
    if (!(Number.isInteger(batch) && batch > 0)) throw new RangeError(`batch must be a positive integer, got ${batch}`);
    const sab = PacketRing.create(opts.ringBytes ?? DEFAULT_RING_BYTES);
    const { fd, name, vnet, offloadStatus } = openWithOffload(opts.name ?? '', opts.offload ?? true, opts.offloadFlags ?? DEFAULT_OFFLOAD_FLAGS);
    const c = libc();
    let wakeFd = -1;
    try {
      if (opts.mtu !== undefined) setMtu(name, opts.mtu);
      if (opts.txQueueLen !== undefined) setTxQueueLen(name, opts.txQueueLen);
      if (opts.up ?? true) setUp(name, true);
      wakeFd = c.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
      if (wakeFd < 0) throw new SysError('eventfd', c.errno());
      return new TunLink(fd, wakeFd, name, getMtu(name), sab, batch, vnet, offloadStatus);
    } catch (err) {
      if (wakeFd >= 0) c.close(wakeFd);
      c.close(fd);
      throw err;
    }
  }

  private constructor(fd: number, wakeFd: number, name: string, mtu: number, sab: SharedArrayBuffer, batch: number, vnet: boolean, offloadStatus: string) {
    this.fd = fd;
    this.hdrLen = vnet ? VNET_HDR_LEN : 0;
    this.offload = vnet ? { tsoMaxBytes: TSO_MAX_BYTES } : undefined;
    this.offloadStatus = offloadStatus;
    this.writeBuf = new Uint8Array(this.hdrLen > 0 ? VNET_HDR_LEN + TSO_MAX_BYTES : 0);
    this.txScratch = this.hdrLen > 0 ? this.writeBuf.subarray(VNET_HDR_LEN) : new Uint8Array(mtu);
    this.wakeFd = wakeFd;
    this.name = name;
    this.mtu = mtu;
    this.batch = batch;
    this.ring = new RingConsumer(sab);
    const control = new SharedArrayBuffer(4);
    this.control = new Int32Array(control);
    this.ready = new Promise((resolve) => (this.resolveReady = resolve));
    const data: ReaderData = { fd, wakeFd, sab, control, name, headerBytes: this.hdrLen };
    this.worker = new Worker(new URL('./reader-worker.js', import.meta.url), { workerData: data, name: `tun-reader ${name}` });
    this.worker.on('message', (m: ReaderMessage) => this.onMessage(m));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.once('exit', () => {
      this.readerExited = true;
      this.resolveReady();
      if (this.fdsOnExit) this.closeFds();
    });
  }

  /** Give the kernel side an address (`ip addr add CIDR dev NAME`), e.g. "10.0.0.1/24". */
  addAddress(cidr: string): Promise<void> {
    return addAddress(this.name, cidr);
  }

  onPacket(handler: (packet: Uint8Array, flags?: number) => void): void {
    if (this.closed) return;
    this.handler = handler;
    this.schedule(); // packets may be waiting in the ring
  }

  /** Called with reader failures (e.g. the device was deleted); without a handler they become process warnings. */
  onError(handler: (err: Error) => void): void {
    this.errorHandler = handler;
  }

  /**
   * Write one packet. With offloads on, it goes out after a virtio_net_hdr:
   * zeros for a complete packet; with `csumPartial` (a TCP packet whose
   * checksum field holds the pseudo-header sum) NEEDS_CSUM over the TCP
   * segment, and for a payload longer than `segmentSize` TSO at that size —
   * the kernel cuts, fixes up and checksums the segments.
   */
  send(packet: Uint8Array, segmentSize = 0, csumPartial = false): void {
    const s = this.counters;
    const max = this.hdrLen > 0 && csumPartial && segmentSize > 0 ? TSO_MAX_BYTES : this.mtu;
    if (this.closed || packet.length > max || packet.length === 0) {
      s.txDropped++;
      return;
    }
    const c = libc();
    let r: number;
    if (this.hdrLen === 0) {
      r = c.write(this.fd, packet, packet.length);
    } else {
      const buf = this.writeBuf;
      if (!(csumPartial && writeTcpOffloadHeader(buf, 0, packet, segmentSize))) buf.fill(0, 0, VNET_HDR_LEN);
      if (buf[1] !== VIRTIO_NET_HDR_GSO_NONE) s.txTsoPackets++;
      else if (packet.length > this.mtu) {
        s.txDropped++; // csumPartial but not TCP, or no payload to cut: too big for the device
        return;
      }
      if (packet.buffer !== buf.buffer || packet.byteOffset !== VNET_HDR_LEN) buf.set(packet, VNET_HDR_LEN); // else built in place (txScratch)
      r = c.write(this.fd, buf, VNET_HDR_LEN + packet.length);
    }
    if (r < 0) {
      s.txDropped++;
      s.txLastErrno = c.errno(); // EINVAL for a malformed packet, EIO if the device is down
      return;
    }
    s.txPackets++;
    s.txBytes += packet.length;
    if (packet.length > s.txMaxPacket) s.txMaxPacket = packet.length;
  }

  stats(): TunStats {
    return { ...this.counters, rxRingFull: this.ring.fullWaits };
  }

  /** Let the process exit while the link is open (like socket.unref()). */
  unref(): this {
    this.worker.unref();
    return this;
  }

  ref(): this {
    if (!this.closed) this.worker.ref();
    return this;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Stop reading, join the reader thread and close the fds (which removes a
   * non-persistent device). Synchronous and bounded by CLOSE_WAIT_MS; idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handler = undefined;
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.immediate = undefined;
    this.worker.removeAllListeners('message');
    this.worker.removeAllListeners('error');
    this.worker.on('error', () => {}); // a late failure must not become an uncaught 'error'
    if (Atomics.compareExchange(this.control, 0, NOT_STARTED, CANCELLED) === NOT_STARTED) {
      // The reader never started and now never will touch the fds.
      this.closeFds();
    } else {
      this.ring.requestStop();
      const one = new Uint8Array(8);
      one[0] = 1; // eventfd(2): a write adds this uint64 to the counter, which wakes poll()
      libc().write(this.wakeFd, one, 8);
      // Closing fds the reader may still use could hit reused fd numbers: wait for it to let go.
      if (this.ring.waitStopped(CLOSE_WAIT_MS) || this.readerExited) this.closeFds();
      else this.fdsOnExit = true; // not seen in practice: the reader died without acknowledging
    }
    this.worker.unref();
    void this.worker.terminate();
    this.resolveReady();
  }

  // ---- internals ----

  private closeFds(): void {
    if (this.fdsClosed) return;
    this.fdsClosed = true;
    const c = libc();
    c.close(this.fd); // the last fd bound to a non-persistent device: the kernel deletes it here
    c.close(this.wakeFd);
  }

  private readonly deliver = (packet: Uint8Array, headerAt: number): void => {
    const h = this.handler;
    if (h === undefined) return; // the handler closed the link: the rest of the batch is dropped
    const s = this.counters;
    s.rxPackets++;
    s.rxBytes += packet.length;
    if (packet.length > s.rxMaxPacket) s.rxMaxPacket = packet.length;
    // The packet is a view of the ring, valid only during the call (Link contract): the receiver copies what it keeps.
    h(packet, this.hdrLen === 0 ? 0 : this.rxFlags(packet, headerAt));
  };

  /** Read the packet's virtio_net_hdr (in the ring at `at`): what the kernel vouches for. Completes the partial checksum of anything but TCP. */
  private rxFlags(packet: Uint8Array, at: number): number {
    const data = this.ring.data;
    const s = this.counters;
    if (vnetGsoType(data, at) !== VIRTIO_NET_HDR_GSO_NONE) s.rxGsoPackets++;
    const f = vnetFlags(data, at);
    if (f & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
      s.rxCsumPartial++;
      const start = vnetCsumStart(data, at);
      const offset = vnetCsumOffset(data, at);
      if (offset === TCP_CSUM_OFFSET && isTcpAt(packet, start)) return RX_CSUM_TRUSTED;
      // UDP and the like: finish the checksum here, so the packet is whole for whoever reads it.
      if (start + offset + 2 <= packet.length) {
        let sum = finishChecksum(onesSumRange(packet, start, packet.length));
        if (sum === 0 && offset === 6) sum = 0xffff; // UDP sends a computed 0 as all ones (RFC 768)
        packet[start + offset] = sum >>> 8;
        packet[start + offset + 1] = sum & 0xff;
        s.rxCsumCompleted++;
      }
      return 0;
    }
    return f & VIRTIO_NET_HDR_F_DATA_VALID ? RX_CSUM_TRUSTED : 0;
  }

  private onMessage(m: ReaderMessage): void {
    if (m === 0) {
      this.counters.wakes++;
      // Drain right here (this is already a macrotask of its own) unless a pump is queued anyway.
      if (this.immediate === undefined && this.handler !== undefined) this.pump();
    } else if (m.t === 'ready') {
      this.resolveReady();
    } else {
      this.fail(new SysError(m.syscall, m.errno, `on ${this.name}`));
    }
  }

  private schedule(): void {
    if (this.immediate === undefined && this.handler !== undefined && !this.closed) this.immediate = setImmediate(this.pump);
  }

  /** One macrotask's worth of delivery: up to `batch` packets, then yield if more wait. */
  private readonly pump = (): void => {
    this.immediate = undefined;
    this.counters.pumps++;
    if (this.handler === undefined) return;
    let more = true;
    try {
      more = this.ring.drain(this.deliver, this.batch, this.hdrLen, true) === this.batch;
    } finally {
      // Even if the handler threw: keep the ring moving (the exception still propagates).
      if (!this.closed && this.handler !== undefined && (more || this.ring.idle())) this.schedule();
    }
  };

  private fail(err: Error): void {
    if (this.closed) return;
    if (this.errorHandler) this.errorHandler(err);
    else process.emitWarning(err.message, { code: 'SYNACK_TUN' });
  }
}

/** Whether the IP packet's transport header starting at `start` is TCP's (IPv4 protocol / IPv6 next header 6, right after the fixed header). */
function isTcpAt(packet: Uint8Array, start: number): boolean {
  const v = packet[0]! >>> 4;
  if (v === 4) return packet[9] === 6 && start === (packet[0]! & 0x0f) * 4;
  return v === 6 && packet[6] === 6 && start === 40;
}

/**
 * Open the device with IFF_VNET_HDR and TUNSETOFFLOAD(`flags`); where the
 * kernel refuses either, close it and open it plainly (the device is new or
 * merely attached, so nothing is lost). `offloadStatus` says which offloads
 * are on, or why none, in a few words for banners.
 */
function openWithOffload(name: string, offload: boolean, flags: number): { fd: number; name: string; vnet: boolean; offloadStatus: string } {
  if (!offload) return { ...openTun(name), vnet: false, offloadStatus: 'off (not asked)' };
  let why: string;
  try {
    const opened = openTun(name, { vnetHdr: true });
    try {
      setOffload(opened.fd, flags);
      return { ...opened, vnet: true, offloadStatus: describeOffload(flags) };
    } catch (e) {
      libc().close(opened.fd);
      why = (e as Error).message;
    }
  } catch (e) {
    why = (e as Error).message;
  }
  return { ...openTun(name), vnet: false, offloadStatus: `off: the kernel refused (${why})` };
}

function describeOffload(flags: number): string {
  const words: string[] = [];
  if (flags & TUN_F_TSO4) words.push('tso4');
  if (flags & TUN_F_TSO6) words.push('tso6');
  if (flags & TUN_F_CSUM) words.push('csum');
  return words.join(' ');
}
