import { Connection } from '../tcp/connection.js';
import type { TimeWait } from '../tcp/time-wait.js';
import { timeWaitInfo } from '../tcp/info.js';
import { connectionConfig, sharedConfig, type TcpConfig } from '../tcp/config.js';
import type { ConnectionInfo } from '../tcp/info.js';
import type { ConnCounter, ConnEvent, ConnectionSink } from '../tcp/events.js';
import type { HashKey } from '../tcp/halfsiphash.js';
import { initialSequenceNumber, timestampOffset } from '../tcp/isn.js';
import { resetFor } from '../tcp/rst.js';
import { checkCookie, cookieMssIndex, COOKIE_MSS_TABLE, makeCookie } from '../tcp/syn-cookie.js';
import { ReceivedSegment, type OutSegment, type Segment } from '../tcp/segment.js';
import { OutRecord } from '../tcp/out-segment.js';
import type { TcpState } from '../tcp/state.js';
import { RX_CSUM_TRUSTED, RX_OWNED, type Link } from '../link/link.js';
import type { Clock } from '../util/clock.js';
import { Rng } from '../util/rng.js';
import { Emitter } from '../util/emitter.js';
import { ACK, RST, SYN, flagsToString } from '../wire/flags.js';
import { PacketBuffer, TcpTemplate } from '../wire/tcp-template.js';
import { addressIs, readTcpPacketInto, RxPacket } from '../wire/rx-packet.js';
import { formatAddress, parseAddress } from '../wire/ip.js';
import type { WireError } from '../wire/errors.js';
import { readIcmpPacket } from '../wire/icmp.js';
import { countIcmp, countIcmpUnmatched, mssForPathMtu } from './icmp-input.js';
import { Listener, type ListenOptions } from './listener.js';
import { TcpError, TcpSocket, type ConnectionDriver, type SocketTcb } from './socket.js';
import { IPEXT_KEYS, countConnEvent, countTransition, emptyStats, type StackStats } from './stats.js';
import { EphemeralPorts } from './ports.js';
import { TimerWheel, WheelTimer, type WheelNode, type WheelSlot } from './timer-wheel.js';
import { DemuxTable } from './demux.js';
import { resolveLimits, type StackLimits } from './limits.js';
import { TimeWaitTable } from './time-wait-table.js';
import { AddressIntern } from './address-intern.js';
import { EventQueue, EventQueuePool } from './event-queue.js';
import { TimeWaitHandle, type TimeWaitOwner } from './time-wait-handle.js';

export interface StackOptions {
  clock: Clock;
  /** A name for traces (e.g. "A"). */
  name?: string;
  /** Defaults for every connection of this stack. */
  tcp?: Partial<TcpConfig>;
  /** Seed for the stack's secrets (ISN key) and port choice; random when absent. */
  seed?: number;
  /** Ephemeral port range, inclusive (Linux ip_local_port_range: 32768–60999). */
  ephemeralPorts?: [number, number];
  /** Answer SYNs with SYN cookies once a listener's SYN queue is full (net.ipv4.tcp_syncookies=1). Default true. */
  synCookies?: boolean;
  /** Orphaned connections allowed before new orphans are reset (tcp_max_orphans); default scales with `memoryBytes` as Linux. */
  maxOrphans?: number;
  /** TIME_WAIT entries allowed before closing connections skip TIME_WAIT (tcp_max_tw_buckets); default as Linux. */
  maxTimeWait?: number;
  /** Memory the defaults above scale with (limits.ts); 4 GiB when absent. */
  memoryBytes?: number;
}

export interface InterfaceConfig {
  /** Our address on this link, e.g. "10.0.0.1" or "fd00::1". */
  address: string;
  /** Prefix length (informational for routing between several interfaces). */
  prefix?: number;
}

/** A row of the `ss`-style table. */
export interface SocketRow {
  id: number;
  state: TcpState;
  local: string;
  remote: string;
  sendQueue: number;
  recvQueue: number;
  rto: number;
  cwnd: number;
  timer: string;
  timerExpiresIn: number | undefined;
  retransmits: number;
  /** The connection's full snapshot (`ss -i`); absent for listeners. */
  info?: ConnectionInfo;
  /** The application has closed it and it lives on to finish the close (Linux's orphan count, `ss -s`). */
  orphan?: boolean;
}

/** What a stack reports to observers (sim, traces, pcap). */
export type StackTraceEvent =
  | { type: 'state'; t: number; stack: string; id: number; local: string; remote: string; from: TcpState; to: TcpState }
  | { type: 'segment'; t: number; stack: string; dir: 'in' | 'out'; local: string; remote: string; flags: string; seq: number; ack: number; len: number; window: number; rtx?: boolean }
  | { type: 'drop'; t: number; stack: string; reason: WireError | 'not-ours' | 'listen-overflow' | 'exception' }
  /** An error reported to the application (ECONNRESET, ETIMEDOUT, …), as it is raised. */
  | { type: 'error'; t: number; stack: string; id: number; local: string; remote: string; code: string };

interface StackEvents {
  trace: (ev: StackTraceEvent) => void;
}

interface Iface {
  /** The stack the interface belongs to (its connections' records reach it here rather than keeping it each). */
  stack: Stack;
  index: number;
  link: Link;
  address: Uint8Array;
  addressText: string;
  prefix: number;
  /** Where packets for this link are built: the link's lent buffer (txScratch), else the stack's. */
  tx: PacketBuffer;
}

/** Entry.bits: counted among the stack's orphans / TIME_WAIT entries (R9 limits); delivering events; opened actively. */
const ORPHAN = 1;
const TIME_WAIT = 2;
const DISPATCHING = 4;
const ACTIVE = 8;
const SYN_QUEUED = 16;

/**
 * One connection's record in the stack. It is at once the application's
 * socket (a TcpSocket), the connection's sink (segments and events come
 * here), the driver of the socket's calls, and its wheel timer — one object
 * per connection instead of an entry, a socket and a handful of closures,
 * which matters at a million connections. Its 4-tuple is read from its packet
 * template, the stack from its interface, and its flags are bits of one number.
 */
class Entry extends TcpSocket implements ConnectionSink, ConnectionDriver, WheelNode {
  /** The TCB; in TIME_WAIT, the compact record that replaced it (and once forgotten for a table row, that row's handle). */
  declare conn: Connection | TimeWait;
  // WheelNode: the connection's one timer, at its earliest deadline.
  due = 0;
  next: WheelNode | null = null;
  prev: WheelNode | null = null;
  slot: WheelSlot | null = null;
  /** Events raised during the current call into the connection, delivered by `after`. */
  pending: EventQueue | null = null;
  private bits: number;
  /** The 4-tuple's packet template (issue 11): built with the entry, every segment it sends is patched from it. */
  readonly tx: TcpTemplate;

  constructor(
    id: number,
    readonly iface: Iface,
    localAddr: Uint8Array,
    remoteAddr: Uint8Array,
    localPort: number,
    remotePort: number,
    /** The listener whose SYN queue holds this connection (until it is established or closed). */
    public listener: Listener | undefined,
    active: boolean,
  ) {
    super(id, undefined as unknown as Connection); // the TCB comes once it is opened (createEntry)
    this.bits = active ? ACTIVE : 0;
    this.tx = new TcpTemplate(localAddr, remoteAddr, localPort, remotePort);
  }

