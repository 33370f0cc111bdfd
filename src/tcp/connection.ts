import { ACK, CWR, ECE, FIN, RST, SYN } from '../wire/flags.js';
import { allowChallengeAck } from './acceptability.js';
import { resolveConfig, tcpConfigBase, type TcpConfig } from './config.js';
import type { CongestionControl } from './congestion.js';
import type { Ecn } from './ecn.js';
import { EOF, type ConnEvent, type ConnectionSink, type TcpErrorCode } from './events.js';
import { initialRcvScale, negotiate, synSegment, synSentAckAcceptable, syncMss, takeSyn, takeSynWindow } from './handshake.js';
import { icmpAction, icmpErrno, type IcmpNotice, type IcmpVerdict } from './icmp-error.js';
import { connectionInfo, type ConnectionInfo } from './info.js';
import { PathMtu } from './pmtu.js';
import { Receiver, TEXT_ABORT, TEXT_FIN } from './receiver.js';
import type { Recovery } from './recovery.js';
import type { RetransmissionTimeout } from './rto.js';
import { resetFor } from './rst.js';
import { EMPTY, type Segment } from './segment.js';
import { Sender } from './sender.js';
import { SeldomState } from './seldom-state.js';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from './seq.js';
import { TCP_STATES, type TcpState } from './state.js';
import { TcpVars } from './tcp-vars.js';
import { TimeWait, type TimeWaitSnapshot } from './time-wait.js';
import { Timers } from './timers.js';
import { withBit } from './bits.js';

export type { CaState, ConnectionInfo, TimerName } from './info.js';

/** RFC 7323 §5.5: TS.Recent is invalid after 24 days of idleness. */
const PAWS_IDLE_MS = 24 * 24 * 3600 * 1000;
/** Connection.flags. */
const PEER_FIN = 1;
const APP_CLOSED = 2;
const SYN_TIMED_OUT = 4;
const PASSIVE = 8;
/** Connection.flags from this bit up: the state, as its index in TCP_STATES (state.ts). */
const STATE_SHIFT = 4;
const FLAG_BITS = (1 << STATE_SHIFT) - 1;
/** Least time between SYN-ACKs answering retransmitted SYNs (Linux tcp_invalid_ratelimit, 500 ms). */
const SYNACK_ANSWER_INTERVAL_MS = 500;

/**
 * One TCP connection (a TCB) as a sans-IO state machine: RFC 9293 §3.10
 * event processing, with RFC 5961 (blind attacks), RFC 6298 (RTO),
 * RFC 7323 (window scale, timestamps, PAWS), RFC 1337 (TIME_WAIT),
 * RFC 5681/6582/6675 loss recovery, RFC 9438 CUBIC, and Linux's choices
 * where Linux differs (RST on close with unread data, FIN_WAIT_2 timeout,
 * abort on data after close, keepalive probes at SND.UNA − 1).
 *
 * Inputs: `onSegment`, the user calls, `onTimer`; every one takes `now` in ms.
 * Outputs go to the sink: segments to transmit and events. `nextDeadline`
 * says when `onTimer` must be called next.
 */
export class Connection {
  /** The sequence variables and negotiated options, shared with the pieces (tcp-vars.ts); the sender holds it. */
  private get v(): TcpVars {
    return this.snd.v;
  }
  /** The deadlines (timers.ts), kept in the shared record. */
  private get timers(): Timers {
    return this.v;
  }

  /** The receiving half: RCV.NXT, the queues, ACK policy, the window we advertise (receiver.ts); the sender holds it. */
  private get rcv(): Receiver {
    return this.snd.rcv;
  }
  /** The sending half: SND.UNA/NXT/MAX, the send buffer, segmentation, Nagle, persist, the wire (sender.ts). */
  private readonly snd: Sender;

  /** peerFin, appClosed, synTimedOut, passive and the state: bits of one small integer (one field, not five). */
  private flags = 0;
  /** The state (RFC 9293 §3.3.2), kept in `flags` as its index in TCP_STATES: 0, CLOSED, to begin with. */
  get state(): TcpState {
    return TCP_STATES[this.flags >> STATE_SHIFT]!;
  }
  private set state(to: TcpState) {
    this.flags = (this.flags & FLAG_BITS) | (TCP_STATES.indexOf(to) << STATE_SHIFT);
  }
  /** The peer's FIN was received in order. */
  private get peerFin(): boolean {
    return (this.flags & PEER_FIN) !== 0;
  }
  private set peerFin(on: boolean) {
    this.flags = withBit(this.flags, PEER_FIN, on);
  }
  /** close(): the application is gone (an orphan, in Linux terms). */
  private get appClosed(): boolean {
    return (this.flags & APP_CLOSED) !== 0;
  }
  private set appClosed(on: boolean) {
    this.flags = withBit(this.flags, APP_CLOSED, on);
  }
  /** Keepalive probes, the challenge-ACK limit, an ICMP soft error, TIME_WAIT's record...: made on first need (seldom-state.ts). */
  private seldomMade: SeldomState | undefined = undefined;
  private get seldom(): SeldomState {
    return (this.seldomMade ??= new SeldomState());
  }
  /** An ICMP soft error, reported instead of ETIMEDOUT (Linux sk_err_soft). */
  private get softError(): TcpErrorCode | undefined {
    return this.seldomMade?.softError;
  }
  /** The compact record that does TIME_WAIT's work once this TCB is there (tcp/time-wait.ts). */
  private get tw(): TimeWait | undefined {
    return this.seldomMade?.tw;
  }
  private set tw(tw: TimeWait | undefined) {
    if (tw !== undefined || this.seldomMade !== undefined) this.seldom.tw = tw;
  }
  /** Our SYN or SYN-ACK was retransmitted on timeout (RFC 6298 §5.7). */
  private get synTimedOut(): boolean {
    return (this.flags & SYN_TIMED_OUT) !== 0;
  }
  private set synTimedOut(on: boolean) {
    this.flags = withBit(this.flags, SYN_TIMED_OUT, on);
  }
  /** Keepalive probes sent and unanswered (RFC 1122 §4.2.3.6, as Linux). */
  private get keepProbes(): number {
    return this.seldomMade?.keepProbes ?? 0;
  }
  private set keepProbes(n: number) {
    if (n !== 0 || this.seldomMade !== undefined) this.seldom.keepProbes = n;
  }

