/**
 * One fuzz case's world: a client stack A and a server stack B on a
 * MemoryLink in virtual time, and the legitimate traffic between them — A
 * connects to B:80, each side sends a known byte stream and half-closes once
 * it has written it; each side checks every byte it reads and closes at EOF.
 * Every packet arriving at either stack passes through a `FuzzPort`, which is
 * where hostile packets are injected and where the invariants run after each one.
 * The world is a pure function of its seed (config drawn from it).
 */
import { MemoryLink } from '../../src/link/memory.js';
import type { Link } from '../../src/link/link.js';
import { Stack } from '../../src/stack/stack.js';
import type { TcpSocket } from '../../src/stack/socket.js';
import type { Listener } from '../../src/stack/listener.js';
import type { TcpConfig } from '../../src/tcp/config.js';
import { Rng } from '../../src/util/rng.js';
import { VirtualClock } from '../../src/util/virtual-clock.js';
import { parseAddress } from '../../src/wire/ip.js';
import { parseTcpPacket } from '../../src/wire/packet.js';
import { ACK, RST, SYN } from '../../src/wire/flags.js';
import { isTcb, lookup, tcb } from './probe.js';

export const SERVER_PORT = 80;

/** The receiving end of the link in front of a stack: legitimate packets and injected ones go through `deliver`. */
export class FuzzPort implements Link {
  private handler: ((p: Uint8Array) => void) | undefined;
  /** The last legitimate packet this stack sent (a template for mutation). */
  lastSent: Uint8Array | undefined;
  constructor(
    private readonly inner: MemoryLink,
    private readonly after: (packet: Uint8Array, injected: boolean) => void,
    private readonly onThrow: (e: unknown) => void,
    private readonly before?: (packet: Uint8Array, injected: boolean) => void,
  ) {
    inner.onPacket((p) => this.deliver(p, false));
  }
  get mtu(): number {
    return this.inner.mtu;
  }
  send(packet: Uint8Array): void {
    this.lastSent = packet;
    this.inner.send(packet);
  }
  onPacket(handler: (packet: Uint8Array) => void): void {
    this.handler = handler;
  }
  close(): void {
    this.inner.close();
  }
  /** Hand a packet to the stack now, as if it came off the wire, then check the invariants. */
  deliver(packet: Uint8Array, injected: boolean): void {
    this.before?.(packet, injected);
    try {
      this.handler?.(packet);
    } catch (e) {
      this.onThrow(e);
    }
    this.after(packet, injected);
  }
}

export interface StreamSpec {
  length: number;
  salt: number;
}

/** Byte `i` of a stream: cheap, position-dependent, so a misplaced byte shows. */
export function streamByte(s: StreamSpec, i: number): number {
  return (i * 131 + (i >>> 8) * 7 + (i >>> 16) * 3 + s.salt) & 0xff;
}

export function streamBytes(s: StreamSpec, from: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let k = 0; k < len; k++) out[k] = streamByte(s, from + k);
  return out;
}

/** One side of the legitimate exchange. */
export class Endpoint {
  socket: TcpSocket | undefined;
  written = 0;
  received = 0;
  mismatchAt: number | undefined;
  eof = false;
  closed = false;
  private closeCalled = false;
  private shut = false;
  errors: string[] = [];
  extra = 0; // bytes past the stream's end
  constructor(
    readonly name: 'A' | 'B',
    readonly out: StreamSpec,
    readonly inp: StreamSpec,
    private readonly chunk: number,
  ) {}

  attach(s: TcpSocket): void {
    this.socket = s;
    s.on('readable', () => this.drain());
    s.on('writable', () => this.pump());
    s.on('end', () => {
      this.drain();
      this.eof = true;
      this.maybeClose();
    });
    s.on('error', (e) => this.errors.push(e.code));
    s.on('close', () => (this.closed = true));
  }

  /** Write as much of the stream as the send buffer takes; half-close once all of it is in. */
  pump(): void {
    const s = this.socket;
    if (!s || this.shut) return;
    while (this.written < this.out.length) {
      const n = Math.min(this.chunk, this.out.length - this.written);
      const took = s.write(streamBytes(this.out, this.written, n));
      this.written += took;
      if (took < n) return;
    }
    this.shut = true;
    s.shutdown();
    this.maybeClose();
  }

  /** Close once the peer's stream has ended and all of ours is written (close with unsent data would cut it). */
  private maybeClose(): void {
    if (this.eof && this.written >= this.out.length && this.socket && !this.closeCalled) {
      this.closeCalled = true;
      this.socket.close();
    }
  }

  drain(): void {
    const s = this.socket;
    if (!s) return;
    for (let d = s.read(); d; d = s.read()) {
      for (let k = 0; k < d.length; k++) {
        const i = this.received + k;
        if (i >= this.inp.length) {
          this.extra++;
          continue;
        }
        if (this.mismatchAt === undefined && d[k] !== streamByte(this.inp, i)) this.mismatchAt = i;
      }
      this.received += d.length;
    }
  }