  get stack(): Stack {
    return this.iface.stack;
  }
  get localAddr(): Uint8Array {
    return this.tx.src;
  }
  get remoteAddr(): Uint8Array {
    return this.tx.dst;
  }
  get localPort(): number {
    return this.tx.srcPort;
  }
  get remotePort(): number {
    return this.tx.dstPort;
  }
  get localAddress(): string {
    const a = this.tx.src;
    return a === this.iface.address ? this.iface.addressText : formatAddress(a);
  }
  get remoteAddress(): string {
    return this.iface.stack.addressText(this.tx.dst);
  }

  /** Counted among the stack's orphans (R9 limits). */
  get orphan(): boolean {
    return this.flag(ORPHAN);
  }
  set orphan(on: boolean) {
    this.setFlag(ORPHAN, on);
  }
  /** Counted among the stack's TIME_WAIT entries (R9 limits). */
  get timeWait(): boolean {
    return this.flag(TIME_WAIT);
  }
  set timeWait(on: boolean) {
    this.setFlag(TIME_WAIT, on);
  }
  /** `after` is delivering this entry's events: a handler's call back into the socket adds to them, not re-enters. */
  get dispatching(): boolean {
    return this.flag(DISPATCHING);
  }
  set dispatching(on: boolean) {
    this.setFlag(DISPATCHING, on);
  }
  /** Counted in its listener's SYN queue (half-open, SYN_RCVD): the listener keeps only the count. */
  get synQueued(): boolean {
    return this.flag(SYN_QUEUED);
  }
  set synQueued(on: boolean) {
    this.setFlag(SYN_QUEUED, on);
  }
  get active(): boolean {
    return this.flag(ACTIVE);
  }
  private flag(bit: number): boolean {
    return (this.bits & bit) !== 0;
  }
  private setFlag(bit: number, on: boolean): void {
    this.bits = on ? this.bits | bit : this.bits & ~bit;
  }

  get armed(): boolean {
    return this.slot !== null;
  }

  /** The socket's calls are driven by the stack, or, once the connection is a TIME_WAIT table row, by the row's handle. */
  protected get driver(): ConnectionDriver {
    const c = this.conn as SocketTcb;
    return c instanceof TimeWaitHandle ? c : this;
  }

  fire(): void {
    const stack = this.iface.stack;
    try {
      this.conn.onTimer(stack.clock.now());
    } catch (err) {
      stack.fault(this, err);
      return;
    }
    stack.after(this);
  }

  transmit(seg: OutSegment): void {
    this.iface.stack.transmitWith(this.iface, this.tx, seg);
  }

  event(ev: ConnEvent): void {
    this.iface.stack.onConnEvent(this, ev);
  }

  count(counter: ConnCounter, n?: number): void {
    this.iface.stack.countConn(counter, n);
  }

  now(): number {
    return this.iface.stack.clock.now();
  }

  after(): void {
    this.iface.stack.after(this);
  }
}

/** A configuration resolved once for an interface (its MTU gives the MSS), and whether it fixes the TSval offset. */
interface SharedConfig {
  mtu: number;
  cfg: Readonly<TcpConfig>;
  fixedTs: boolean;
}

const DEFAULT_BACKLOG = 128;
/** How long after a SYN-queue overflow bare ACKs are checked as cookies (Linux TCP_SYNCOOKIE_VALID, 2 min). */
const COOKIE_CANDIDATE_MS = 120_000;

/**
 * A TCP/IP host: interfaces on links, demultiplexing by 4-tuple, listeners
 * with accept queues, ephemeral ports, one injected clock, MIB counters, and
 * RST for segments that match nothing (RFC 9293 §3.10.7.1).
 */
export class Stack extends Emitter<StackEvents> implements TimeWaitOwner {
  readonly name: string;
  readonly clock: Clock;
  private readonly tcpDefaults: Partial<TcpConfig>;
  private readonly ifaces: Iface[] = [];
  private readonly conns = new DemuxTable<Entry>();
  private readonly listeners = new Map<string, Listener>();
  /** The listeners of each port (on any address, a few at most): a SYN finds its listener here without building a key string. */
  private readonly listenedPorts = new Map<number, Listener[]>();
  private readonly isnKey: HashKey;
  private readonly cookieKey: HashKey;
  private readonly synCookies: boolean;
  private readonly ports: EphemeralPorts;
  private readonly counters: StackStats = emptyStats();
  /** The receive path's reusable parse record and remote-address scratch (issue 11: no objects per packet). */
  private readonly rx = new RxPacket();
  private readonly rxRemote4 = new Uint8Array(4);
  private readonly rxRemote16 = new Uint8Array(16);
  /**
   * The received-segment records (segment.ts ReceivedSegment), one per depth of input: a link that delivers
   * within send() re-enters input while the outer segment is still being processed, so that one gets a record
   * of its own (made on first use) and the outer record is not overwritten under the connection reading it.
   */
  private readonly rxSegs: ReceivedSegment[] = [new ReceivedSegment()];
  private rxDepth = 0;
  private readonly wheel: TimerWheel;
  private readonly limits: StackLimits;
  /** TIME_WAIT entries as rows of a typed-array table (no TCB, no Entry, no socket each), with one wheel timer for their 2MSL. */
  private readonly timeWait: TimeWaitTable;
  private readonly timeWaitTimer = new WheelTimer(() => this.expireTimeWaits());
  /** Sockets of TIME_WAIT rows that someone still listens to (for the TIME_WAIT → CLOSED and close events). */
  private readonly timeWaitSockets = new Map<number, TcpSocket>();
  /** Resolved configurations shared by connections (per interface): for the stack's defaults, and per listener's or connect's overrides. */
  private readonly defaultConfigs: SharedConfig[] = [];
  private readonly sharedConfigs = new WeakMap<Partial<TcpConfig>, SharedConfig[]>();
  /** Remote addresses shared by the connections to the same host. */
  private readonly remoteAddrs = new AddressIntern();
  /** Event queues lent to connections between an event and its delivery (`after`). */
  private readonly eventQueues = new EventQueuePool();
  private orphans = 0;
  /** The address text connect() parsed last, and what it parsed to. */
  private lastConnectText: string | undefined;
  private lastConnectAddr: Uint8Array | undefined;
  /** Full TCBs in TIME_WAIT (until the application has read what arrived); the table's rows are counted by the table. */
  private timeWaits = 0;
  private nextId = 1;
  private ipId = 0;
  /** The buffer every packet is built in (issue 11: links copy what `send` hands them, Link contract). */
  private readonly txBuf = new PacketBuffer(new Uint8Array(0), true);
  /** Inside a link's send(): a packet built now must not go in the buffer that link is still reading. */
  private sending = false;

  constructor(opts: StackOptions) {
    super();
    this.clock = opts.clock;
    this.name = opts.name ?? 'stack';
    this.tcpDefaults = opts.tcp ?? {};
    this.wheel = new TimerWheel(this.clock);
    const rng = new Rng(opts.seed ?? randomSeed());
    this.isnKey = [rng.nextU32(), rng.nextU32()];
    this.cookieKey = [rng.nextU32(), rng.nextU32()];
    this.synCookies = opts.synCookies ?? true;
    this.limits = resolveLimits(opts);
    this.timeWait = new TimeWaitTable(this.limits.maxTimeWait);
    this.ports = new EphemeralPorts(opts.ephemeralPorts ?? [32768, 60999], rng.fork());
  }

  // ───────────────────────────── configuration ─────────────────────────────