  // Counters and times for info()
  private segsIn = 0;
  private lastRecv = 0; // a number from the start (set in the constructor): a double V8 updates in place, no heap number per segment
  /** True for connections created from a listener's SYN (RFC 9293: return to LISTEN on RST). */
  get passive(): boolean {
    return (this.flags & PASSIVE) !== 0;
  }

  private constructor(
    cfg: Partial<TcpConfig>,
    iss: number,
    sink: ConnectionSink,
    passive: boolean,
    now: number,
  ) {
    const resolved = resolveConfig(cfg);
    iss = (resolved.issOverride ?? iss) >>> 0; // issOverride: tests only (config.ts)
    const peerMss = resolved.defaultPeerMss;
    const pmtu = new PathMtu(resolved.mtuProbing, resolved.mss, now);
    // The TSval offset is this connection's own; the rest may be a configuration shared with others (config.ts).
    const v = new TcpVars(tcpConfigBase(resolved), sink, iss, peerMss, Math.min(resolved.mss, peerMss, pmtu.mss), now, resolved.tsOffset);
    if (passive) this.flags = PASSIVE;
    this.lastRecv = now;
    this.snd = new Sender(v, pmtu, new Receiver(v));
    this.v.rcvScale = initialRcvScale(this.cfg);
  }

  /** This connection's TSval offset (RFC 7323 §5.4), random per connection unless the configuration fixes one. */
  get tsOffset(): number {
    return this.v.tsOffset;
  }

  /** This connection's configuration (config.ts), in the shared record. */
  get cfg(): TcpConfig {
    return this.v.cfg;
  }
  /** Where segments, events and counters go (events.ts). */
  private get sink(): ConnectionSink {
    return this.v.sink;
  }

  /** Loss detection and recovery (recovery.ts), made when first needed (sender.ts). */
  private get rec(): Recovery {
    return this.snd.recovery();
  }

  /** RTT estimation and the RTO (RFC 6298; rto.ts), held by the sender. */
  get rtt(): RetransmissionTimeout {
    return this.snd.rtt;
  }

  /** The congestion controller (congestion.ts), made on first use (sender.ts). */
  get cc(): CongestionControl {
    return this.snd.cc;
  }

  /** Path MTU (pmtu.ts) and ECN (ecn.ts) state, held by the sender. */
  private get pmtu(): PathMtu {
    return this.snd.pmtu;
  }
  private get ecn(): Ecn {
    return this.snd.ecn;
  }

  /** The sequence variables the stack, tools and tests read (RFC 9293 §3.3.1; tcp-vars.ts). */
  get iss(): number {
    return this.v.iss;
  }
  get irs(): number {
    return this.v.irs;
  }
  get sndUna(): number {
    return this.v.sndUna;
  }
  get sndNxt(): number {
    return this.v.sndNxt;
  }
  /** Highest sequence number sent + 1 (BSD snd_max). */
  get sndMax(): number {
    return this.v.sndMax;
  }
  get sndWnd(): number {
    return this.v.sndWnd;
  }
  get rcvNxt(): number {
    return this.v.rcvNxt;
  }
  /** Largest payload per segment we send (MSS less fixed options). */
  get sndMss(): number {
    return this.v.sndMss;
  }

  /** Active open (RFC 9293 §3.10.1): CLOSED → SYN_SENT, SYN sent. */
  static connect(cfg: Partial<TcpConfig>, iss: number, sink: ConnectionSink, now: number): Connection {
    const c = new Connection(cfg, iss, sink, false, now);
    c.v.synSent();
    c.setState('SYN_SENT');
    c.sendSyn(false);
    c.snd.armRtx();
    return c;
  }

  /**
   * Passive open: a listener got an acceptable SYN (RFC 9293 §3.10.7.2).
   * LISTEN → SYN_RCVD, SYN-ACK sent with seq = ISS, ack = SEG.SEQ + 1.
   */
  static accept(syn: Segment, cfg: Partial<TcpConfig>, iss: number, sink: ConnectionSink, now: number): Connection {
    const c = new Connection(cfg, iss, sink, true, now);
    c.state = 'LISTEN';
    takeSyn(c.v, syn);
    c.segsIn++;
    negotiate(c.v, c.cfg, c.pmtu, c.snd.ccForMss, syn.options);
    c.snd.dropPlainPmtu();
    if (c.cfg.ecn !== 'off' && (syn.flags & (ECE | CWR)) === (ECE | CWR)) c.snd.ownEcn(); // it may turn ECN on
    c.ecn.onSyn(c.cfg.ecn, syn.flags, syn.ecn);
    c.snd.dropEcnIfOff();
    takeSynWindow(c.v, syn, c.v.iss);
    c.v.synSent();
    c.setState('SYN_RCVD');
    c.sendSyn(true);
    c.snd.armRtx();
    return c;
  }

  // ───────────────────────────── user calls ─────────────────────────────

  /** SEND (RFC 9293 §3.10.2): queue data; returns how many bytes were taken (0 when the buffer is full or sending is closed). */
  send(data: Uint8Array, now: number): number {
    this.v.now = now;
    if (this.snd.finQueued || this.state === 'CLOSED' || this.state === 'LISTEN') return 0;
    const n = this.snd.queue(data);
    if (n < data.length) this.snd.wantWritable = true;
    if (n > 0) this.snd.output();
    return n;
  }

  /** Bytes that `send` would take now. */
  get writableBytes(): number {
    return this.snd.finQueued ? 0 : this.snd.sendFree;
  }

  /**
   * RECEIVE (RFC 9293 §3.10.3): take up to `max` received in-order bytes. Reading opens the window. As
   * Linux (tcp_cleanup_rbuf), a window update goes at once only when the
   * window offered has fallen to half its maximum or less and reading at
   * least doubles it; any other growth rides on the next ACK. Either way the
   * right edge moves only in steps worth announcing (RFC 1122 §4.2.3.3).
   * `contiguous`: stop at a storage page's end rather than copy across it (fewer bytes, same stream).
   */
  read(now: number, max?: number, contiguous = false): Uint8Array | null {
    this.v.now = now;
    return this.rcv.read(max, this.canReceive(), this.snd, contiguous);
  }