  get complete(): boolean {
    return this.eof && this.received === this.inp.length && this.mismatchAt === undefined && this.extra === 0 && this.errors.length === 0;
  }
}

export interface WorldConfig {
  seed: number;
  v6: boolean;
  delayMs: number;
  loss: number;
  reorder: number;
  tcpA: Partial<TcpConfig>;
  tcpB: Partial<TcpConfig>;
  backlog: number;
  /** Fill B's SYN queue with spoofed SYNs before the client connects (SYN cookies then answer it). */
  synQueueFull: boolean;
  bytesAtoB: number;
  bytesBtoA: number;
  chunk: number;
  /** Delay before the client connects, ms (LISTEN gets fuzzed first). */
  connectAt: number;
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;

/** A world's configuration, drawn from its seed. */
export function worldConfig(seed: number): WorldConfig {
  const rng = new Rng(seed ^ 0x5eed);
  const tcp = (): Partial<TcpConfig> => ({
    recvBufferSize: pick(rng, [8 * 1024, 32 * 1024, 64 * 1024, 256 * 1024]),
    sendBufferSize: pick(rng, [8 * 1024, 64 * 1024, 256 * 1024]),
    sack: rng.chance(0.9),
    timestamps: rng.chance(0.85),
    windowScaling: rng.chance(0.85),
    congestionControl: rng.chance(0.5) ? 'cubic' : 'newreno',
    delayedAck: rng.chance(0.8),
    noDelay: rng.chance(0.3),
    msl: pick(rng, [50, 200, 1000]),
    finTimeout: 5_000,
    retries2: 8,
    orphanRetries: 6,
    challengeAckLimit: pick(rng, [10, 100, 1000]),
    mss: pick(rng, [1460, 1460, 536, 200]),
  });
  const lossy = rng.chance(0.5);
  return {
    seed,
    v6: rng.chance(0.3),
    delayMs: pick(rng, [1, 2, 5, 10, 25]),
    loss: lossy ? pick(rng, [0.01, 0.03, 0.08]) : 0,
    reorder: rng.chance(0.3) ? 0.05 : 0,
    tcpA: tcp(),
    tcpB: tcp(),
    backlog: pick(rng, [2, 4, 16, 128]),
    synQueueFull: rng.chance(0.2),
    bytesAtoB: pick(rng, [0, 1, 1000, 20_000, 100_000, 300_000]),
    bytesBtoA: pick(rng, [0, 1, 3000, 50_000, 150_000]),
    chunk: pick(rng, [1, 100, 4096, 65536]),
    connectAt: pick(rng, [0, 5, 50]),
  };
}

export class World {
  readonly clock = new VirtualClock();
  readonly a: Stack;
  readonly b: Stack;
  readonly portA: FuzzPort;
  readonly portB: FuzzPort;
  readonly addrA: Uint8Array;
  readonly addrB: Uint8Array;
  readonly listener: Listener;
  readonly client: Endpoint;
  readonly server: Endpoint;
  clientPort = 0;
  /**
   * The link lost a client segment at ISN + 1 (the handshake's third segment, or the first data riding on
   * it) while B held no TCB for the client: B had answered with a SYN cookie. A later segment then fails
   * the cookie check (it covers SEG.SEQ − 1, the client's ISN) and is answered with a RST that resets the
   * client — as Linux does (cookie_v4_check, then tcp_rcv_state_process in LISTEN); RFC 4987 §3.6: a
   * cookie keeps no state to recover with. A loss that may legitimately end the connection.
   *
   * The same holds when the ISN + 1 segment is not lost but overtaken: the link reorders, and a later client
   * segment (SEG.SEQ > ISN + 1) reaches B while B still has no TCB — it fails the cookie check just the same
   * (fuzz cases 3545789435, 3832874566).
   */
  cookieHandshakeLost = false;
  /** B answered the client's own SYN with a SYN cookie (its SyncookiesSent rose as the SYN arrived). */
  private clientGotCookie = false;
  /** B has held a TCB for the client's 4-tuple at some point. */
  private bHadTcb = false;
  private cookiesBefore: number | undefined;