  /** Put the stack on a link with an address. */
  attach(link: Link, cfg: InterfaceConfig): void {
    const address = parseAddress(cfg.address);
    if (!address) throw new TypeError(`invalid IP address "${cfg.address}"`);
    // The smallest datagram every host must take: 68 bytes for IPv4 (RFC 791), 1280 for IPv6 (RFC 8200 §5).
    // Below it there is no room for a TCP header with options, and the MSS would go negative.
    const minMtu = address.length === 4 ? 68 : 1280;
    if (!(link.mtu >= minMtu)) throw new RangeError(`link MTU ${link.mtu} is below the ${address.length === 4 ? 'IPv4' : 'IPv6'} minimum of ${minMtu} bytes`);
    const tx = link.txScratch !== undefined ? new PacketBuffer(link.txScratch, false) : this.txBuf;
    const iface: Iface = { stack: this, index: this.ifaces.length, link, address, addressText: formatAddress(address), prefix: cfg.prefix ?? (address.length === 4 ? 24 : 64), tx };
    this.ifaces.push(iface);
    link.onPacket((packet, flags) => this.onPacket(iface, packet, flags));
  }

  get addresses(): string[] {
    return this.ifaces.map((i) => i.addressText);
  }

  // ─────────────────────────────── sockets ───────────────────────────────

  /** Passive open on `port` (every address unless `opts.host`; 0 picks a free ephemeral port). Throws EADDRINUSE. */
  listen(port: number, opts: ListenOptions = {}): Listener {
    checkPort(port, true);
    const host = opts.host !== undefined ? this.normalizeLocal(opts.host) : undefined;
    if (port === 0) {
      const free = this.ports.pick((p) => !this.portListened(p));
      if (free === undefined) throw new TcpError('EADDRINUSE', 'no free port to listen on');
      port = free;
    }
    const key = listenerKey(host, port);
    if (this.listeners.has(key) || this.listeners.has(listenerKey(undefined, port)) || (host === undefined && this.portListened(port))) {
      throw new TcpError('EADDRINUSE', `port ${port} is already being listened on`);
    }
    const backlog = Math.max(1, Math.floor(opts.backlog ?? DEFAULT_BACKLOG));
    const listener = new Listener(this.nextId++, port, host, backlog, opts.tcp ?? {}, (l) => this.unlisten(l));
    this.listeners.set(key, listener);
    const onPort = this.listenedPorts.get(port);
    if (onPort) onPort.push(listener);
    else this.listenedPorts.set(port, [listener]);
    this.trace({ type: 'state', t: this.clock.now(), stack: this.name, id: listener.id, local: hostPort(host ?? '*', port), remote: '*:*', from: 'CLOSED', to: 'LISTEN' });
    return listener;
  }

  /** Active open (RFC 9293 §3.10.1). The socket emits `connect` or `error`. */
  connect(opts: { remoteAddress: string; remotePort: number; localAddress?: string; localPort?: number; tcp?: Partial<TcpConfig> }): TcpSocket {
    checkPort(opts.remotePort, false);
    // Clients connect to the same server again and again: its address is parsed once (the array is only read).
    let remoteAddr = opts.remoteAddress === this.lastConnectText ? this.lastConnectAddr : undefined;
    if (!remoteAddr) {
      remoteAddr = parseAddress(opts.remoteAddress) ?? undefined;
      if (!remoteAddr) throw new TypeError(`invalid IP address "${opts.remoteAddress}"`);
      this.lastConnectText = opts.remoteAddress;
      this.lastConnectAddr = remoteAddr;
    }
    const iface = this.route(remoteAddr, opts.localAddress);
    let localPort = opts.localPort;
    if (localPort !== undefined) {
      checkPort(localPort, false);
      if (this.tupleInUse(iface.index, localPort, remoteAddr, opts.remotePort)) {
        throw new TcpError('EADDRINUSE', `${hostPort(iface.addressText, localPort)} is already connected to ${hostPort(formatAddress(remoteAddr), opts.remotePort)}`);
      }
    } else {
      localPort = this.ports.pick((p) => !this.tupleInUse(iface.index, p, remoteAddr, opts.remotePort) && this.findListener(iface.addressText, p) === undefined);
      if (localPort === undefined) throw new TcpError('EADDRNOTAVAIL', 'no free ephemeral port');
    }
    const now = this.clock.now();
    const iss = initialSequenceNumber(this.isnKey, iface.address, localPort, remoteAddr, opts.remotePort, now);
    const cfg = this.tcbConfig(iface, opts.tcp, iface.address, localPort, remoteAddr, opts.remotePort);
    return this.createEntry(iface, iface.address, localPort, remoteAddr, opts.remotePort, undefined, cfg, iss, now, undefined);
  }

  // ──────────────────────────── observation ────────────────────────────

  /** An `ss`-style snapshot of every connection and listener. */
  connections(): SocketRow[] {
    const now = this.clock.now();
    const rows: SocketRow[] = [];
    for (const l of this.listeners.values()) {
      rows.push({ id: l.id, state: 'LISTEN', local: hostPort(l.host ?? '*', l.port), remote: '*:*', sendQueue: l.backlog, recvQueue: l.acceptQueue.length, rto: 0, cwnd: 0, timer: 'off', timerExpiresIn: undefined, retransmits: 0 });
    }
    for (const e of this.conns.values()) {
      const i = e.conn.info();
      rows.push({
        id: e.id,
        state: i.state,
        local: hostPort(e.localAddress, e.localPort),
        remote: hostPort(e.remoteAddress, e.remotePort),
        sendQueue: i.sendQueue,
        recvQueue: i.recvQueue,
        rto: i.rto,
        cwnd: i.cwnd,
        timer: i.timer,
        timerExpiresIn: i.timerExpires === undefined ? undefined : Math.max(0, i.timerExpires - now),
        retransmits: i.retransmits,
        info: i,
        ...(e.orphan ? { orphan: true } : {}),
      });
    }
    for (const r of this.timeWait.rows()) {
      const iface = this.ifaces[this.timeWait.iface(r)]!;
      const expires = this.timeWait.expiresAt(r);
      rows.push({
        id: this.timeWait.id(r),
        state: 'TIME_WAIT',
        local: hostPort(iface.addressText, this.timeWait.localPort(r)),
        remote: hostPort(formatAddress(this.timeWait.remoteAddress(r)), this.timeWait.remotePort(r)),
        sendQueue: 0,
        recvQueue: 0,
        rto: 0,
        cwnd: 0,
        timer: 'timewait',
        timerExpiresIn: Math.max(0, expires - now),
        retransmits: 0,
        info: timeWaitInfo(expires),
      });
    }
    // Connections in the order they were opened (ids grow), as before the lookup tables kept no order.
    const first = this.listeners.size;
    // Copied back in place, not spliced in as arguments: a million rows overflowed the call stack (bench/scale --connections 1000000).
    if (rows.length - first > 1) {
      const sorted = rows.slice(first).sort((x, y) => x.id - y.id);
      for (let i = 0; i < sorted.length; i++) rows[first + i] = sorted[i]!;
    }
    return rows;
  }

  /** MIB counters (RFC 4022 / nstat names). */
  stats(): StackStats {
    return { ...this.counters };
  }

  /** Reset every connection and stop listening; the stack can be dropped afterwards. */
  close(): void {
    for (const l of [...this.listeners.values()]) l.close();
    for (const e of [...this.conns.values()]) {
      e.conn.abort(this.clock.now());
      this.after(e);
    }
    for (const r of [...this.timeWait.rows()]) this.endTimeWait(r);
  }

  // ───────────────────────────── receive path ─────────────────────────────