  /** The receive buffer now, bytes: SO_RCVBUF when set, else as autotuning has grown it from tcp_rmem[1]. */
  get recvBufferSize(): number {
    return this.rcv.recvBufferSize;
  }

  /** The send buffer now, bytes: SO_SNDBUF when set, else as it has grown with cwnd from tcp_wmem[1]. */
  get sendBufferSize(): number {
    return this.snd.sendCapacity;
  }

  /**
   * SO_RCVBUF: fix the receive buffer at `bytes` and stop autotuning it (Linux SOCK_RCVBUF_LOCK). The
   * window scale was chosen on the SYN; the window offered never shrinks (RFC 9293 §3.8.6.2.2).
   */
  setRecvBufferSize(bytes: number): void {
    if (!(Number.isFinite(bytes) && bytes > 0)) throw new RangeError(`receive buffer size must be a positive number, got ${String(bytes)}`);
    this.rcv.fixBufferSize(Math.floor(bytes));
  }

  /** SO_SNDBUF: fix the send buffer at `bytes` and stop growing it with cwnd (Linux SOCK_SNDBUF_LOCK). */
  setSendBufferSize(bytes: number, now: number): void {
    if (!(Number.isFinite(bytes) && bytes > 0)) throw new RangeError(`send buffer size must be a positive number, got ${String(bytes)}`);
    this.v.now = now;
    const size = Math.floor(bytes);
    this.v.ownConfig().sendBufferSize = size;
    this.snd.sendCapacity = size;
    this.snd.notifyWritable();
  }

  /** Bytes received and not read yet (Recv-Q). */
  get readableBytes(): number {
    return this.rcv.recvQ.length;
  }

  /** Bytes of receive buffer storage held (in-order and out-of-order data), for memory accounting: at most receiveMemoryBound(recvBufferSize + window-scale rounding, pageLimit(recvBufferSize)) (receive-queue.ts). */
  get receiveMemory(): number {
    return this.rcv.recvQ.memory;
  }

  /** Bytes of send buffer storage held: none once everything sent has been acknowledged (send-buffer.ts). */
  get sendMemory(): number {
    return this.snd.sendBuf.memory;
  }

  /**
   * The parts this TCB holds beyond its core, each made on demand and let go when no longer needed (for
   * memory tests and tools): 'send-buffer', 'receive-queue', 'reassembly', 'dsack', 'rack', 'recovery',
   * 'congestion-control', 'path-mtu', 'ecn', 'autotune', 'seldom' (seldom-state.ts). An idle connection
   * that negotiated nothing special holds none of the buffers, nor RACK, reassembly or a D-SACK report.
   */
  get heldParts(): string[] {
    const parts = [...this.snd.heldParts, ...this.rcv.heldParts];
    if (this.seldomMade !== undefined) parts.push('seldom');
    return parts;
  }

  /** True once the peer's FIN has been received in order. */
  get eof(): boolean {
    return this.peerFin;
  }

  /** TCP_NODELAY: turn Nagle's algorithm off (true) or on (false). */
  setNoDelay(on: boolean, now: number): void {
    this.v.now = now;
    if (this.cfg.noDelay !== on) this.v.ownConfig().noDelay = on;
    if (on) this.snd.output();
  }

  /**
   * SO_KEEPALIVE, with an optional idle time (ms) before the first probe
   * (TCP_KEEPIDLE). As Linux, switching it on (re)starts the idle timer now.
   */
  setKeepAlive(on: boolean, idleMs: number | undefined, now: number): void {
    this.v.now = now;
    const idle = idleMs !== undefined && idleMs > 0 ? idleMs : this.cfg.keepIdle;
    if (this.cfg.keepAlive !== on || this.cfg.keepIdle !== idle) {
      const cfg = this.v.ownConfig(); // copy-on-write: only a setting that changes costs a copy
      cfg.keepAlive = on;
      cfg.keepIdle = idle;
    }
    this.keepProbes = 0;
    this.timers.keepAt = on && this.keepaliveState() ? now + this.cfg.keepIdle : undefined;
  }

  /** Half-close: a FIN follows the queued data (RFC 9293 §3.10.4 CLOSE, as shutdown(SHUT_WR)). */
  shutdown(now: number): void {
    this.v.now = now;
    if (this.snd.finQueued) return;
    switch (this.state) {
      case 'SYN_SENT':
      case 'SYN_RCVD':
        this.snd.finQueued = true; // sent once ESTABLISHED
        return;
      case 'ESTABLISHED':
        this.snd.finQueued = true;
        this.setState('FIN_WAIT_1');
        this.snd.output();
        return;
      case 'CLOSE_WAIT':
        this.snd.finQueued = true;
        this.setState('LAST_ACK');
        this.snd.output();
        return;
      default:
        return;
    }
  }

  /**
   * Full close by the application (close(2), Node's destroy()). With unread
   * data the connection is reset instead (RFC 2525 §2.17, Linux tcp_close).
   * Afterwards the connection lives on as an orphan until the close completes.
   */
  close(now: number): void {
    this.v.now = now;
    if (this.state === 'CLOSED') return;
    if (this.state === 'SYN_SENT') {
      this.terminate(undefined);
      return;
    }
    if (this.state === 'TIME_WAIT') {
      // Linux's socket is already CLOSE here (a timewait sock stands in): closing it, unread data or not,
      // leaves TIME_WAIT to run its 2MSL. A RST now would end TIME_WAIT early (issue 10 #6).
      this.appClosed = true;
      return;
    }
    if (this.rcv.holdsData) {
      this.appClosed = true;
      this.sink.count?.('TCPAbortOnClose');
      this.snd.sendReset();
      this.terminate(undefined);
      return;
    }
    this.appClosed = true;
    this.shutdown(now);
    if (this.state === 'FIN_WAIT_2') this.startFinWait2Timer();
  }