  constructor(
    readonly cfg: WorldConfig,
    after: (stack: 'A' | 'B', packet: Uint8Array, injected: boolean) => void,
    onThrow: (e: unknown) => void,
  ) {
    const [la, lb] = MemoryLink.pair(this.clock, { seed: cfg.seed, delayMs: cfg.delayMs, loss: cfg.loss, reorder: cfg.reorder });
    // portA sits in front of A: it receives what B sends (lb's handler) and sends on la.
    this.portA = new FuzzPort(la, (p, i) => after('A', p, i), onThrow);
    this.portB = new FuzzPort(
      lb,
      (p, i) => {
        if (!i && this.cookiesBefore !== undefined && this.b.stats().SyncookiesSent > this.cookiesBefore) this.clientGotCookie = true;
        this.cookiesBefore = undefined;
        after('B', p, i);
      },
      onThrow,
      (p, injected) => {
        if (injected) return;
        if (this.clientPort !== 0 && lookup(this.b, SERVER_PORT, this.addrA, this.clientPort)) this.bHadTcb = true;
        if (this.isClientSyn(p)) this.cookiesBefore = this.b.stats().SyncookiesSent;
        if (!this.cookieHandshakeLost) this.cookieHandshakeLost = this.isCookieHandshakeOvertaken(p);
      },
    );
    la.onTap((ev) => {
      if (ev.dropped && !this.cookieHandshakeLost) this.cookieHandshakeLost = this.isCookieHandshakeLoss(ev.packet);
    });
    this.a = new Stack({ clock: this.clock, name: 'A', seed: cfg.seed * 2 + 1, tcp: cfg.tcpA });
    this.b = new Stack({ clock: this.clock, name: 'B', seed: cfg.seed * 2 + 2, tcp: cfg.tcpB });
    const ipA = cfg.v6 ? 'fd00::1' : '10.0.0.1';
    const ipB = cfg.v6 ? 'fd00::2' : '10.0.0.2';
    this.addrA = parseAddress(ipA)!;
    this.addrB = parseAddress(ipB)!;
    // Each stack sends on its own link end and receives, through its port, what the other end carries.
    this.a.attach(this.portA, { address: ipA });
    this.b.attach(this.portB, { address: ipB });
    const sAB = { length: cfg.bytesAtoB, salt: cfg.seed & 0xff };
    const sBA = { length: cfg.bytesBtoA, salt: (cfg.seed >>> 8) & 0xff };
    this.client = new Endpoint('A', sAB, sBA, cfg.chunk);
    this.server = new Endpoint('B', sBA, sAB, cfg.chunk);
    this.listener = this.b.listen(SERVER_PORT, { backlog: cfg.backlog });
    this.listener.on('connection', (s) => {
      // Only the client's first connection is the legitimate one. Any other the listener accepts (a SYN cookie
      // completed by forged segments, even from the client's own tuple once its first connection is gone) is
      // a correct TCP's doing — Linux accepts it too — and an idle ESTABLISHED connection without keepalive
      // lives for ever: the server application closes it at once, as a server expecting one client would.
      if (this.server.socket || s.remotePort !== this.clientPort || this.clientPort === 0) {
        s.close();
        return;
      }
      this.server.attach(s);
      this.server.pump();
      this.server.drain();
    });
    this.clock.schedule(cfg.connectAt, () => this.connect(ipB));
  }

  private connect(ipB: string): void {
    const s = this.a.connect({ remoteAddress: ipB, remotePort: SERVER_PORT });
    this.clientPort = s.localPort;
    this.client.attach(s);
    s.on('connect', () => this.client.pump());
  }

  /** A lost client segment at ISN + 1 while B holds only a cookie for the client. */
  private isCookieHandshakeLoss(packet: Uint8Array): boolean {
    const seq = this.cookieDependentSeq(packet);
    return seq !== undefined && seq === this.clientIsnPlusOne();
  }

  /** A client segment beyond ISN + 1 reaching B while B holds only a cookie for the client (never accepted it). */
  private isCookieHandshakeOvertaken(packet: Uint8Array): boolean {
    const seq = this.cookieDependentSeq(packet);
    const isn1 = this.clientIsnPlusOne();
    return seq !== undefined && isn1 !== undefined && seq !== isn1 && this.clientGotCookie && !this.bHadTcb;
  }

  /** The legitimate client's SYN (no ACK) to B's listener. */
  private isClientSyn(packet: Uint8Array): boolean {
    if (this.clientPort === 0) return false;
    const r = parseTcpPacket(packet);
    return r.ok && r.value.tcp.srcPort === this.clientPort && r.value.tcp.dstPort === SERVER_PORT && (r.value.tcp.flags & (SYN | ACK)) === SYN;
  }

  private clientIsnPlusOne(): number | undefined {
    const a = lookup(this.a, this.clientPort, this.addrB, SERVER_PORT);
    return a !== undefined && isTcb(a.conn) ? (tcb(a.conn).iss + 1) >>> 0 : undefined;
  }

  /** SEG.SEQ of a client ACK segment (no SYN, no RST) B can only answer through its SYN-cookie check, else undefined. */
  private cookieDependentSeq(packet: Uint8Array): number | undefined {
    if (this.clientPort === 0) return undefined;
    const r = parseTcpPacket(packet);
    if (!r.ok) return undefined;
    const { tcp } = r.value;
    if (tcp.srcPort !== this.clientPort || tcp.dstPort !== SERVER_PORT || (tcp.flags & (SYN | RST)) !== 0 || !(tcp.flags & ACK)) return undefined;
    // B has a TCB, or never sent a cookie: no cookie involved.
    if (lookup(this.b, SERVER_PORT, this.addrA, this.clientPort) || this.b.stats().SyncookiesSent === 0) return undefined;
    return tcp.seq;
  }

  get done(): boolean {
    return this.client.closed && this.server.closed;
  }
}