  /**
   * One packet from a link. Nothing thrown on the way gets out (R10): a throw
   * inside a connection aborts that connection (`fault`); one anywhere else
   * costs this packet only. Either way it is counted, and the link keeps pumping.
   */
  private onPacket(iface: Iface, packet: Uint8Array, flags = 0): void {
    // A link that delivers within send(): this stack is inside a connection's call (it is sending), and a packet
    // for that connection would re-enter it half-way through (its SND.NXT not yet advanced, its send buffer
    // being read: SendBuffer.peek at a negative offset), or find it still being opened (its SYN is sent from
    // inside createEntry, before the entry has its Connection). Taken on the next turn of the clock, from a
    // copy, as the stack's own loopback does — ConnectionSink's calls must not re-enter the Connection (events.ts).
    if (this.sending) return this.loopback(iface, packet, flags);
    const depth = this.rxDepth++;
    try {
      this.input(iface, packet, flags, this.rxSegs[depth] ?? (this.rxSegs[depth] = new ReceivedSegment()));
    } catch {
      this.counters.PacketExceptions++;
      this.trace({ type: 'drop', t: this.clock.now(), stack: this.name, reason: 'exception' });
    } finally {
      this.rxDepth = depth;
    }
  }

  /**
   * `packet` is valid only during this call (Link contract), and so is `seg`, the record it is parsed into:
   * whatever keeps a segment, its options or its payload beyond the call copies them (segment.ts).
   */
  private input(iface: Iface, packet: Uint8Array, flags: number, seg: ReceivedSegment): void {
    // One pass into the stack's reusable record (issue 11): no header objects. Its fields are copied to
    // locals before anything that may send (and so, on a synchronous link, re-enter input).
    const rx = this.rx;
    // A packet the link vouches for (checksum offload) may carry only a partial checksum: not verified.
    const error = readTcpPacketInto(packet, rx, (flags & RX_CSUM_TRUSTED) === 0);
    if (error !== undefined) {
      if (error === 'not-tcp' && this.icmpInput(iface, packet)) return;
      if (error === 'not-tcp' || error === 'ip-fragment') this.counters.InDiscards++;
      else {
        this.counters.InErrs++;
        if (error === 'bad-tcp-checksum') this.counters.InCsumErrors++;
      }
      this.trace({ type: 'drop', t: this.clock.now(), stack: this.name, reason: error });
      return;
    }
    if (!addressIs(packet, rx.dstAt, rx.addressSize, iface.address)) {
      this.counters.InDiscards++;
      this.trace({ type: 'drop', t: this.clock.now(), stack: this.name, reason: 'not-ours' });
      return;
    }
    this.counters.InSegs++;
    const ecn = rx.ecn;
    this.counters[IPEXT_KEYS[ecn]!]++;
    seg.fill(rx.seq, rx.ack, rx.flags, rx.window, ecn, rx.options);
    seg.setPayload(packet, rx.payloadStart, rx.payloadEnd, (flags & RX_OWNED) !== 0);
    const srcPort = rx.srcPort;
    const dstPort = rx.dstPort;
    // The remote address, for the lookups only: copied into a per-stack scratch buffer, not a view per packet.
    const lookup = rx.addressSize === 4 ? this.rxRemote4 : this.rxRemote16;
    for (let i = 0; i < lookup.length; i++) lookup[i] = packet[rx.srcAt + i]!;
    const localText = iface.addressText;
    const now = this.clock.now();
    if (this.hasTrace()) {
      this.trace({ type: 'segment', t: now, stack: this.name, dir: 'in', local: hostPort(localText, dstPort), remote: hostPort(formatAddress(lookup), srcPort), flags: flagsToString(seg.flags), seq: seg.seq, ack: seg.ack, len: seg.payload.length, window: seg.window });
    }

    const entry = this.conns.get(iface.index, dstPort, lookup, srcPort);
    if (entry && entry.conn.state !== 'TIME_WAIT') {
      this.segmentIn(entry, seg, now); // the common case: a segment for a synchronized or synchronizing connection
      return;
    }
    const twRow = entry ? -1 : this.timeWait.find(iface.index, dstPort, lookup, srcPort);
    // Beyond the common case the remote address may be kept (a new connection, a reply): a copy of its own.
    const remote = lookup.slice();
    let reopenIss: number | undefined;
    if (entry || twRow >= 0) {
      const newSyn = entry ? entry.conn.state === 'TIME_WAIT' && entry.conn.acceptsNewSyn(seg) : this.timeWait.acceptsNewSyn(twRow, seg);
      const reuse = newSyn ? this.findListener(localText, dstPort) : undefined;
      const admission = reuse && !reuse.closed ? this.synAdmission(reuse) : undefined;
      if (admission !== undefined && admission !== 'queue') {
        // RFC 6191 reuse, but the listener would drop the SYN (or answer with a cookie, whose ISN does not
        // follow this TIME_WAIT): keep TIME_WAIT and drop the SYN, as a full listener drops any SYN; the
        // client's retransmission tries again (issue 10 #6: aborting first lost both).
        this.counters.ListenDrops++;
        if (admission === 'accept-queue-full') this.counters.ListenOverflows++;
        this.trace({ type: 'drop', t: now, stack: this.name, reason: 'listen-overflow' });
        return;
      }
      if (admission === 'queue') {
        // RFC 6191: the new SYN ends TIME_WAIT and opens a new incarnation.
        this.counters.TimeWaitReopens++;
        if (entry) {
          reopenIss = entry.conn.successorIss;
          entry.conn.abort(now);
          this.after(entry);
        } else {
          reopenIss = this.timeWait.successorIss(twRow);
          this.endTimeWait(twRow);
        }
      } else if (!entry) {
        // A TIME_WAIT row answers with at most an ACK (a retransmitted FIN also restarts its 2MSL).
        const ack = this.timeWait.onSegment(twRow, seg, now);
        if (ack) this.transmit(iface, iface.address, dstPort, remote, srcPort, ack);
        this.armTimeWaitTimer();
        return;
      } else {
        this.segmentIn(entry, seg, now);
        return;
      }
    }

    const listener = this.findListener(localText, dstPort);
    if (listener && !listener.closed) {
      this.listenInput(listener, iface, iface.address, dstPort, remote, srcPort, seg, reopenIss);
      return;
    }
    this.sendReset(iface, iface.address, dstPort, remote, srcPort, seg);
  }

  /** A segment to its connection; a throw inside aborts that connection only (R10). */
  private segmentIn(entry: Entry, seg: Segment, now: number): void {
    try {
      entry.conn.onSegment(seg, now);
    } catch (err) {
      this.fault(entry, err);
      return;
    }
    this.after(entry);
  }

  /**
   * An ICMP or ICMPv6 packet (false: not one): counted; an error about one of our segments goes to the
   * connection its quoted 4-tuple names (RFC 5927; Linux tcp_v4_err / tcp_v6_err), which validates it.
   */
  private icmpInput(iface: Iface, packet: Uint8Array): boolean {
    const e = readIcmpPacket(packet);
    if (e === 'not-icmp') return false;
    const version = packet[0]! >> 4 === 6 ? 6 : 4;
    countIcmp(this.counters, version, e);
    if (typeof e === 'string') {
      this.trace({ type: 'drop', t: this.clock.now(), stack: this.name, reason: e });
      return true;
    }
    const entry = equalBytes(e.to, iface.address) && equalBytes(e.quote.src, iface.address) ? this.conns.get(iface.index, e.quote.srcPort, e.quote.dst, e.quote.dstPort) : undefined;
    if (!entry) {
      countIcmpUnmatched(this.counters, version);
      return true;
    }
    if (!(entry.conn instanceof Connection)) return true; // TIME_WAIT: ignored, as Linux
    const mss = e.kind === 'packet-too-big' ? mssForPathMtu(version, e.mtu) : undefined;
    try {
      const verdict = entry.conn.onIcmp({ kind: e.kind, seq: e.quote.seq, mss }, this.clock.now());
      if (verdict === 'out-of-window') this.counters.OutOfWindowIcmps++;
      if (verdict === 'request-dropped') this.counters.ListenDrops++; // Linux tcp_req_err → tcp_listendrop
    } catch (err) {
      this.fault(entry, err);
      return true;
    }
    this.after(entry);
    return true;
  }