  /** Abort (RFC 9293 §3.10.5): RST to the peer where it has a synchronized TCB, then CLOSED. */
  abort(now: number, byUser = false): void {
    this.v.now = now;
    switch (this.state) {
      case 'SYN_RCVD':
      case 'ESTABLISHED':
      case 'FIN_WAIT_1':
      case 'FIN_WAIT_2':
      case 'CLOSE_WAIT':
        // The application's close with RST (SO_LINGER 0, Node's resetAndDestroy()): Linux's tcp_close counts
        // TCPAbortOnClose when unread data is tossed, else TCPAbortOnData (checked after the unread data).
        if (byUser) this.sink.count?.(this.rcv.holdsData ? 'TCPAbortOnClose' : 'TCPAbortOnData');
        this.snd.sendReset();
        break;
      default:
        break;
    }
    this.appClosed = true;
    if (this.state !== 'CLOSED') this.terminate(undefined);
  }

  // ─────────────────────────── segment arrival ───────────────────────────

  /**
   * SEGMENT ARRIVES (RFC 9293 §3.10.7): dispatched on the state. `seg`, its options and its payload are
   * valid only during this call (the stack refills one record per packet, segment.ts): keep copies, not them.
   */
  onSegment(seg: Segment, now: number): void {
    this.v.now = now;
    this.segsIn++;
    switch (this.state) {
      case 'CLOSED': // §3.10.7.1
      case 'LISTEN': // §3.10.7.2
        return; // the stack answers these (its listener and RST rules)
      case 'SYN_SENT':
        this.onSegmentSynSent(seg);
        return;
      case 'TIME_WAIT':
        this.tw?.onSegment(seg, now);
        return;
      default:
        // Any segment from the peer shows it is alive: the keepalive idle time restarts (as Linux).
        this.lastRecv = now;
        this.keepProbes = 0;
        this.onSegmentSynchronized(seg);
    }
  }

  /**
   * RFC 9293 §3.10.7.3 SYN-SENT: first the ACK bit, second RST, (third, security, not kept), fourth SYN:
   * ESTABLISHED on a SYN-ACK, SYN-RECEIVED on a SYN (simultaneous open, §3.5 figure 8). What the SYN
   * tells us and the options it allows are handshake.ts's.
   */
  private onSegmentSynSent(seg: Segment): void {
    const f = seg.flags;
    let ackOk = false;
    if (f & ACK) {
      // First: SEG.ACK =< ISS or SEG.ACK > SND.NXT is unacceptable → RST <SEQ=SEG.ACK> (O7).
      if (!synSentAckAcceptable(this.v, seg.ack)) {
        if (!(f & RST)) this.snd.transmit({ seq: seg.ack, ack: 0, flags: RST, window: 0, options: {}, payload: EMPTY });
        return;
      }
      ackOk = true;
    }
    if (f & RST) {
      // RFC 5961 §3.2 / RFC 9293: only a RST whose ACK acknowledges our SYN counts.
      if (ackOk) this.terminate('ECONNREFUSED');
      return;
    }
    if (!(f & SYN)) return;
    takeSyn(this.v, seg);
    // Our SYN offered its window before RCV.NXT existed (it was 0 then): anchor that offer at the real
    // RCV.NXT. Left where it was, the edge can lie 2^31 or more "behind" RCV.NXT, where seqMax never
    // moves it again and the window stays shut for ever (issue 10 #0, a peer ISS near 2^31).
    this.v.rcvAdvEdge = seqAdd(this.v.rcvNxt, Math.min(this.rcv.freeWindow(), 0xffff));
    this.lastRecv = this.v.now;
    negotiate(this.v, this.cfg, this.pmtu, this.snd.ccForMss, seg.options);
    this.snd.dropPlainPmtu();
    if (this.v.tsOk && seg.options.ts) this.v.setTsRecent(seg.options.ts.val);
    if (ackOk) {
      this.ecn.onSynAck(f);
      this.snd.dropEcnIfOff();
      this.snd.ackAdvance(seg);
      takeSynWindow(this.v, seg, seg.ack);
      this.setState('ESTABLISHED');
      this.snd.sendAck();
      this.afterEstablished();
      return;
    }
    // Simultaneous open (RFC 9293 §3.5 figure 8): SYN_SENT + SYN → SYN_RCVD, send SYN,ACK.
    this.ecn.onSimultaneousSyn(f);
    this.snd.dropEcnIfOff();
    takeSynWindow(this.v, seg, this.v.iss);
    this.setState('SYN_RCVD');
    this.timers.rtxCount = 0;
    this.sendSyn(true);
    this.snd.armRtx();
  }

  /**
   * RFC 9293 §3.10.7.4 for SYN_RCVD and the synchronized states other than TIME_WAIT (TIME_WAIT's rules
   * are time-wait.ts's), in the RFC's order: PAWS (RFC 7323 §5.3) before the first check (sequence
   * number, receiver.ts), second RST (RFC 5961 §3.2), fourth SYN (RFC 5961 §4), fifth ACK (SYN_RCVD →
   * ESTABLISHED here; SND.UNA, the window and loss recovery in sender.ts and recovery.ts), seventh the
   * text (receiver.ts), eighth FIN. Every state change happens here.
   */
  private onSegmentSynchronized(seg: Segment): void {
    const f = seg.flags;

    if (this.state === 'SYN_RCVD' && f & SYN && !(f & RST) && seg.seq === this.v.irs) {
      if (!(f & ACK)) {
        // The peer retransmitted its SYN: our SYN-ACK was lost. Answer it again (as Linux does),
        // echoing the new SYN's TSval so the peer does not time the first SYN's wait as an RTT.
        // Rate-limited as Linux's tcp_check_req does (tcp_oow_rate_limited): a flood of copies earns one answer per interval.
        const answeredAt = this.seldomMade?.synAckAnsweredAt;
        if (answeredAt !== undefined && this.v.now - answeredAt < SYNACK_ANSWER_INTERVAL_MS) return;
        this.seldom.synAckAnsweredAt = this.v.now;
        const ts = seg.options.ts;
        if (this.v.tsOk && ts !== undefined && seqGe(ts.val, this.v.tsRecent)) this.v.setTsRecent(ts.val);
        this.sendSyn(true, true);
        return;
      }
      if (seg.ack === this.v.sndNxt && !this.passive) {
        // Simultaneous open, step 6 of figure 8: the peer's SYN,ACK acknowledges our SYN.
        this.snd.ackAdvance(seg);
        this.snd.updateWindow(seg, true, true);
        this.setState('ESTABLISHED');
        this.afterEstablished();
        return;
      }
    }

    // PAWS (RFC 7323 §5.3 R1), before the sequence number check: an old TSval marks an old duplicate.
    const ts = seg.options.ts;
    if (this.v.tsOk && ts !== undefined && !(f & RST) && seqLt(ts.val, this.v.tsRecent) && this.v.now - this.v.tsRecentAge <= PAWS_IDLE_MS) {
      this.seldom.pawsDrops++;
      this.sink.count?.('PAWSEstab');
      if (seg.payload.length > 0 && !(f & SYN)) {
        if (seqLt(seg.seq, this.v.rcvNxt)) this.rcv.reportDuplicate(seg.seq, seqAdd(seg.seq, seg.payload.length)); // Linux tcp_send_dupack
        this.snd.sendAck();
      } else this.sendAckLimited();
      return;
    }

    // First: sequence number check.
    if (!this.rcv.acceptable(seg)) {
      // §3.10.7.4: unacceptable → <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. As Linux (tcp_oow_rate_limited),
      // data segments are answered every time (a retransmitting sender needs the ACK); the rest are rate-limited.
      if (!(f & RST)) {
        if (seg.payload.length > 0 && !(f & SYN)) {
          // A retransmission of data we already have (our ACK was lost): as Linux (which accepts a segment
          // ending at the last ACK sent), take its TSval per RFC 7323 §4.3 so the ACK echoes the retransmission,
          // not the original, and the sender does not measure its RTO wait as an RTT.
          // The segment must end at the last ACK sent (Linux tcp_sequence: !before(end_seq, rcv_wup)): a spoofed old
          // segment from anywhere in the 2^31 below RCV.NXT must not plant a future TSval that PAWS then holds against the peer.
          const end = seqAdd(seg.seq, seg.payload.length);
          if (f & ACK && this.ackAcceptable(seg.ack) && seqLe(end, this.v.rcvNxt) && seqGe(end, this.v.lastAckSent)) this.updateTsRecent(seg);
          if (seqLt(seg.seq, this.v.rcvNxt)) this.rcv.reportDuplicate(seg.seq, end); // Linux tcp_send_dupack
          this.snd.sendAck();
        } else if (f & SYN) this.sendChallengeAck(); // RFC 5961 §4: whatever its sequence number (as Linux, syn_challenge)
        else this.sendAckLimited();
      }
      return;
    }

    // Second: RST (RFC 5961 §3.2).
    if (f & RST) {
      if (seg.seq === this.v.rcvNxt) this.onReset();
      else this.sendChallengeAck();
      return;
    }

    // Fourth: SYN in a synchronized state (RFC 5961 §4) → challenge ACK. In a passive SYN_RCVD an
    // in-window SYN with another ISN resets the embryonic connection instead, as Linux's tcp_check_req
    // does (embryonic_reset): the listener stays, the peer's new attempt starts afresh.
    if (f & SYN) {
      if (this.state === 'SYN_RCVD' && this.passive) {
        const rst = resetFor(seg);
        if (rst) this.snd.transmit(rst);
        this.terminate(undefined, 'LISTEN');
        return;
      }
      this.sendChallengeAck();
      return;
    }

    // Fifth: ACK.
    if (!(f & ACK)) return;
    if (this.state === 'SYN_RCVD') {
      if (seqGt(seg.ack, this.v.sndUna) && seqLe(seg.ack, this.v.sndNxt)) {
        this.updateTsRecent(seg);
        this.snd.ackAdvance(seg);
        this.snd.updateWindow(seg, false, true);
        this.setState('ESTABLISHED');
        this.afterEstablished();
        if (!this.canReceive()) return; // afterEstablished may have moved on (queued FIN → FIN_WAIT_1)
      } else {
        this.snd.transmit({ seq: seg.ack, ack: 0, flags: RST, window: 0, options: {}, payload: EMPTY });
        return;
      }
    } else {
      if (!this.ackAcceptable(seg.ack)) {
        this.sendChallengeAck();
        return;
      }
      this.updateTsRecent(seg);
      if (seqGt(seg.ack, this.v.sndUna) && this.seldomMade) this.seldomMade.softError = undefined; // something got through (Linux tcp_ack clears sk_err_soft)
      if (this.snd.recoveryIfMade === undefined && this.snd.idleAck(seg)) this.snd.takeIdleAck(seg);
      else {
        this.rec.onAck(seg);
        this.snd.dropRecoveryIfPristine(); // the handshake's ACK, or the last of a flight with nothing recorded
      }
    }

    const ourFinAcked = this.snd.finSeq !== undefined && seqGt(this.v.sndUna, this.snd.finSeq);
    if (this.state === 'CLOSING' && ourFinAcked) {
      this.enterTimeWait();
      return;
    }
    if (this.state === 'LAST_ACK') {
      if (ourFinAcked) this.terminate(undefined);
      else this.snd.output();
      return;
    }

    // Seventh: segment text.
    let finInOrder = false;
    if ((seg.payload.length > 0 || f & FIN) && this.canReceive()) {
      // CLOSE_WAIT, CLOSING, LAST_ACK: the peer already sent FIN, its text is ignored.
      const ecnAckNow = this.ecn.onData(seg.flags, seg.payload.length, seg.ecn); // RFC 3168 §6.1.3: CWR, then CE
      const r = this.rcv.receiveText(seg, this.appClosed, ecnAckNow, this.snd);
      if (r === TEXT_ABORT) {
        // Linux: new data for a socket the application has closed → RST (LINUX_MIB_TCPABORTONDATA).
        this.sink.count?.('TCPAbortOnData');
        this.snd.sendReset();
        this.terminate(undefined);
        return;
      }
      finInOrder = r === TEXT_FIN;
    }

    // Eighth: FIN.
    if (finInOrder) {
      this.onFinReceived(ourFinAcked, this.cfg.delayedAck && this.cfg.delayedAckOnFin && !this.rcv.textFilledHole);
    } else if (this.state === 'FIN_WAIT_1' && ourFinAcked) {
      this.setState('FIN_WAIT_2');
      if (this.appClosed) this.startFinWait2Timer();
    }
    if (this.state !== 'CLOSED' && this.state !== 'TIME_WAIT') this.snd.output();
  }