  /** RFC 9293 §3.10.7.2: segment arrives in LISTEN. */
  private listenInput(listener: Listener, iface: Iface, localAddr: Uint8Array, localPort: number, remoteAddr: Uint8Array, remotePort: number, seg: Segment, reopenIss: number | undefined): void {
    if (seg.flags & RST) return; // first: an incoming RST is ignored
    const now = this.clock.now();
    if (seg.flags & ACK) {
      // The third segment of a handshake answered with a SYN cookie (RFC 4987 §3.6)?
      // As Linux (tcp_synq_no_recent_overflow), only after a recent SYN-queue overflow: a cookie is
      // valid for 2 minutes; before an overflow, or long after, no cookie can be outstanding.
      const recentOverflow = listener.lastSynOverflow !== undefined && now - listener.lastSynOverflow <= COOKIE_CANDIDATE_MS;
      // Any ACK but a SYN (RST returned above) may carry the cookie: as Linux (cookie_v4_check refuses only RST), a
      // FIN or data at ISN+1 completes the handshake when the bare third segment was lost or overtaken.
      if (this.synCookies && recentOverflow && !(seg.flags & SYN)) {
        const mssIndex = checkCookie(this.cookieKey, { localAddr, localPort, remoteAddr, remotePort }, (seg.seq - 1) >>> 0, (seg.ack - 1) >>> 0, now);
        if (mssIndex !== undefined && listener.acceptQueue.length >= listener.backlog) {
          this.counters.ListenOverflows++; // as Linux (tcp_abort_on_overflow=0): drop the ACK, the client will retry
          this.counters.ListenDrops++; // Linux tcp_v4_syn_recv_sock: exit_overflow, then exit (tcp_listendrop)
          return;
        }
        if (mssIndex !== undefined) {
          this.counters.SyncookiesRecv++;
          this.acceptCookie(listener, iface, localAddr, localPort, remoteAddr, remotePort, seg, COOKIE_MSS_TABLE[mssIndex]!);
          return;
        }
        this.counters.SyncookiesFailed++;
      }
      this.sendReset(iface, localAddr, localPort, remoteAddr, remotePort, seg); // second: <SEQ=SEG.ACK><CTL=RST>
      return;
    }
    if (!(seg.flags & SYN)) return; // anything else: drop
    const admission = this.synAdmission(listener);
    if (admission === 'accept-queue-full') {
      // Accept queue full: the application is not keeping up; drop the SYN (as Linux), the peer retries.
      this.counters.ListenDrops++;
      this.counters.ListenOverflows++;
      this.trace({ type: 'drop', t: now, stack: this.name, reason: 'listen-overflow' });
      return;
    }
    if (admission !== 'queue') {
      // As Linux (tcp_syn_flood_action, tcp_conn_request): a SYN answered with a cookie is not a ListenDrop.
      if (admission === 'drop') {
        this.counters.TCPReqQFullDrop++;
        this.counters.ListenDrops++;
        this.trace({ type: 'drop', t: now, stack: this.name, reason: 'listen-overflow' });
        return;
      }
      // SYN queue full (a flood?): answer statelessly with a cookie (R4).
      this.counters.TCPReqQFullDoCookies++;
      this.counters.SyncookiesSent++;
      listener.lastSynOverflow = now;
      const cookie = makeCookie(this.cookieKey, { localAddr, localPort, remoteAddr, remotePort }, seg.seq, now, cookieMssIndex(seg.options.mss));
      const cfg = this.connConfig(iface, listener.tcp);
      this.transmit(iface, localAddr, localPort, remoteAddr, remotePort, {
        seq: cookie,
        ack: (seg.seq + 1) >>> 0,
        flags: SYN | ACK,
        window: Math.min(cfg.recvBufferSize ?? 65535, 0xffff),
        options: { mss: cfg.mss },
        payload: new Uint8Array(0),
      });
      return;
    }
    const iss = reopenIss ?? initialSequenceNumber(this.isnKey, localAddr, localPort, remoteAddr, remotePort, now);
    const cfg = this.tcbConfig(iface, listener.tcp, localAddr, localPort, remoteAddr, remotePort);
    const entry = this.createEntry(iface, localAddr, localPort, remoteAddr, remotePort, listener, cfg, iss, now, seg);
    if (entry.conn.state === 'SYN_RCVD') {
      entry.synQueued = true;
      listener.synQueued++;
    }
  }

  /**
   * What a listener does with a SYN now: queue it (SYN_RCVD), answer with a
   * cookie (its SYN queue is full), or drop it (its accept queue is full, or
   * the SYN queue is and cookies are off).
   */
  private synAdmission(listener: Listener): 'queue' | 'cookie' | 'drop' | 'accept-queue-full' {
    if (listener.acceptQueue.length >= listener.backlog) return 'accept-queue-full';
    if (listener.synQueued >= listener.backlog) return this.synCookies ? 'cookie' : 'drop';
    return 'queue';
  }

  /**
   * Rebuild a connection from a valid cookie ACK: replay the handshake the
   * cookie stands for (a SYN with the encoded MSS, our SYN-ACK with ISS =
   * cookie, which was already sent) and feed it the ACK. Options other than
   * the MSS were not remembered, so they are off.
   */
  private acceptCookie(listener: Listener, iface: Iface, localAddr: Uint8Array, localPort: number, remoteAddr: Uint8Array, remotePort: number, ack: Segment, mss: number): void {
    const now = this.clock.now();
    const syn: Segment = { seq: (ack.seq - 1) >>> 0, ack: 0, flags: SYN, window: ack.window, options: { mss }, payload: new Uint8Array(0) };
    const cfg = { ...this.connConfig(iface, listener.tcp), windowScaling: false, sack: false, timestamps: false };
    let replaying = true;
    const quiet = (sink: ConnectionSink): ConnectionSink => ({ transmit: (s) => (replaying ? undefined : sink.transmit(s)), event: (ev) => sink.event(ev) });
    const entry = this.createEntry(iface, localAddr, localPort, remoteAddr, remotePort, listener, cfg, (ack.ack - 1) >>> 0, now, syn, quiet);
    replaying = false;
    entry.conn.onSegment(ack, now);
    this.after(entry);
  }

  private sendReset(iface: Iface, localAddr: Uint8Array, localPort: number, remoteAddr: Uint8Array, remotePort: number, seg: Segment): void {
    const rst = resetFor(seg);
    if (!rst) return;
    this.transmit(iface, localAddr, localPort, remoteAddr, remotePort, rst);
  }

  // ───────────────────────────── connections ─────────────────────────────