  /**
   * RFC 5961 §5: acceptable ACKs lie in [SND.UNA − MAX.SND.WND, SND.MAX] (SND.MAX, not SND.NXT:
   * robust to window shrinking, RFC 9293 §3.8.6.2.1 MUST-34, R7).
   */
  private ackAcceptable(ack: number): boolean {
    return seqLe(ack, this.v.sndMax) && seqGe(ack, seqAdd(this.v.sndUna, -Math.max(this.v.maxSndWnd, 1)));
  }

  /**
   * RFC 7323 §4.3: TS.Recent follows the TSval of the segment at the left edge of the window. Called
   * only once the segment has passed the sequence, RST, SYN and ACK checks (R8), as Linux does
   * (tcp_validate_incoming, then tcp_ack → tcp_replace_ts_recent): a spoofed segment that earns only
   * a challenge ACK cannot plant a TSval that would make PAWS drop the real peer's data.
   */
  private updateTsRecent(seg: Segment): void {
    const ts = seg.options.ts;
    // An old ACK (below SND.UNA, tolerated up to MAX.SND.WND behind) leaves TS.Recent alone, as Linux (tcp_ack goes
    // to old_ack before tcp_replace_ts_recent): else a spoofed one could plant a future TSval that PAWS holds against the peer.
    if (seqLt(seg.ack, this.v.sndUna)) return;
    if (this.v.tsOk && ts !== undefined && seqGe(ts.val, this.v.tsRecent) && seqLe(seg.seq, this.v.lastAckSent)) this.v.setTsRecent(ts.val);
  }

  /** RFC 6191: may a new SYN for this 4-tuple end TIME_WAIT and open a new incarnation? (See TimeWait.) */
  acceptsNewSyn(seg: Segment): boolean {
    return this.tw?.acceptsNewSyn(seg) ?? false;
  }

  /** An ISS for the incarnation that replaces this TIME_WAIT, above anything this one sent (as Linux: snd_nxt + 65535 + 2). */
  get successorIss(): number {
    return this.tw?.successorIss ?? seqAdd(this.v.sndMax, 65537);
  }

  /**
   * Hand TIME_WAIT over to its compact record and let this TCB go, as Linux
   * swaps a socket for a timewait sock: the record answers the peer from now
   * on and reports TIME_WAIT → CLOSED to `sink`. Undefined outside TIME_WAIT.
   */
  detachTimeWait(sink: ConnectionSink): TimeWait | undefined {
    const tw = this.tw;
    if (!tw || this.state !== 'TIME_WAIT') return undefined;
    tw.sink = sink;
    this.tw = undefined;
    return tw;
  }

  /** The peer's FIN is in order (RFC 9293 §3.10.7.4 "eighth"). */
  private onFinReceived(ourFinAcked: boolean, mayDelayAck: boolean): void {
    this.v.rcvNxt = seqAdd(this.v.rcvNxt, 1);
    this.peerFin = true;
    switch (this.state) {
      case 'ESTABLISHED':
        // With delayedAckOnFin, as Linux (tcp_fin enters "pingpong" mode), the ACK of the FIN is delayed:
        // an application that closes at EOF sends its FIN on the same segment (FIN,ACK).
        if (mayDelayAck) this.rcv.scheduleAck();
        else this.snd.sendAck();
        this.emit_(EOF);
        this.setState('CLOSE_WAIT');
        return;
      default:
        break;
    }
    this.snd.sendAck();
    this.emit_(EOF);
    switch (this.state) {
      case 'FIN_WAIT_1':
        // A FIN that also ACKs our FIN goes straight to TIME_WAIT (C4); otherwise CLOSING (C5).
        if (ourFinAcked) this.enterTimeWait();
        else this.setState('CLOSING');
        return;
      case 'FIN_WAIT_2':
        this.enterTimeWait();
        return;
      default:
        return;
    }
  }

  private canReceive(): boolean {
    return this.state === 'ESTABLISHED' || this.state === 'FIN_WAIT_1' || this.state === 'FIN_WAIT_2' || this.state === 'SYN_RCVD';
  }

  private canSendData(): boolean {
    return this.state === 'ESTABLISHED' || this.state === 'CLOSE_WAIT' || this.state === 'FIN_WAIT_1' || this.state === 'LAST_ACK' || this.state === 'CLOSING';
  }

  // ─────────────────────────────── sending ───────────────────────────────

  /** Our SYN or SYN-ACK (handshake.ts), first or again (`rtx`). */
  private sendSyn(withAck: boolean, rtx = false): void {
    const ecn = !withAck && !rtx && this.cfg.ecn === 'on' ? this.snd.ownEcn() : this.ecn; // our first SYN may turn ECN on
    this.snd.sendSyn(synSegment(this.v, this.cfg, ecn, withAck, rtx, this.rcv.windowField(true, rtx && withAck)), withAck);
  }

  /** ACKs answering bad segments (challenge ACKs, RFC 5961 §7) are rate-limited per connection. */
  private sendAckLimited(): void {
    if (allowChallengeAck(this.seldom, this.v.now, this.cfg.challengeAckLimit)) this.snd.sendAck();
  }

  /** A challenge ACK (RFC 5961 §§3.2, 4.2, 5.2), rate-limited; Linux counts the ones sent (TCPChallengeACK). */
  private sendChallengeAck(): void {
    if (allowChallengeAck(this.seldom, this.v.now, this.cfg.challengeAckLimit)) {
      this.sink.count?.('TCPChallengeACK');
      this.snd.sendAck();
    }
  }

  // ─────────────────────────────── timers ───────────────────────────────

  /**
   * When `onTimer` must run next. Re-arming is lazy: while an earlier
   * deadline handed out is still pending it is reported again, so the owner
   * does not reschedule on every ACK that pushes the RTO back; `onTimer`
   * then finds nothing due and the following call reports the real deadline.
   */
  get nextDeadline(): number | undefined {
    let d = this.timers.rtxAt;
    let t = this.timers.closeAt;
    if (t !== undefined && (d === undefined || t < d)) d = t;
    t = this.timers.persistAt;
    if (t !== undefined && (d === undefined || t < d)) d = t;
    t = this.timers.delackAt;
    if (t !== undefined && (d === undefined || t < d)) d = t;
    t = this.timers.keepAt;
    if (t !== undefined && (d === undefined || t < d)) d = t;
    t = this.snd.recoveryIfMade?.tlp.at;
    if (t !== undefined && (d === undefined || t < d)) d = t;
    t = this.snd.rack?.at;
    if (t !== undefined && (d === undefined || t < d)) d = t;
    t = this.tw?.nextDeadline;
    if (t !== undefined && (d === undefined || t < d)) d = t;
    if (d === undefined) {
      this.timers.wakeAt = undefined;
      return undefined;
    }
    if (this.timers.wakeAt !== undefined && this.timers.wakeAt <= d) return this.timers.wakeAt;
    this.timers.wakeAt = d;
    return d;
  }

  /** Timeouts (RFC 9293 §3.10.8): each deadline of timers.ts (and of RACK, the loss probe, TIME_WAIT) that is due. */
  onTimer(now: number): void {
    this.v.now = now;
    if (this.timers.wakeAt !== undefined && now >= this.timers.wakeAt) this.timers.wakeAt = undefined;
    if (this.tw) {
      this.tw.onTimer(now); // 2MSL over: the record reports `closed` and this TCB terminates
      return;
    }
    if (this.timers.closeAt !== undefined && now >= this.timers.closeAt) {
      this.timers.closeAt = undefined;
      if (this.state === 'FIN_WAIT_2') {
        this.terminate(undefined); // orphaned FIN_WAIT_2 reaped (tcp_fin_timeout): silently gone
        return;
      }
    }
    if (this.timers.delackAt !== undefined && now >= this.timers.delackAt) {
      this.timers.delackAt = undefined;
      if (this.rcv.ackPending && this.state !== 'TIME_WAIT') this.snd.sendAck();
    }
    if (this.snd.rack?.due(now)) this.rec.onRackTimeout();
    if (this.snd.recoveryIfMade?.tlp.due(now)) this.rec.onProbeTimeout(); // before the RTO: a probe due with it pushes it back (as Linux, one timer)
    if (this.timers.rtxAt !== undefined && now >= this.timers.rtxAt) {
      this.timers.rtxAt = undefined;
      this.onRetransmitTimeout();
      if (this.state === 'CLOSED') return;
    }
    if (this.timers.persistAt !== undefined && now >= this.timers.persistAt) {
      this.timers.persistAt = undefined;
      if (this.snd.onPersistTimeout(this.appClosed)) this.terminate('ETIMEDOUT');
    }
    if (this.timers.keepAt !== undefined && now >= this.timers.keepAt) {
      this.timers.keepAt = undefined;
      this.onKeepaliveTimeout();
    }
  }

  /** The retransmission timer expired (RFC 6298 §5.4–5.7): give up after the retry limit, else the SYN, the SYN-ACK or data again. */
  private onRetransmitTimeout(): void {
    this.sink.count?.('TCPTimeouts'); // every expiry, the last one too (Linux tcp_retransmit_timer, tcp_syn_ack_timeout)
    const limit =
      this.state === 'SYN_SENT'
        ? this.cfg.synRetries
        : this.state === 'SYN_RCVD'
          ? this.cfg.synAckRetries
          : this.appClosed
            ? this.cfg.orphanRetries
            : this.cfg.retries2;
    if (this.timers.rtxCount >= limit) {
      // A half-open passive connection just goes away (back to LISTEN); everyone else gets ETIMEDOUT.
      if (this.state === 'SYN_RCVD' && this.passive) this.terminate(undefined, 'LISTEN');
      else this.terminate('ETIMEDOUT');
      return;
    }
    this.timers.rtxCount++;
    this.rtt.backoff(); // RFC 6298 §5.5
    this.snd.rttSeq = undefined; // Karn
    if (this.state === 'SYN_SENT') {
      this.synTimedOut = true;
      this.sendSyn(false, true);
      this.snd.armRtx();
      return;
    }
    if (this.state === 'SYN_RCVD') {
      this.synTimedOut = true;
      this.sendSyn(true, true);
      this.snd.armRtx();
      return;
    }
    if (seqGe(this.v.sndUna, this.v.sndNxt)) return; // nothing outstanding
    if (this.v.sndWnd === 0) {
      this.snd.retransmitTimeoutClosedWindow();
      return;
    }
    this.rec.onRetransmitTimeout();
  }

  /**
   * Keepalive (RFC 1122 §4.2.3.6, Linux tcp_keepalive_timer): after keepIdle
   * without hearing from the peer, send a probe — SEQ = SND.UNA − 1, no data,
   * which any live peer answers with an ACK — every keepInterval; after
   * keepCount unanswered probes reset the connection with ETIMEDOUT.
   */
  private onKeepaliveTimeout(): void {
    if (!this.cfg.keepAlive || !this.keepaliveState()) return;
    if (seqLt(this.v.sndUna, this.v.sndNxt) || this.snd.hasUnsent()) {
      this.timers.keepAt = this.v.now + this.cfg.keepInterval; // the retransmission or persist timer is watching
      return;
    }
    const idle = this.v.now - this.lastRecv;
    if (idle < this.cfg.keepIdle) {
      this.timers.keepAt = this.lastRecv + this.cfg.keepIdle;
      return;
    }
    if (this.keepProbes >= this.cfg.keepCount) {
      this.snd.sendReset();
      this.terminate('ETIMEDOUT');
      return;
    }
    this.keepProbes++;
    this.snd.sendKeepaliveProbe();
    this.timers.keepAt = this.v.now + this.cfg.keepInterval;
  }

  private keepaliveState(): boolean {
    switch (this.state) {
      case 'ESTABLISHED':
      case 'CLOSE_WAIT':
      case 'FIN_WAIT_1':
      case 'FIN_WAIT_2':
      case 'CLOSING':
      case 'LAST_ACK':
        return true;
      default:
        return false;
    }
  }

  // ──────────────────────────── internals ────────────────────────────