  /**
   * A connection's record and its TCB, opened actively (no `syn`) or from the SYN a listener took (no
   * closure per connection). `wrap` puts a sink between the TCB and the record (a SYN-cookie replay's, which
   * keeps the replayed handshake off the wire).
   */
  private createEntry(
    iface: Iface,
    localAddr: Uint8Array,
    localPort: number,
    remoteAddr: Uint8Array,
    remotePort: number,
    listener: Listener | undefined,
    cfg: Partial<TcpConfig>,
    iss: number,
    now: number,
    syn: Segment | undefined,
    wrap?: (sink: ConnectionSink) => ConnectionSink,
  ): Entry {
    // Addresses from a packet are views of it: keep the interface's own array, and the peer's shared one,
    // so a connection does not pin the packet that opened it.
    if (localAddr !== iface.address && equalBytes(localAddr, iface.address)) localAddr = iface.address;
    remoteAddr = this.remoteAddrs.take(remoteAddr);
    const entry = new Entry(this.nextId++, iface, localAddr, remoteAddr, localPort, remotePort, listener, syn === undefined);
    this.conns.set(iface.index, localPort, remoteAddr, remotePort, entry);
    // The entry must exist before the Connection's first output, which happens as it is opened.
    try {
      const sink = wrap ? wrap(entry) : entry;
      entry.conn = syn === undefined ? Connection.connect(cfg, iss, sink, now) : Connection.accept(syn, cfg, iss, sink, now);
    } catch (err) {
      if (this.conns.delete(iface.index, localPort, remoteAddr, remotePort, entry)) this.remoteAddrs.release(remoteAddr);
      throw err;
    }
    this.after(entry);
    return entry;
  }

  /**
   * @internal A connection's code threw (R10): count it, tell its application (ECONNABORTED), abort it
   * (RST to the peer where it has a synchronized TCB) and forget it. If even the abort throws, the entry
   * is dropped without a word to the peer. The rest of the stack is untouched.
   */
  fault(entry: Entry, _err: unknown): void {
    this.counters.PacketExceptions++;
    this.trace({ type: 'drop', t: this.clock.now(), stack: this.name, reason: 'exception' });
    (entry.pending ??= this.eventQueues.take()).push({ type: 'error', code: 'ECONNABORTED', message: 'connection aborted after an internal error' });
    let aborted = true;
    try {
      entry.conn.abort(this.clock.now());
    } catch {
      aborted = false;
    }
    try {
      this.after(entry);
    } catch {
      aborted = false;
    }
    if (!aborted || entry.conn.state !== 'CLOSED') {
      this.forget(entry);
      leaveSynQueue(entry);
      entry.dispatch('close');
    }
  }

  /**
   * Count the entry among orphans and TIME_WAIT entries as its state says, and
   * enforce the limits (R9). Past tcp_max_orphans a new orphan is reset, as
   * Linux's tcp_close does (TCPAbortOnMemory); past tcp_max_tw_buckets a
   * connection entering TIME_WAIT is closed at once (TCPTimeWaitOverflow, as
   * Linux's tcp_time_wait when no timewait sock can be had). True when it aborted the connection.
   */
  private overLimit(entry: Entry): boolean {
    const conn = entry.conn;
    const state = conn.state;
    const orphan = conn instanceof Connection && conn.orphaned && state !== 'CLOSED' && state !== 'TIME_WAIT';
    if (orphan !== entry.orphan) {
      if (orphan && this.orphans >= this.limits.maxOrphans) {
        this.counters.TCPAbortOnMemory++;
        conn.abort(this.clock.now());
        return true;
      }
      entry.orphan = orphan;
      this.orphans += orphan ? 1 : -1;
    }
    const timeWait = state === 'TIME_WAIT';
    if (timeWait !== entry.timeWait) {
      if (timeWait && this.timeWaits + this.timeWait.size >= this.limits.maxTimeWait) {
        this.counters.TCPTimeWaitOverflow++;
        conn.abort(this.clock.now()); // no RST from TIME_WAIT: the connection is simply gone
        return true;
      }
      entry.timeWait = timeWait;
      this.timeWaits += timeWait ? 1 : -1;
    }
    return false;
  }

  /** Drop a closed entry: its timer, its demux slot, its place in the limits' counts. */
  private forget(entry: Entry): void {
    this.wheel.cancel(entry);
    if (this.conns.delete(entry.iface.index, entry.localPort, entry.remoteAddr, entry.remotePort, entry)) this.remoteAddrs.release(entry.remoteAddr);
    if (entry.orphan) this.orphans--;
    if (entry.timeWait) this.timeWaits--;
    entry.orphan = entry.timeWait = false;
  }

  /** @internal A connection counted a MIB event. */
  countConn(counter: ConnCounter, n?: number): void {
    countConnEvent(this.counters, counter, n);
  }

  /** @internal Called synchronously by a Connection. State changes are traced at once; the rest waits for `after`. */
  onConnEvent(entry: Entry, ev: ConnEvent): void {
    if (ev.type === 'state') {
      countTransition(this.counters, ev.from, ev.to);
      if (this.hasTrace()) this.trace({ type: 'state', t: this.clock.now(), stack: this.name, id: entry.id, local: hostPort(formatAddress(entry.localAddr), entry.localPort), remote: hostPort(formatAddress(entry.remoteAddr), entry.remotePort), from: ev.from, to: ev.to });
    } else if (ev.type === 'error' && this.hasTrace()) {
      this.trace({ type: 'error', t: this.clock.now(), stack: this.name, id: entry.id, local: hostPort(formatAddress(entry.localAddr), entry.localPort), remote: hostPort(formatAddress(entry.remoteAddr), entry.remotePort), code: ev.code });
    }
    (entry.pending ??= this.eventQueues.take()).push(ev);
  }

  /** @internal After every call into a connection: deliver its events to the application, rearm its timer, forget it once CLOSED. */
  after(entry: Entry): void {
    // Called back from a handler while this entry's events are being delivered: the outer call delivers the
    // events this call added, then does the rest (TIME_WAIT swap, forget, timer) once, after the last event.
    if (entry.dispatching) return;
    const pending = entry.pending;
    if (pending) {
      // Handlers may call back into the connection (and so into `after`) and add events: those join this
      // queue and are delivered here, in order, once the handler has returned — never from inside its call.
      // Else a read() in a 'readable' handler would deliver the 'end' queued behind it before returning its
      // chunk, and the handler would see 'end' before counting the last bytes (Node delivers events later too).
      entry.dispatching = true;
      try {
        for (let ev = pending.shift(); ev !== undefined; ev = pending.shift()) this.deliver(entry, ev);
      } finally {
        entry.dispatching = false;
      }
      if (entry.pending === pending && pending.empty) {
        entry.pending = null;
        this.eventQueues.give(pending);
      }
    }
    if (this.overLimit(entry)) {
      this.after(entry);
      return;
    }
    if (entry.conn.state === 'TIME_WAIT' && entry.conn instanceof Connection && entry.conn.readableBytes === 0) {
      // Like Linux's timewait sockets: keep a few numbers, not the whole TCB with its queues
      // (once the application has read what arrived; until then the full TCB holds it).
      const tw = entry.conn.detachTimeWait(entry);
      if (tw && this.toTimeWaitTable(entry, tw)) return;
      if (tw) {
        entry.conn = tw;
      }
    }
    if (entry.conn.state === 'CLOSED') {
      this.forget(entry);
      return;
    }
    // One wheel timer per connection, at the Connection's earliest deadline (O(1) to move).
    const deadline = entry.conn.nextDeadline;
    if (deadline === undefined) this.wheel.cancel(entry);
    else if (!entry.armed || entry.due !== Math.ceil(deadline)) this.wheel.arm(entry, deadline);
  }

  /**
   * The connection is in TIME_WAIT with nothing left to read: keep a row of the
   * TIME_WAIT table and drop the Entry and the TCB (as Linux swaps a socket for a
   * timewait sock). The socket handle reads the row from now on. False when the
   * row cannot be had (then the entry keeps the compact record).
   */
  private toTimeWaitTable(entry: Entry, tw: TimeWait): boolean {
    if (!equalBytes(entry.localAddr, entry.iface.address)) return false; // rows keep the interface's address only
    const row = this.timeWait.add(entry.iface.index, entry.localPort, entry.remoteAddr, entry.remotePort, entry.id, tw);
    if (row < 0) return false;
    this.forget(entry);
    const s: TcpSocket = entry;
    const handle = new TimeWaitHandle(this.timeWait, this, row, entry.id);
    s.retarget(handle);
    // Only a socket someone listens to (or an owner holds) is kept for the events at the end of TIME_WAIT; others cost nothing.
    if (s.watched) this.timeWaitSockets.set(row, s);
    this.armTimeWaitTimer();
    return true;
  }

  /** @internal the row's socket has no 'state' or 'close' listener left: nothing to tell it at the row's end. */
  releaseTimeWaitSocket(row: number): void {
    this.timeWaitSockets.delete(row);
  }

  /** @internal TIME_WAIT → CLOSED for a row (2MSL over, an abort, or a reopening SYN): trace, count, tell its socket, free the row. */
  endTimeWait(row: number): void {
    const socket = this.timeWaitSockets.get(row);
    if (socket) this.timeWaitSockets.delete(row);
    countTransition(this.counters, 'TIME_WAIT', 'CLOSED');
    if (this.hasTrace()) {
      const iface = this.ifaces[this.timeWait.iface(row)]!;
      const local = hostPort(iface.addressText, this.timeWait.localPort(row));
      const remote = hostPort(formatAddress(this.timeWait.remoteAddress(row)), this.timeWait.remotePort(row));
      this.trace({ type: 'state', t: this.clock.now(), stack: this.name, id: this.timeWait.id(row), local, remote, from: 'TIME_WAIT', to: 'CLOSED' });
    }
    this.timeWait.delete(row);
    this.armTimeWaitTimer();
    if (socket) {
      socket.dispatch('state', 'TIME_WAIT', 'CLOSED');
      socket.dispatch('close');
    }
  }

  /** @internal A connection's remote address as text, formatted once per address the stack shares among its connections. */
  addressText(addr: Uint8Array): string {
    return this.remoteAddrs.text(addr);
  }

  /** @internal The stack's clock (TimeWaitOwner). */
  now(): number {
    return this.clock.now();
  }

  private expireTimeWaits(): void {
    const now = this.clock.now();
    for (let r = this.timeWait.expired(now); r >= 0; r = this.timeWait.expired(now)) this.endTimeWait(r);
    this.armTimeWaitTimer();
  }

  /** One wheel timer for the whole table, at its earliest 2MSL deadline. */
  private armTimeWaitTimer(): void {
    const at = this.timeWait.nextExpiry;
    if (at === undefined) this.wheel.cancel(this.timeWaitTimer);
    else if (!this.timeWaitTimer.armed || this.timeWaitTimer.due !== Math.ceil(at)) this.wheel.arm(this.timeWaitTimer, at);
  }

  /** Is the 4-tuple taken, by a connection or a TIME_WAIT row? */
  private tupleInUse(iface: number, localPort: number, remote: Uint8Array, remotePort: number): boolean {
    return this.conns.has(iface, localPort, remote, remotePort) || this.timeWait.find(iface, localPort, remote, remotePort) >= 0;
  }

  private deliver(entry: Entry, ev: ConnEvent): void {
    const s = entry; // its TCB exists: events raised while the Connection is built wait in `pending` until then
    switch (ev.type) {
      case 'state':
        s.dispatch('state', ev.from, ev.to);
        if (ev.to === 'ESTABLISHED' || (ev.from === 'SYN_RCVD' && ev.to === 'CLOSE_WAIT')) {
          if (entry.listener) {
            const l = entry.listener;
            leaveSynQueue(entry);
            entry.listener = undefined;
            if (!l.closed) l.deliver(s);
          } else if (entry.active) {
            s.dispatch('connect');
          }
        }
        if (ev.to === 'CLOSED' || ev.to === 'LISTEN') leaveSynQueue(entry);
        return;
      case 'readable':
        s.dispatch('readable');
        return;
      case 'eof':
        s.dispatch('end');
        return;
      case 'writable':
        s.dispatch('writable');
        return;
      case 'error':
        s.dispatch('error', new TcpError(ev.code, ev.message));
        return;
      case 'closed':
        s.dispatch('close');
        return;
    }
  }

  // ───────────────────────────── send path ─────────────────────────────

  /** @internal A segment that belongs to no connection's record (a RST, a TIME_WAIT row's ACK, a SYN cookie): a template of its own. */
  transmit(iface: Iface, localAddr: Uint8Array, localPort: number, remoteAddr: Uint8Array, remotePort: number, seg: OutSegment): void {
    this.transmitWith(iface, new TcpTemplate(localAddr, remoteAddr, localPort, remotePort), seg);
  }

  /**
   * @internal Put `seg` on the wire from its 4-tuple's template, built in the reusable transmit buffer:
   * the link copies it before `send` returns (Link contract), so nothing is allocated per packet.
   */
  transmitWith(iface: Iface, tpl: TcpTemplate, seg: OutSegment): void {
    this.counters.OutSegs++;
    if (seg.rtx) this.counters.RetransSegs++;
    if (seg.flags & RST) this.counters.OutRsts++;
    const remoteAddr = tpl.dst;
    // To one of our own addresses: loop back inside the stack (later, never re-entrantly).
    const self = remoteAddr.length === tpl.src.length ? this.ownIface(remoteAddr) : undefined;
    // A link with offloads completes the TCP checksum (and cuts TSO super-segments): leave it the pseudo-header sum.
    const csumPartial = self === undefined && iface.link.offload !== undefined;
    const id = (this.ipId = (this.ipId + 1) & 0xffff);
    // A link that calls back into this stack from send() (and so sends again) finds the buffer still holding the outer packet: build elsewhere.
    let buf = this.sending ? new PacketBuffer(new Uint8Array(0), true) : self === undefined ? iface.tx : this.txBuf;
    let length = writePacket(tpl, buf, seg, id, csumPartial);
    if (length === 0) length = writePacket(tpl, (buf = this.txBuf), seg, id, csumPartial); // the link's lent buffer is too small
    if (this.hasTrace()) {
      this.trace({ type: 'segment', t: this.clock.now(), stack: this.name, dir: 'out', local: hostPort(formatAddress(tpl.src), tpl.srcPort), remote: hostPort(formatAddress(remoteAddr), tpl.dstPort), flags: flagsToString(seg.flags), seq: seg.seq, ack: seg.ack, len: seg.payload.length, window: seg.window, rtx: seg.rtx === true });
    }
    const packet = buf.view(length);
    if (self) return this.loopback(self, packet);
    const outer = this.sending;
    this.sending = true;
    try {
      if (csumPartial) iface.link.send(packet, seg.segmentSize ?? 0, true);
      else iface.link.send(packet);
    } finally {
      this.sending = outer;
    }
  }