  private setState(to: TcpState): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.v.sending = this.canSendData();
    this.emit_({ type: 'state', from, to });
  }

  private emit_(ev: ConnEvent): void {
    this.sink.event(ev);
  }

  /** Delete the TCB: state CLOSED, timers off, an error for the application if it is still there. */
  private terminate(error: TcpErrorCode | undefined, to: TcpState = 'CLOSED'): void {
    this.timers.stopAll();
    this.snd.rack?.clear();
    this.tw = undefined;
    if (error === 'ETIMEDOUT') this.sink.count?.('TCPAbortOnTimeout');
    if (error === 'ETIMEDOUT' && this.softError !== undefined) error = this.softError; // Linux tcp_write_err: sk_err_soft ?: ETIMEDOUT
    if (error && !this.appClosed) this.emit_({ type: 'error', code: error, message: errorMessage(error) });
    if (to !== 'CLOSED') {
      this.setState(to);
      this.state = 'CLOSED';
      this.v.sending = false;
    } else {
      this.setState('CLOSED');
    }
    this.emit_({ type: 'closed' });
  }

  /** A valid RST arrived (RFC 9293 §3.10.7.4 "second", errors as Linux's tcp_reset). */
  private onReset(): void {
    switch (this.state) {
      case 'SYN_RCVD':
        if (this.passive) this.terminate(undefined, 'LISTEN'); // back to LISTEN: the listener is untouched (O8)
        else this.terminate('ECONNREFUSED');
        return;
      case 'CLOSE_WAIT':
        this.terminate('EPIPE');
        return;
      default:
        this.terminate('ECONNRESET');
    }
  }

  private enterTimeWait(): void {
    this.timers.stopAll();
    this.snd.rack?.clear();
    this.setState('TIME_WAIT');
    // TIME_WAIT's rules (C7–C9) live in one place, the compact record; this TCB forwards to it.
    this.tw = new TimeWait(this.timeWaitSnapshot(), {
      transmit: (seg) => this.sink.transmit(seg),
      event: (ev) => {
        if (ev.type === 'closed') {
          this.tw = undefined;
          this.terminate(undefined);
        }
      },
    }, this.v.now);
  }

  private startFinWait2Timer(): void {
    this.timers.closeAt = this.v.now + this.cfg.finTimeout;
  }

  private afterEstablished(): void {
    this.timers.rtxCount = 0;
    this.rtt.resetBackoff();
    // RFC 6298 §5.7 (Linux TCP_TIMEOUT_FALLBACK): a SYN timed out and no RTT sample came → data starts at 3 s.
    if (this.synTimedOut) this.rtt.fallbackAfterSynLoss();
    this.timers.rtxAt = undefined;
    if (this.cfg.keepAlive) this.timers.keepAt = this.v.now + this.cfg.keepIdle;
    this.snd.expandSendBuffer(); // Linux tcp_init_buffer_space
    if (this.snd.finQueued) {
      this.setState('FIN_WAIT_1');
    }
    this.snd.output();
  }

  // ─────────────────────────── ICMP errors ───────────────────────────

  /** An ICMP error quoting one of our segments, routed here by the stack (decisions in icmp-error.ts). */
  onIcmp(n: IcmpNotice, now: number): IcmpVerdict {
    this.v.now = now;
    const inWindow = seqGe(n.seq, this.v.sndUna) && seqLe(n.seq, this.v.sndMax);
    switch (icmpAction(n, this.state, this.passive, inWindow, n.seq === this.v.iss)) {
      case 'ignore':
        return 'ignored';
      case 'out-of-window':
        return 'out-of-window';
      case 'drop-request':
        this.terminate(undefined, 'LISTEN');
        return 'request-dropped';
      case 'abort':
        this.terminate(icmpErrno(n.kind));
        return 'aborted';
      case 'soft-error':
        this.seldom.softError = icmpErrno(n.kind);
        return 'soft-error';
      case 'lower-mtu':
        if (!this.pmtu.lowerTo(n.mss!)) return 'ignored';
        syncMss(this.v, this.cfg, this.pmtu, this.snd.ccForMss);
        this.rec.resegmentFlight();
        return 'mtu-lowered';
    }
  }

  // ──────────────────────────── observation ────────────────────────────

  /** A snapshot for `ss`-style tables (info.ts). */
  info(): ConnectionInfo {
    return connectionInfo({
      state: this.state,
      timeWaitExpires: this.tw?.nextDeadline,
      v: this.v,
      timers: this.timers,
      cfg: this.cfg,
      rcv: this.rcv,
      snd: this.snd,
      segsIn: this.segsIn,
      pawsDrops: this.seldomMade?.pawsDrops ?? 0,
      lastRecv: this.lastRecv,
      keepaliveProbes: this.keepProbes,
    });
  }

  /**
   * What a compact TIME_WAIT record needs to stand in for this TCB (the
   * stack may replace a connection in TIME_WAIT by one, as Linux does).
   * Field names match `TimeWaitSnapshot` in time-wait.ts.
   */
  timeWaitSnapshot(): TimeWaitSnapshot {
    const rcvWnd = Math.max(0, seqDiff(this.v.rcvAdvEdge, this.v.rcvNxt));
    return {
      sndNxt: this.v.sndNxt,
      rcvNxt: this.v.rcvNxt,
      windowField: Math.min(0xffff, Math.ceil(rcvWnd / (1 << this.v.rcvScale))),
      rcvWnd,
      tsOk: this.v.tsOk,
      tsRecent: this.v.tsRecent,
      tsOffset: this.v.tsOffset,
      duration: 2 * this.cfg.msl,
      challengeAckLimit: this.cfg.challengeAckLimit,
    };
  }

  /** True when the application has closed and the connection lives on only to finish the close. */
  get orphaned(): boolean {
    return this.appClosed;
  }
}


function errorMessage(code: TcpErrorCode): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused: the peer answered the SYN with a reset';
    case 'ECONNRESET':
      return 'connection reset by peer';
    case 'ETIMEDOUT':
      return 'connection timed out: no acknowledgment after the retransmission limit';
    case 'EPIPE':
      return 'broken pipe: the peer reset the connection after closing its side';
    case 'ECONNABORTED':
      return 'connection aborted after an internal error';
    case 'EHOSTUNREACH':
      return 'no route to host: an ICMP host unreachable answered';
    case 'ENETUNREACH':
      return 'network is unreachable: an ICMP net unreachable answered';
    case 'ENOPROTOOPT':
      return 'protocol not available: an ICMP protocol unreachable answered';
  }
}