  /** Deliver a packet to one of our own interfaces, later (never re-entrantly), as its own copy. Apart from transmitWith, whose variables a closure would otherwise put in a context allocated on every call. */
  private loopback(iface: Iface, packet: Uint8Array, flags = 0): void {
    const own = packet.slice();
    this.clock.schedule(this.clock.now(), () => this.onPacket(iface, own, flags | RX_OWNED));
  }

  // ───────────────────────────── helpers ─────────────────────────────

  private connConfig(iface: Iface, overrides: Partial<TcpConfig> | undefined): Partial<TcpConfig> {
    const v6 = iface.address.length === 16;
    const linkMss = iface.link.mtu - (v6 ? 60 : 40);
    const base: Partial<TcpConfig> = { defaultPeerMss: v6 ? 1220 : 536, ...this.tcpDefaults, ...overrides };
    // A TSO link takes segments up to its limit, less the largest IP + TCP headers (tsoMax stays 0 without TSO).
    const tso = iface.link.offload;
    const tsoMax = tso === undefined ? 0 : tso.tsoMaxBytes - (v6 ? 40 : 20) - 60;
    return { ...base, mss: Math.min(base.mss ?? linkMss, linkMss), tsoMax: base.tsoMax ?? tsoMax };
  }

  /**
   * A new TCB's configuration: the interface's and the listener's (or connect's) settings, resolved once
   * and shared by every connection that uses them, under a few fields of its own (tcp/config.ts
   * connectionConfig). RFC 7323 §5.4: a TSval offset per connection (keyed hash of the 4-tuple), unless
   * the configuration fixes one.
   */
  private tcbConfig(iface: Iface, overrides: Partial<TcpConfig> | undefined, localAddr: Uint8Array, localPort: number, remoteAddr: Uint8Array, remotePort: number): TcpConfig {
    const mtu = iface.link.mtu;
    let perIface = overrides ? this.sharedConfigs.get(overrides) : this.defaultConfigs;
    if (!perIface) this.sharedConfigs.set(overrides!, (perIface = []));
    let shared = perIface[iface.index];
    if (!shared || shared.mtu !== mtu) perIface[iface.index] = shared = { mtu, cfg: sharedConfig(this.connConfig(iface, overrides)), fixedTs: (overrides?.tsOffset ?? this.tcpDefaults.tsOffset) !== undefined };
    const tsOffset = shared.fixedTs ? shared.cfg.tsOffset : timestampOffset(this.isnKey, localAddr, localPort, remoteAddr, remotePort);
    return connectionConfig(shared.cfg, tsOffset);
  }

  /** The interface whose address `addr` is (a plain loop: it runs for every packet sent, so no closure). */
  private ownIface(addr: Uint8Array): Iface | undefined {
    const ifaces = this.ifaces;
    for (let k = 0; k < ifaces.length; k++) if (equalBytes(ifaces[k]!.address, addr)) return ifaces[k];
    return undefined;
  }

  private route(remote: Uint8Array, localAddress: string | undefined): Iface {
    if (localAddress !== undefined) {
      const text = this.normalizeLocal(localAddress);
      const hit = this.ifaces.find((i) => i.addressText === text);
      if (!hit) throw new TcpError('EADDRNOTAVAIL', `${localAddress} is not an address of this stack`);
      return hit;
    }
    const own = this.ownIface(remote);
    if (own) return own; // loopback to ourselves
    // The first interface of the family whose prefix holds the address, else the family's first (a loop: it runs per connect).
    let first: Iface | undefined;
    for (const i of this.ifaces) {
      if (i.address.length !== remote.length) continue;
      if (prefixMatch(i.address, remote, i.prefix)) return i;
      first ??= i;
    }
    if (!first) throw new TcpError('ENETUNREACH', `no interface can reach ${formatAddress(remote)}`);
    return first;
  }

  private normalizeLocal(host: string): string {
    const a = parseAddress(host);
    if (!a) throw new TypeError(`invalid IP address "${host}"`);
    const text = formatAddress(a);
    if (!this.ifaces.some((i) => i.addressText === text)) throw new TcpError('EADDRNOTAVAIL', `${host} is not an address of this stack`);
    return text;
  }

  /** Is anyone listening on `port`, on any address? */
  private portListened(port: number): boolean {
    return this.listenedPorts.has(port);
  }

  private findListener(localText: string, port: number): Listener | undefined {
    const onPort = this.listenedPorts.get(port);
    if (onPort === undefined) return undefined;
    // The listener on this very address, else the one on every address (as the keyed lookups did).
    let any: Listener | undefined;
    for (let i = 0; i < onPort.length; i++) {
      const l = onPort[i]!;
      if (l.host === localText) return l;
      if (l.host === undefined) any = l;
    }
    return any;
  }

  private unlisten(l: Listener): void {
    const key = listenerKey(l.host, l.port);
    if (this.listeners.get(key) === l) {
      this.listeners.delete(key);
      const onPort = this.listenedPorts.get(l.port)!;
      onPort.splice(onPort.indexOf(l), 1);
      if (onPort.length === 0) this.listenedPorts.delete(l.port);
    }
    this.trace({ type: 'state', t: this.clock.now(), stack: this.name, id: l.id, local: hostPort(l.host ?? '*', l.port), remote: '*:*', from: 'LISTEN', to: 'CLOSED' });
    // The half-open children are found by their records (the listener keeps only their count): closing a listener is rare.
    const halfOpen: TcpSocket[] = [];
    for (const e of this.conns.values()) if (e.listener === l && e.synQueued) halfOpen.push(e);
    for (const s of [...halfOpen, ...l.acceptQueue]) s.abort();
    l.synQueued = 0;
    l.acceptQueue.length = 0;
  }

  private hasTrace(): boolean {
    return this.listenerCount('trace') > 0;
  }

  private trace(ev: StackTraceEvent): void {
    if (this.hasTrace()) this.emit('trace', ev);
  }
}

/** The entry leaves its listener's SYN queue (established, closed, or back to LISTEN), if it was counted there. */
function leaveSynQueue(entry: Entry): void {
  if (!entry.synQueued) return;
  entry.synQueued = false;
  if (entry.listener) entry.listener.synQueued--;
}

function listenerKey(host: string | undefined, port: number): string {
  return `${host ?? '*'}|${port}`;
}

/** "10.0.0.1:80", "[fd00::1]:80" — as ss prints them. */
export function hostPort(addr: string, port: number | string): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

function checkPort(port: number, allowZero: boolean): void {
  if (!Number.isInteger(port) || port < (allowZero ? 0 : 1) || port > 65535) {
    throw new RangeError(`port must be an integer in ${allowZero ? 0 : 1}..65535, got ${String(port)}`);
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function prefixMatch(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  if (a.length !== b.length) return false;
  for (let bit = 0; bit < prefix; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((a[byte]! & mask) !== (b[byte]! & mask)) return false;
  }
  return true;
}

function randomSeed(): number {
  const a = new Uint32Array(1);
  globalThis.crypto.getRandomValues(a);
  return a[0]!;
}

/** Write `seg` from `tpl` into `buf`: a Sender's reused record by its payload's place in the send ring (no view per segment), any other segment by its payload. */
function writePacket(tpl: TcpTemplate, buf: PacketBuffer, seg: OutSegment, id: number, csumPartial: boolean): number {
  if (seg instanceof OutRecord) return tpl.writeFrom(buf, seg, id, csumPartial, seg.payloadBytes, seg.payloadAt, seg.payloadLength);
  return tpl.write(buf, seg, id, csumPartial);
}
