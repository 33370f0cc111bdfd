import { ACK, FIN, PSH, RST, SYN } from '../wire/flags.js';
import { ReceiveAutotune, expandedSendBuffer, windowScaleFor } from './buffer-autotune.js';
import type { TcpOptions } from '../wire/tcp-options.js';
import { resolveConfig, type TcpConfig } from './config.js';
import { createCongestionControl, type CongestionControl } from './congestion.js';
import type { ConnEvent, ConnectionSink, TcpErrorCode } from './events.js';
import type { CaState, ConnectionInfo, TimerName } from './info.js';
import { Ecn } from './ecn.js';
import { Reassembly } from './reassembly.js';
import { ReceiveQueue } from './receive-queue.js';
import { RtoEstimator } from './rto.js';
import { SackScoreboard } from './sack-scoreboard.js';
import { EMPTY, segLen, type OutSegment, type Segment } from './segment.js';
import { SendBuffer } from './send-buffer.js';
import { TimeWait, type TimeWaitSnapshot } from './time-wait.js';
import { tsoLength } from './tso.js';
import { TailLossProbe, lastSegment } from './tail-loss-probe.js';
import { DsackReport, dsackSegments, findDsack, type Dsack } from './dsack.js';
import { SpuriousUndo, type UndoCounter } from './undo.js';
import { PathMtu } from './pmtu.js';
import { icmpAction, icmpErrno, type IcmpNotice, type IcmpVerdict } from './icmp-error.js';
import { ProportionalRateReduction } from './prr.js';
import type { AckSample } from './hystart.js';
import { Rack, type RackAck } from './rack.js';
import { allowChallengeAck, segmentAcceptable } from './acceptability.js';
import { resetFor } from './rst.js';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt, seqMax } from './seq.js';
import type { TcpState } from './state.js';

export type { CaState, ConnectionInfo, TimerName } from './info.js';

const WS_MAX = 14; // RFC 7323 §2.3
const TS_OPTION_LEN = 12; // NOP NOP TS(10)
const MAX_OUTPUT_SEGMENTS = 4096; // bound on one output() pass
/** RFC 7323 §5.5: TS.Recent is invalid after 24 days of idleness. */
const PAWS_IDLE_MS = 24 * 24 * 3600 * 1000;
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
  state: TcpState = 'CLOSED';
  readonly cfg: TcpConfig;

  // Send sequence space (RFC 9293 §3.3.1)
  readonly iss: number;
  sndUna: number;
  sndNxt: number; // next sequence number to send; pulled back to SND.UNA when a zero window refuses data
  /** Highest sequence number sent + 1, never rewound (BSD snd_max): ACKs are validated against it (RFC 9293 MUST-34). */
  sndMax: number;
  sndWnd = 0;
  private sndWl1 = 0;
  private sndWl2 = 0;
  private maxSndWnd = 0;
  private sndSml: number; // end of the last small segment sent (Nagle/Minshall)
  private rtxNxt: number; // next sequence to retransmit after an RTO (go-back-N in the 'loss' state)
  private finSeq: number | undefined; // sequence number of our FIN once sent

  // Receive sequence space
  irs = 0;
  rcvNxt = 0;
  private rcvAdvEdge = 0; // RCV.NXT + RCV.WND as last advertised (never moves left, §3.8.6.2.2)
  private lastAckSent = 0;

  // Negotiated options
  private sndScale = 0;
  private rcvScale = 0;
  private wsOk = false;
  private sackOk = false;
  private tsOk = false;
  private tsRecent = 0;
  private tsRecentAge = 0; // when TS.Recent was last set (RFC 7323 §5.5)
  private peerMss: number;
  /** Largest payload per segment we send (MSS less fixed options). */
  sndMss: number;

  // Queues
  private readonly sendBuf: SendBuffer;
  private readonly recvQ: ReceiveQueue;
  private ooo: Reassembly = NO_REASSEMBLY; // created on the first out-of-order segment, dropped once empty
  /** Receive-buffer autotuning (buffer-autotune.ts), from the first in-order data on; never without `moderateRcvbuf` or with SO_RCVBUF set. */
  private autotune: ReceiveAutotune | undefined;
  private oooFin: number | undefined; // sequence number of a FIN that arrived out of order
  private finQueued = false; // the user asked to close the sending side
  private peerFin = false;
  private appClosed = false; // close(): the application is gone (an orphan, in Linux terms)
  private wantWritable = false;

  // Loss recovery (RFC 5681 §3.2, RFC 6582, RFC 6675)
  private caState: CaState = 'open';
  private dupAcks = 0;
  private recoverPoint: number; // RFC 6582 "recover" / RFC 6675 RecoveryPoint
  private highRxt: number; // RFC 6675 HighRxt: end of the last hole retransmitted in this recovery
  private lostEdge: number; // holes below this are lost (RFC 6675 IsLost), refreshed per ACK
  private inflation = 0; // without SACK: bytes duplicate ACKs showed delivered during recovery (RFC 6582 §3.2 inflation, Linux's Reno sacked_out)
  private partialAckSeen = false;
  private pastRecover = true; // SND.UNA has passed `recoverPoint` since the last recovery began (RFC 6582 §3.2 step 2)
  private prevUna: number; // SND.UNA before the last advance (RFC 6582 §4.1 ACK heuristic)
  private rtxPassMark: number; // SND.NXT when the current pass of retransmissions began
  private lostRetransmits = 0;
  // Was the sender using its window? The largest flight of the current round trip (RFC 7661; Linux tcp_cwnd_validate).
  private maxFlight = 0;
  private flightMark: number; // the round trip ends when SND.UNA passes this
  private sb: SackScoreboard = NO_SACKS; // created with the first SACK block, dropped once empty
  private tlp: TailLossProbe = NO_PROBE; // RFC 8985 §7 (tail-loss-probe.ts); created when first armed
  private readonly undo = new SpuriousUndo(); // Eifel / D-SACK undo of spurious recoveries (undo.ts)
  private readonly dsack = new DsackReport(); // the D-SACK block our next ACK carries (RFC 2883, dsack.ts)
  private readonly pmtu: PathMtu; // RFC 1191/8201 ICMP and RFC 4821 probing (pmtu.ts)
  private softError: TcpErrorCode | undefined; // an ICMP soft error, reported instead of ETIMEDOUT (Linux sk_err_soft)
  private readonly prr = new ProportionalRateReduction(); // cwnd during fast recovery, RFC 9937 (prr.ts)
  private readonly ackSample: AckSample = { ack: 0, sndNxt: 0, rtt: undefined }; // this ACK, for HyStart++ (hystart.ts)
  private readonly ecn = new Ecn(); // RFC 3168 (ecn.ts)
  private rack: Rack | undefined; // RFC 8985 §6 (rack.ts), made when the first segment goes out on a RACK connection
  private rackAck: RackAck | undefined;

  // Timers (absolute ms, undefined = off)
  private rtxAt: number | undefined;
  private closeAt: number | undefined; // orphaned FIN_WAIT_2
  /** The compact record that does TIME_WAIT's work once this TCB is there (tcp/time-wait.ts). */
  private tw: TimeWait | undefined;
  private persistAt: number | undefined;
  private persistBackoff = 0; // exponential backoff of the persist timer (RFC 1122 §4.2.2.17)
  private probeOutstanding = false; // a zero-window probe octet is in flight
  private probesOut = 0; // zero-window probes the peer has not answered
  private delackAt: number | undefined; // may outlive the ACK it was armed for: it then fires idly
  private keepAt: number | undefined;
  private wakeAt: number | undefined; // the deadline last handed out by nextDeadline (lazy re-arming)
  private rtxCount = 0;
  private synTimedOut = false; // our SYN or SYN-ACK was retransmitted on timeout (RFC 6298 §5.7)
  private synAckAnsweredAt: number | undefined; // last SYN-ACK that answered a retransmitted SYN
  private rttSeq: number | undefined; // Karn: the sequence being timed, without timestamps
  private rttStart = 0;
  private rtxUntil: number; // SND.NXT at the last retransmission: ACKs below it may cover retransmitted data
  private rtxTsval = 0; // TSval of the last retransmission
  readonly rtt: RtoEstimator;
  readonly cc: CongestionControl;

  // Delayed ACK (RFC 1122 §4.2.3.2, RFC 5681 §4.2)
  private ackPending = false; // an ACK is owed and waits for the delayed-ACK timer
  private ackPendingBytes = 0; // in-order octets not yet acknowledged
  private textFilledHole = false; // the last segment text closed a hole in the sequence space
  private rcvMss: number;

  // Keepalive (RFC 1122 §4.2.3.6, as Linux)
  private keepProbes = 0;

  // Counters and times for info()
  private bytesSent = 0;
  private bytesRetrans = 0;
  private bytesAcked = 0;
  private bytesReceived = 0;
  private segsOut = 0;
  private segsIn = 0;
  private dataSegsOut = 0;
  private dataSegsIn = 0;
  private totalRetrans = 0;
  private fastRetransmits = 0;
  private rtoExpirations = 0;
  private pawsDrops = 0;
  private minRtt: number | undefined;
  private lastSend: number | undefined;
  private lastRecv: number;
  private lastAck: number | undefined;

  private now = 0;
  /** RFC 5961 §7 rate limit state (see acceptability.ts). */
  challengeWindowStart = -Infinity;
  challengeCount = 0;
  /** True for connections created from a listener's SYN (RFC 9293: return to LISTEN on RST). */
  readonly passive: boolean;

  private constructor(
    cfg: Partial<TcpConfig>,
    iss: number,
    private readonly sink: ConnectionSink,
    passive: boolean,
    now: number,
  ) {
    this.cfg = resolveConfig(cfg);
    this.iss = (this.cfg.issOverride ?? iss) >>> 0; // issOverride: tests only (config.ts)
    this.sndUna = this.iss;
    this.sndNxt = this.iss;
    this.sndMax = this.iss;
    this.rtxNxt = this.iss;
    this.sndSml = this.iss;
    this.recoverPoint = this.iss;
    this.highRxt = this.iss;
    this.lostEdge = this.iss;
    this.prevUna = this.iss;
    this.rtxUntil = this.iss;
    this.rtxPassMark = this.iss;
    this.flightMark = this.iss;
    this.passive = passive;
    this.now = now;
    this.lastRecv = now;
    this.sendBuf = this.cfg.sendBufferSize !== undefined ? new SendBuffer(this.cfg.sendBufferSize) : new SendBuffer(this.cfg.wmem[1], this.cfg.wmem[2]);
    this.recvQ = new ReceiveQueue(this.cfg.recvBufferSize ?? this.cfg.rmem[2]);
    this.rtt = new RtoEstimator(this.cfg.rtoInitial, this.cfg.rtoMin, this.cfg.rtoMax);
    this.peerMss = this.cfg.defaultPeerMss;
    this.pmtu = new PathMtu(this.cfg.mtuProbing, this.cfg.mss, now);
    this.sndMss = Math.min(this.cfg.mss, this.peerMss, this.pmtu.mss);
    this.rcvMss = Math.min(this.cfg.mss, 536);
    this.cc = createCongestionControl(this.cfg.congestionControl, this.sndMss, this.cfg.initialCwnd, { hystart: this.cfg.hystart, count: (c) => this.sink.count?.(c) });
    // As Linux (tcp_select_initial_window): the scale suits the largest buffer the window may come from,
    // tcp_rmem[2] when the buffer autotunes, the fixed SO_RCVBUF otherwise.
    if (this.cfg.windowScaling) this.rcvScale = windowScaleFor(this.cfg.recvBufferSize ?? this.cfg.rmem[2], WS_MAX);
  }

  /** Active open (RFC 9293 §3.10.1): CLOSED → SYN_SENT, SYN sent. */
  static connect(cfg: Partial<TcpConfig>, iss: number, sink: ConnectionSink, now: number): Connection {
    const c = new Connection(cfg, iss, sink, false, now);
    c.sndNxt = seqAdd(c.iss, 1);
    c.sndMax = c.sndNxt;
    c.rtxNxt = c.sndNxt;
    c.setState('SYN_SENT');
    c.sendSyn(false);
    c.armRtx();
    return c;
  }

  /**
   * Passive open: a listener got an acceptable SYN (RFC 9293 §3.10.7.2).
   * LISTEN → SYN_RCVD, SYN-ACK sent with seq = ISS, ack = SEG.SEQ + 1.
   */
  static accept(syn: Segment, cfg: Partial<TcpConfig>, iss: number, sink: ConnectionSink, now: number): Connection {
    const c = new Connection(cfg, iss, sink, true, now);
    c.state = 'LISTEN';
    c.irs = syn.seq >>> 0;
    c.rcvNxt = seqAdd(c.irs, 1); // data carried on a SYN is not accepted (no TFO), as Linux
    c.segsIn++;
    c.negotiate(syn.options);
    c.ecn.onSyn(c.cfg.ecn, syn.flags, syn.ecn);
    c.sndWnd = syn.window; // the window of a SYN is never scaled (RFC 7323 §2.2)
    c.maxSndWnd = c.sndWnd;
    c.sndWl1 = syn.seq;
    c.sndWl2 = c.iss;
    c.sndNxt = seqAdd(c.iss, 1);
    c.sndMax = c.sndNxt;
    c.rtxNxt = c.sndNxt;
    c.setState('SYN_RCVD');
    c.sendSyn(true);
    c.armRtx();
    return c;
  }

  // ───────────────────────────── user calls ─────────────────────────────

  /** Queue data for sending; returns how many bytes were taken (0 when the buffer is full or sending is closed). */
  send(data: Uint8Array, now: number): number {
    this.now = now;
    if (this.finQueued || this.state === 'CLOSED' || this.state === 'LISTEN') return 0;
    const n = this.sendBuf.push(data);
    if (n < data.length) this.wantWritable = true;
    if (n > 0) this.output();
    return n;
  }

  /** Bytes that `send` would take now. */
  get writableBytes(): number {
    return this.finQueued ? 0 : this.sendBuf.free;
  }

  /**
   * Take up to `max` received in-order bytes. Reading opens the window. As
   * Linux (tcp_cleanup_rbuf), a window update goes at once only when the
   * window offered has fallen to half its maximum or less and reading at
   * least doubles it; any other growth rides on the next ACK. Either way the
   * right edge moves only in steps worth announcing (RFC 1122 §4.2.3.3).
   */
  read(now: number, max?: number): Uint8Array | null {
    this.now = now;
    const data = this.recvQ.read(max);
    // Linux tcp_recvmsg: tcp_rcv_space_adjust, then tcp_cleanup_rbuf (which then sees the larger buffer).
    if (data && this.autotune) this.autotune.onRead(this.bytesReceived - this.recvQ.length, now, this.cfg.mss, this.cfg.rmem[2], this.cfg.recvBufferSize === undefined);
    if (data && this.canReceive()) {
      const advertised = Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt));
      const maxWindow = Math.min(this.recvBufferSize, 0xffff << this.rcvScale);
      if (2 * advertised <= maxWindow) {
        const offer = Math.min(this.freeWindow(), maxWindow);
        if (offer - advertised >= this.swsThreshold() && offer >= 2 * advertised) this.sendAck();
      }
    }
    return data;
  }

  /** The receive buffer now, bytes: SO_RCVBUF when set, else as autotuning has grown it from tcp_rmem[1]. */
  get recvBufferSize(): number {
    return this.cfg.recvBufferSize ?? this.autotune?.rcvBuf ?? this.cfg.rmem[1];
  }

  /** The send buffer now, bytes: SO_SNDBUF when set, else as it has grown with cwnd from tcp_wmem[1]. */
  get sendBufferSize(): number {
    return this.sendBuf.capacity;
  }

  /**
   * SO_RCVBUF: fix the receive buffer at `bytes` and stop autotuning it (Linux SOCK_RCVBUF_LOCK). The
   * window scale was chosen on the SYN; the window offered never shrinks (RFC 9293 §3.8.6.2.2).
   */
  setRecvBufferSize(bytes: number): void {
    if (!(Number.isFinite(bytes) && bytes > 0)) throw new RangeError(`receive buffer size must be a positive number, got ${String(bytes)}`);
    this.cfg.recvBufferSize = Math.floor(bytes);
    this.autotune = undefined;
  }

  /** SO_SNDBUF: fix the send buffer at `bytes` and stop growing it with cwnd (Linux SOCK_SNDBUF_LOCK). */
  setSendBufferSize(bytes: number, now: number): void {
    if (!(Number.isFinite(bytes) && bytes > 0)) throw new RangeError(`send buffer size must be a positive number, got ${String(bytes)}`);
    this.now = now;
    this.cfg.sendBufferSize = Math.floor(bytes);
    this.sendBuf.capacity = this.cfg.sendBufferSize;
    this.notifyWritable();
  }

  /** Bytes received and not read yet (Recv-Q). */
  get readableBytes(): number {
    return this.recvQ.length;
  }

  /** Bytes of receive buffer storage held (in-order and out-of-order data), for memory accounting: at most receiveMemoryBound(recvBufferSize + window-scale rounding, pageLimit(recvBufferSize)) (receive-queue.ts). */
  get receiveMemory(): number {
    return this.recvQ.memory;
  }

  /** Bytes of send buffer storage held: none once everything sent has been acknowledged (send-buffer.ts). */
  get sendMemory(): number {
    return this.sendBuf.memory;
  }

  /** True once the peer's FIN has been received in order. */
  get eof(): boolean {
    return this.peerFin;
  }

  /** TCP_NODELAY: turn Nagle's algorithm off (true) or on (false). */
  setNoDelay(on: boolean, now: number): void {
    this.now = now;
    this.cfg.noDelay = on;
    if (on) this.output();
  }

  /**
   * SO_KEEPALIVE, with an optional idle time (ms) before the first probe
   * (TCP_KEEPIDLE). As Linux, switching it on (re)starts the idle timer now.
   */
  setKeepAlive(on: boolean, idleMs: number | undefined, now: number): void {
    this.now = now;
    this.cfg.keepAlive = on;
    if (idleMs !== undefined && idleMs > 0) this.cfg.keepIdle = idleMs;
    this.keepProbes = 0;
    this.keepAt = on && this.keepaliveState() ? now + this.cfg.keepIdle : undefined;
  }

  /** Half-close: a FIN follows the queued data (RFC 9293 §3.10.4 CLOSE, as shutdown(SHUT_WR)). */
  shutdown(now: number): void {
    this.now = now;
    if (this.finQueued) return;
    switch (this.state) {
      case 'SYN_SENT':
      case 'SYN_RCVD':
        this.finQueued = true; // sent once ESTABLISHED
        return;
      case 'ESTABLISHED':
        this.finQueued = true;
        this.setState('FIN_WAIT_1');
        this.output();
        return;
      case 'CLOSE_WAIT':
        this.finQueued = true;
        this.setState('LAST_ACK');
        this.output();
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
    this.now = now;
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
    if (this.recvQ.length > 0 || !this.ooo.isEmpty) {
      this.appClosed = true;
      this.sink.count?.('TCPAbortOnClose');
      this.sendReset();
      this.terminate(undefined);
      return;
    }
    this.appClosed = true;
    this.shutdown(now);
    if (this.state === 'FIN_WAIT_2') this.startFinWait2Timer();
  }

  /** Abort (RFC 9293 §3.10.5): RST to the peer where it has a synchronized TCB, then CLOSED. */
  abort(now: number, byUser = false): void {
    this.now = now;
    switch (this.state) {
      case 'SYN_RCVD':
      case 'ESTABLISHED':
      case 'FIN_WAIT_1':
      case 'FIN_WAIT_2':
      case 'CLOSE_WAIT':
        // The application's close with RST (SO_LINGER 0, Node's resetAndDestroy()): Linux's tcp_close counts
        // TCPAbortOnClose when unread data is tossed, else TCPAbortOnData (checked after the unread data).
        if (byUser) this.sink.count?.(this.recvQ.length > 0 || !this.ooo.isEmpty ? 'TCPAbortOnClose' : 'TCPAbortOnData');
        this.sendReset();
        break;
      default:
        break;
    }
    this.appClosed = true;
    if (this.state !== 'CLOSED') this.terminate(undefined);
  }

  // ─────────────────────────── segment arrival ───────────────────────────

  onSegment(seg: Segment, now: number): void {
    this.now = now;
    this.segsIn++;
    switch (this.state) {
      case 'CLOSED':
      case 'LISTEN':
        return; // the stack answers these
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

  /** RFC 9293 §3.10.7.3. */
  private onSegmentSynSent(seg: Segment): void {
    const f = seg.flags;
    let ackOk = false;
    if (f & ACK) {
      // First: SEG.ACK =< ISS or SEG.ACK > SND.NXT is unacceptable → RST <SEQ=SEG.ACK> (O7).
      if (seqLe(seg.ack, this.iss) || seqGt(seg.ack, this.sndNxt)) {
        if (!(f & RST)) this.transmit({ seq: seg.ack, ack: 0, flags: RST, window: 0, options: {}, payload: EMPTY });
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
    this.irs = seg.seq >>> 0;
    this.rcvNxt = seqAdd(this.irs, 1);
    // Our SYN offered its window before RCV.NXT existed (it was 0 then): anchor that offer at the real
    // RCV.NXT. Left where it was, the edge can lie 2^31 or more "behind" RCV.NXT, where seqMax never
    // moves it again and the window stays shut for ever (issue 10 #0, a peer ISS near 2^31).
    this.rcvAdvEdge = seqAdd(this.rcvNxt, Math.min(this.freeWindow(), 0xffff));
    this.lastRecv = this.now;
    this.negotiate(seg.options);
    if (this.tsOk && seg.options.ts) this.setTsRecent(seg.options.ts.val);
    if (ackOk) {
      this.ecn.onSynAck(f);
      this.ackAdvance(seg);
      this.sndWnd = seg.window; // unscaled in a SYN (RFC 7323 §2.2)
      this.maxSndWnd = Math.max(this.maxSndWnd, this.sndWnd);
      this.sndWl1 = seg.seq;
      this.sndWl2 = seg.ack;
      this.setState('ESTABLISHED');
      this.sendAck();
      this.afterEstablished();
      return;
    }
    // Simultaneous open (RFC 9293 §3.5 figure 8): SYN_SENT + SYN → SYN_RCVD, send SYN,ACK.
    this.ecn.onSimultaneousSyn(f);
    this.sndWnd = seg.window;
    this.maxSndWnd = this.sndWnd;
    this.sndWl1 = seg.seq;
    this.sndWl2 = this.iss;
    this.setState('SYN_RCVD');
    this.rtxCount = 0;
    this.sendSyn(true);
    this.armRtx();
  }

  /** RFC 9293 §3.10.7.4 for SYN_RCVD and the synchronized states other than TIME_WAIT. */
  private onSegmentSynchronized(seg: Segment): void {
    const f = seg.flags;

    if (this.state === 'SYN_RCVD' && f & SYN && !(f & RST) && seg.seq === this.irs) {
      if (!(f & ACK)) {
        // The peer retransmitted its SYN: our SYN-ACK was lost. Answer it again (as Linux does),
        // echoing the new SYN's TSval so the peer does not time the first SYN's wait as an RTT.
        // Rate-limited as Linux's tcp_check_req does (tcp_oow_rate_limited): a flood of copies earns one answer per interval.
        if (this.synAckAnsweredAt !== undefined && this.now - this.synAckAnsweredAt < SYNACK_ANSWER_INTERVAL_MS) return;
        this.synAckAnsweredAt = this.now;
        const ts = seg.options.ts;
        if (this.tsOk && ts !== undefined && seqGe(ts.val, this.tsRecent)) this.setTsRecent(ts.val);
        this.sendSyn(true, true);
        return;
      }
      if (seg.ack === this.sndNxt && !this.passive) {
        // Simultaneous open, step 6 of figure 8: the peer's SYN,ACK acknowledges our SYN.
        this.ackAdvance(seg);
        this.updateWindow(seg, true, true);
        this.setState('ESTABLISHED');
        this.afterEstablished();
        return;
      }
    }

    // PAWS (RFC 7323 §5.3 R1), before the sequence number check: an old TSval marks an old duplicate.
    const ts = seg.options.ts;
    if (this.tsOk && ts !== undefined && !(f & RST) && seqLt(ts.val, this.tsRecent) && this.now - this.tsRecentAge <= PAWS_IDLE_MS) {
      this.pawsDrops++;
      this.sink.count?.('PAWSEstab');
      if (seg.payload.length > 0 && !(f & SYN)) {
        if (seqLt(seg.seq, this.rcvNxt)) this.reportDuplicate(seg.seq, seqAdd(seg.seq, seg.payload.length)); // Linux tcp_send_dupack
        this.sendAck();
      } else this.sendAckLimited();
      return;
    }

    // First: sequence number check.
    if (!this.acceptable(seg)) {
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
          if (f & ACK && this.ackAcceptable(seg.ack) && seqLe(end, this.rcvNxt) && seqGe(end, this.lastAckSent)) this.updateTsRecent(seg);
          if (seqLt(seg.seq, this.rcvNxt)) this.reportDuplicate(seg.seq, end); // Linux tcp_send_dupack
          this.sendAck();
        } else if (f & SYN) this.sendChallengeAck(); // RFC 5961 §4: whatever its sequence number (as Linux, syn_challenge)
        else this.sendAckLimited();
      }
      return;
    }

    // Second: RST (RFC 5961 §3.2).
    if (f & RST) {
      if (seg.seq === this.rcvNxt) this.onReset();
      else this.sendChallengeAck();
      return;
    }

    // Fourth: SYN in a synchronized state (RFC 5961 §4) → challenge ACK. In a passive SYN_RCVD an
    // in-window SYN with another ISN resets the embryonic connection instead, as Linux's tcp_check_req
    // does (embryonic_reset): the listener stays, the peer's new attempt starts afresh.
    if (f & SYN) {
      if (this.state === 'SYN_RCVD' && this.passive) {
        const rst = resetFor(seg);
        if (rst) this.transmit(rst);
        this.terminate(undefined, 'LISTEN');
        return;
      }
      this.sendChallengeAck();
      return;
    }

    // Fifth: ACK.
    if (!(f & ACK)) return;
    if (this.state === 'SYN_RCVD') {
      if (seqGt(seg.ack, this.sndUna) && seqLe(seg.ack, this.sndNxt)) {
        this.updateTsRecent(seg);
        this.ackAdvance(seg);
        this.updateWindow(seg, false, true);
        this.setState('ESTABLISHED');
        this.afterEstablished();
        if (!this.canReceive()) return; // afterEstablished may have moved on (queued FIN → FIN_WAIT_1)
      } else {
        this.transmit({ seq: seg.ack, ack: 0, flags: RST, window: 0, options: {}, payload: EMPTY });
        return;
      }
    } else {
      if (!this.ackAcceptable(seg.ack)) {
        this.sendChallengeAck();
        return;
      }
      this.updateTsRecent(seg);
      this.processAck(seg);
    }

    const ourFinAcked = this.finSeq !== undefined && seqGt(this.sndUna, this.finSeq);
    if (this.state === 'CLOSING' && ourFinAcked) {
      this.enterTimeWait();
      return;
    }
    if (this.state === 'LAST_ACK') {
      if (ourFinAcked) this.terminate(undefined);
      else this.output();
      return;
    }

    // Seventh: segment text.
    let finInOrder = false;
    if (seg.payload.length > 0 || f & FIN) {
      finInOrder = this.receiveText(seg);
      if (this.state === 'CLOSED') return; // aborted on data after close
    }

    // Eighth: FIN.
    if (finInOrder) {
      this.onFinReceived(ourFinAcked, this.cfg.delayedAck && this.cfg.delayedAckOnFin && !this.textFilledHole);
    } else if (this.state === 'FIN_WAIT_1' && ourFinAcked) {
      this.setState('FIN_WAIT_2');
      if (this.appClosed) this.startFinWait2Timer();
    }
    if (this.state !== 'CLOSED' && this.state !== 'TIME_WAIT') this.output();
  }

  /**
   * RFC 5961 §5: acceptable ACKs lie in [SND.UNA − MAX.SND.WND, SND.MAX] (SND.MAX, not SND.NXT:
   * robust to window shrinking, RFC 9293 §3.8.6.2.1 MUST-34, R7).
   */
  private ackAcceptable(ack: number): boolean {
    return seqLe(ack, this.sndMax) && seqGe(ack, seqAdd(this.sndUna, -Math.max(this.maxSndWnd, 1)));
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
    if (seqLt(seg.ack, this.sndUna)) return;
    if (this.tsOk && ts !== undefined && seqGe(ts.val, this.tsRecent) && seqLe(seg.seq, this.lastAckSent)) this.setTsRecent(ts.val);
  }

  /** RFC 6191: may a new SYN for this 4-tuple end TIME_WAIT and open a new incarnation? (See TimeWait.) */
  acceptsNewSyn(seg: Segment): boolean {
    return this.tw?.acceptsNewSyn(seg) ?? false;
  }

  /** An ISS for the incarnation that replaces this TIME_WAIT, above anything this one sent (as Linux: snd_nxt + 65535 + 2). */
  get successorIss(): number {
    return this.tw?.successorIss ?? seqAdd(this.sndMax, 65537);
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

  // ─────────────────────────────── ACKs ───────────────────────────────

  /**
   * An acceptable ACK in a synchronized state: SACK scoreboard, SND.UNA,
   * SND.WND, then duplicate-ACK counting and loss recovery (RFC 5681 §3.2,
   * RFC 6582, RFC 6675 §5).
   */
  private processAck(seg: Segment): void {
    this.ackSample.rtt = undefined;
    const una0 = this.sndUna;
    const flightBefore = seqDiff(this.sndNxt, una0);
    const wndBefore = this.sndWnd;
    const sackedBefore = this.sb.sackedBytes;
    const lostEdgeBefore = this.lostEdge;
    const lostRetransmitsBefore = this.lostRetransmits;
    let dataAcked = 0;
    const advanced = seqGt(seg.ack, una0);
    if (seqGt(seg.ack, this.sndNxt)) this.takeAckBeyondSndNxt(seg.ack);
    if (advanced) {
      this.prevUna = una0;
      dataAcked = this.ackAdvance(seg);
      this.softError = undefined; // something got through (Linux tcp_ack clears sk_err_soft)
      if (this.pmtu.probe !== undefined && seqGe(this.sndUna, this.pmtu.probe.end)) {
        this.pmtu.succeeded(this.now); // RFC 4821 §7.6.1, Linux tcp_mtup_probe_success
        this.sink.count?.('TCPMTUPSuccess');
        this.syncMss();
      }
    }
    let newlySacked = 0;
    const blocks = seg.options.sack;
    if (this.sackOk && blocks !== undefined && blocks.length > 0 && seqLt(this.sndUna, this.sndNxt)) {
      if (this.sb === NO_SACKS) this.sb = new SackScoreboard();
      newlySacked = this.sb.update(blocks, this.sndUna, this.sndNxt);
      // A SACKed segment that was never retransmitted is as good an RTT sample as a cumulative ACK (as Linux).
      if (newlySacked > 0 && this.rttSeq !== undefined && this.sb.isSacked(seqAdd(this.rttSeq, -1))) {
        this.rttSample(this.now - this.rttStart);
        this.rttSeq = undefined;
      }
    }
    const dsack = this.sackOk && blocks !== undefined ? findDsack(blocks, seg.ack) : undefined;
    if (dsack !== undefined) this.dsackReceived(dsack, una0);
    if (!this.sb.isEmpty || advanced) this.lostEdge = this.sb.isEmpty ? this.sndUna : this.sb.lostEdge(this.sndUna, this.sndMss, this.cfg.dupThresh);
    const lostBelowProbe = this.tlp.onAck(this.sndUna, this.sb);
    if (lostBelowProbe !== undefined && seqGt(lostBelowProbe, this.lostEdge)) this.lostEdge = lostBelowProbe;
    if (this.rackOn() && this.rack) {
      const a = this.rackInputs();
      a.blocks = blocks;
      a.echoedAt = this.echoedAt(seg);
      this.rack.onAck(a);
    }
    if (newlySacked > 0) this.detectLostRetransmit();
    this.updateWindow(seg, false, advanced);
    this.probesOut = 0; // the peer answers
    if (this.probeOutstanding) {
      // An answer that does not cover the probe octet refused it (it met a zero window): it goes again.
      if (seqLt(this.sndUna, this.sndNxt)) this.rewindToUna();
      this.probeOutstanding = false;
    }
    // Data beyond a zero window will not be taken: pull SND.NXT back to SND.UNA and let the persist
    // timer probe (as BSD tcp_output does).
    if (this.sndWnd === 0 && seqLt(this.sndUna, this.sndNxt) && (this.finSeq === undefined || seqLt(this.sndUna, this.finSeq))) {
      this.rewindToUna();
    }
    if (this.sndWnd === 0 && seqGe(this.sndUna, this.sndNxt) && this.persistAt === undefined && this.hasUnsent()) this.armPersist();
    // Nothing left to send (an ACK took data and FIN the window had refused): nothing to probe either
    // (RFC 9293 §3.8.6.1 probes a zero window only while there is data to send); Linux's probe timer finds
    // no send head and stops, here it is disarmed at once so no state that cannot send keeps it.
    if (this.persistAt !== undefined && !this.hasUnsent()) {
      this.persistAt = undefined;
      this.persistBackoff = 0;
    }

    // RFC 5681 §2 duplicate ACK: no data, no SYN/FIN, SEG.ACK = SND.UNA (an older ACK is no duplicate: counted,
    // spoofed or reordered old ACKs would trigger fast retransmits), same window, data outstanding.
    // RFC 6675 §2 adds ACKs that SACK new data. A zero window is the persist timer's business.
    const isDup =
      !advanced &&
      flightBefore > 0 &&
      ((seg.ack === una0 && seg.payload.length === 0 && !(seg.flags & (SYN | FIN)) && this.sndWnd === wndBefore && this.sndWnd > 0) || newlySacked > 0);

    if (this.ecn.isEcho(seg.flags)) this.onEcnEcho(dataAcked + newlySacked, flightBefore);
    const ecr = this.tsOk ? seg.options.ts?.ecr : undefined; // for Eifel detection (undo.ts)
    // RFC 9937 DeliveredData: the advance of SND.UNA plus the change in SACKed octets; without SACK a
    // duplicate ACK stands for one segment that left the network (as Linux, tcp_add_reno_sack).
    const delivered = this.sackOk ? dataAcked + this.sb.sackedBytes - sackedBefore : isDup ? this.sndMss : dataAcked;
    const newLoss = seqGt(this.lostEdge, seqMax(lostEdgeBefore, this.sndUna)) || this.lostRetransmits > lostRetransmitsBefore;
    switch (this.caState) {
      case 'open':
      case 'disorder':
        if (advanced) {
          this.dupAcks = 0;
          this.growCwnd(dataAcked, flightBefore);
        } else if (isDup) {
          this.dupAcks++;
        }
        this.caState = this.dupAcks > 0 || !this.sb.isEmpty ? 'disorder' : 'open';
        // D-SACKs for every retransmission of a recovery already over: it was spurious (Linux tcp_try_undo_dsack).
        if (this.undo.allDsacked) this.undoReduction('TCPDSACKUndo');
        if (this.lossDetected()) this.enterRecovery(delivered, this.sb.sackedBytes - newlySacked, dataAcked);
        return;
      case 'recovery':
        if (seqGe(this.sndUna, this.recoverPoint)) {
          // Full ACK: recovery is over (RFC 6582 §3.2 step 3, RFC 6675 §5) — undone if it proved spurious (Linux tcp_try_undo_recovery).
          if (this.undo.mayUndo(ecr)) this.undoReduction('TCPFullUndo');
          else {
            this.cc.onRecoveryEnd(this.now); // cwnd = ssthresh (RFC 9937: no burst, PRR brought pipe there)
            this.undo.settle();
          }
          this.leaveRecovery();
          return;
        }
        // A partial ACK of the original transmission (Eifel), with no retransmission left in flight, or D-SACKs for
        // every retransmission: reordering, not loss (Linux tcp_try_undo_partial, tcp_try_undo_dsack).
        if (advanced && this.undo.delayed(ecr) && !this.retransmissionsInFlight()) {
          this.undoReduction('TCPPartialUndo');
          this.leaveRecovery();
          return;
        }
        if (this.undo.allDsacked) {
          this.undoReduction('TCPDSACKUndo');
          this.leaveRecovery();
          return;
        }
        if (!this.sackOk) {
          // Without SACK, `inflation` counts the segments duplicate ACKs showed delivered above SND.UNA (Linux's
          // sacked_out for Reno), and PRR sets cwnd from it as from a scoreboard (RFC 9937, as Linux).
          const mss = this.sndMss;
          const flight = seqDiff(this.sndNxt, this.sndUna);
          if (advanced) {
            // Partial ACK (RFC 6582 §3.2 step 5): one segment filled the hole, the rest had drawn duplicate ACKs
            // (Linux tcp_remove_reno_sacks). The next hole is lost: PRR's share first, then its retransmission.
            const dlv = Math.max(dataAcked - this.inflation, Math.min(dataAcked, mss));
            this.inflation = Math.max(0, this.inflation - Math.max(0, dataAcked - mss));
            this.prr.onAck(dlv, flight - this.inflation - mss, false); // a new loss: no PRR-SSRB (as Linux)
            this.retransmitFirst();
            if (!this.partialAckSeen) {
              this.partialAckSeen = true; // "impatient" variant: only the first partial ACK restarts the timer
              this.armRtx();
            }
          } else if (isDup && this.inflation + mss < flight) {
            this.inflation += mss; // RFC 6582 §3.2 step 4 / RFC 5681 step 4: one more segment has left the network
            this.prr.onAck(mss, flight - this.inflation, false);
          }
        } else {
          // With SACK, PRR sets the window for this ACK; output() then sends by the pipe (RFC 6675 §5 step C).
          this.prr.onAck(delivered, this.sackPipe(), advanced && !newLoss);
        }
        return;
      case 'loss':
        // After an RTO, an ACK of original transmissions (Eifel, RFC 3522) or D-SACKs for every retransmission
        // show that the timeout was spurious: undo it (RFC 4015, Linux tcp_try_undo_loss) and go on with new data.
        if (advanced && this.undo.mayUndo(ecr)) {
          this.undoReduction('TCPLossUndo');
          this.leaveRecovery();
          return;
        }
        if (advanced) {
          this.growCwnd(dataAcked, flightBefore);
          if (seqGe(this.sndUna, this.recoverPoint)) {
            this.rack?.onRecoveryEnd();
            this.caState = this.sb.isEmpty ? 'open' : 'disorder';
            this.dupAcks = 0;
            this.undo.settle();
          }
        }
        return;
    }
  }

  /**
   * A D-SACK arrived (RFC 2883 §4; findDsack): count it as Linux does and let the undo bookkeeping
   * (undo.ts) see it. `priorUna` is SND.UNA before this ACK.
   */
  private dsackReceived(d: Dsack, priorUna: number): void {
    const r = this.undo.onDsack(d, { priorUna, segs: dsackSegments(d, this.sndMss), maxWindow: this.maxSndWnd, totalRetrans: this.totalRetrans });
    for (const c of r.counters) this.sink.count?.(c);
    if (!r.believed) return;
    // A believed D-SACK: RACK (RFC 8985 §6.2 step 4, rack.ts) widens its reordering window, as Linux sets
    // rack.dsack_seen in tcp_dsack_seen.
    this.rack?.onDsack(this.sndNxt);
  }

  /** Take back the last cwnd reduction (undo.ts): count it as Linux does. */
  private undoReduction(counter: UndoCounter): void {
    const rto = this.undo.afterRto;
    this.cc.undo(this.undo.take());
    this.sink.count?.(counter);
    if (rto) this.sink.count?.('TCPSpuriousRTOs');
  }

  /**
   * Fast recovery or RTO recovery is over (a full ACK, or an undo): back to the open state, or
   * 'disorder' while the scoreboard holds SACKed data. After an undo nothing is deemed lost any more
   * (Linux tcp_undo_cwnd_reduction unmarks lost segments): go-back-N stops, new data follows.
   */
  private leaveRecovery(): void {
    this.rack?.onRecoveryEnd();
    this.prr.end();
    this.inflation = 0;
    this.dupAcks = 0;
    this.caState = this.sb.isEmpty ? 'open' : 'disorder';
    this.rtxNxt = this.sndNxt;
  }

  /** Retransmitted data of this recovery above SND.UNA that the peer has not SACKed (Linux retrans_out > 0). */
  private retransmissionsInFlight(): boolean {
    if (!this.sackOk || !seqGt(this.highRxt, this.sndUna)) return false;
    return this.sb.sackedBelow(this.highRxt) < seqDiff(this.highRxt, this.sndUna);
  }

  /**
   * A retransmission can be lost too. Everything at or above `rtxPassMark` was
   * sent after the latest retransmission of this pass; once more than
   * (DupThresh − 1)·SMSS of it is SACKed while a hole the pass already
   * retransmitted is still missing, that retransmission is presumed lost and
   * the pass starts over from SND.UNA (as Linux's lost-retransmit detection;
   * RFC 6675 alone would wait for the RTO).
   */
  private detectLostRetransmit(): void {
    if (!this.sackOk || (this.caState !== 'recovery' && this.caState !== 'loss')) return;
    if (this.rackOn() && this.caState === 'recovery') return; // RACK finds lost retransmissions by time (rack.ts)
    const mark = this.rtxPassMark;
    if (!seqLt(this.sndUna, mark)) return;
    if (this.sb.sackedBytes - this.sb.sackedBelow(mark) <= (this.cfg.dupThresh - 1) * this.sndMss) return;
    const passed = this.caState === 'recovery' ? this.highRxt : this.rtxNxt;
    const hole = this.sb.nextHole(this.sndUna, this.sndNxt);
    if (!hole || !seqLt(hole.seq, passed) || !seqLt(hole.seq, mark)) return;
    this.lostRetransmits++;
    if (this.caState === 'recovery') this.highRxt = this.sndUna;
    else this.rtxNxt = this.sndUna;
    this.rtxPassMark = this.sndNxt;
  }

  /** RFC 5681 §3.2 / RFC 6675 §5: three duplicate ACKs, or the scoreboard says SND.UNA's segment is lost. */
  private lossDetected(): boolean {
    if (seqGe(this.sndUna, this.sndNxt)) return false;
    // With RACK only its marks count, not DupThresh (Linux tcp_time_to_recover with tcp_is_rack).
    if (this.rackOn()) return (this.rack?.lostBytes ?? 0) > 0;
    const bySack = this.sackOk && seqGt(this.lostEdge, this.sndUna);
    if (this.dupAcks < this.cfg.dupThresh && !bySack) return false;
    if (this.sackOk) return true;
    // RFC 6582 §3.2 step 2: no second fast retransmit for duplicates of data sent before the last recovery,
    // unless the ACK heuristic (§4.1) says these duplicates are fresh.
    if (this.pastRecover) return true;
    return this.cc.cwnd > this.sndMss && seqDiff(this.sndUna, this.prevUna) <= 4 * this.sndMss;
  }

  /**
   * An ACK with ECN-Echo (RFC 3168 §6.1.2): cut cwnd as for a loss, through the congestion controller, but
   * retransmit nothing; at most once per window of data (Linux tcp_enter_cwr, only from the Open and
   * Disorder states), and CWR goes on the next new data. TCPDeliveredCE counts the segments this ACK
   * delivered (as Linux, in segments).
   */
  private onEcnEcho(delivered: number, flightBefore: number): void {
    if (delivered > 0) this.sink.count?.('TCPDeliveredCE', Math.ceil(delivered / this.sndMss));
    if ((this.caState !== 'open' && this.caState !== 'disorder') || !this.ecn.mayReduce(this.sndUna)) return;
    this.cc.onLoss(flightBefore, this.now);
    this.ecn.reduced(this.sndNxt);
  }

  /** Fast retransmit and entry into fast recovery (RFC 5681 §3.2 steps 2–3, RFC 6582 §3.2 step 2, RFC 6675 §5 steps 1–3). */
  private enterRecovery(delivered: number, sackedEarlier: number, cumAcked: number): void {
    if (this.pmtu.probe !== undefined && this.sndUna === this.pmtu.probe.start) {
      // The MTU probe was lost, not data to congestion: no cwnd reduction (Linux tcp_fastretrans_alert → tcp_mtup_probe_failed, tcp_simple_retransmit).
      this.mtuProbeLost();
      this.resegmentFlight();
      return;
    }
    const flight = seqDiff(this.sndNxt, this.sndUna);
    this.recoverPoint = this.sndNxt;
    this.pastRecover = false;
    this.undo.begin(this.sndUna, this.cc.cwnd, this.cc.ssthresh, false);
    // A window already cut for ECN-Echo is not cut again for the loss (Linux tcp_enter_recovery: not in a cwnd reduction).
    if (!this.ecn.reducing(this.sndUna)) this.cc.onLoss(flight, this.now);
    this.ecn.endReduction();
    this.ecn.cwrAfterReduction();
    // The controller's ssthresh is PRR's target; PRR, not a cut to ssthresh, sets cwnd from here on. Without SACK the
    // duplicate ACKs stand for segments delivered (`inflation`, RFC 6582 §3.2 step 2), and SND.UNA's segment is lost.
    const mss = this.sndMss;
    const renoSacked = this.sackOk ? 0 : Math.min(this.cfg.dupThresh * mss, Math.max(0, flight - mss));
    const pipe = this.sackOk ? this.sackPipe() : flight - renoSacked - mss;
    const earlier = this.sackOk ? sackedEarlier : Math.max(0, renoSacked - mss);
    this.prr.start({ flight, sackedEarlier: earlier, cumAcked, pipe, ssthresh: this.cc.ssthresh, mss });
    this.caState = 'recovery';
    // PRR's window for the ACK that starts recovery, before the fast retransmission counts as sent
    // (as Linux: tcp_enter_recovery, then tcp_cwnd_reduction, then tcp_xmit_recovery).
    this.prr.onAck(delivered, pipe, false);
    this.partialAckSeen = false;
    this.fastRetransmits++;
    this.sink.count?.(this.sackOk ? 'TCPSackRecovery' : 'TCPRenoRecovery');
    // Holes below HighRxt were retransmitted (in the recovery that just ended) and are not deemed lost:
    // they are still in flight, so the new recovery does not send them again at once (as Linux keeps
    // its retransmitted marks across episodes; issue 10 #8). Lost-retransmit detection or the RTO catches them if lost.
    const inFlight = this.sackOk && seqGt(this.highRxt, this.sndUna);
    if (!inFlight) this.highRxt = this.sndUna;
    this.rtxPassMark = this.sndNxt;
    this.inflation = renoSacked; // 0 with SACK (and so with RACK)
    // The first retransmission goes regardless of pipe and cwnd.
    if (this.rackOn()) {
      const lost = this.rack?.nextLost(this.sndUna);
      if (lost) this.retransmitHole(lost.seq, lost.end, this.segmentRoom());
      return;
    }
    const first = inFlight ? this.sb.nextHole(this.sndUna, this.sndNxt) : undefined;
    if (!first || !seqLt(first.seq, this.highRxt)) this.retransmitFirst();
  }

  /**
   * An ACK in (SND.NXT, SND.MAX]: the peer took data sent before a zero window
   * pulled SND.NXT back (R7). SND.NXT moves up to it; the FIN, if the ACK
   * covers it, counts as sent (the rewind forgot it).
   */
  private takeAckBeyondSndNxt(ack: number): void {
    if (this.finQueued && this.finSeq === undefined && seqDiff(ack, this.sndUna) === this.sendBuf.length + 1) this.finSeq = seqAdd(ack, -1);
    if (this.rtxNxt === this.sndNxt) this.rtxNxt = ack;
    this.sndNxt = ack;
  }

  /** Forget that [SND.UNA, SND.NXT) was sent: the zero window dropped it (flow control, not congestion). */
  private rewindToUna(): void {
    const una = this.sndUna;
    this.sndNxt = una;
    this.rtxNxt = una;
    this.highRxt = una;
    this.lostEdge = una;
    this.sndSml = una;
    if (this.finSeq !== undefined && seqGe(this.finSeq, una)) this.finSeq = undefined;
    this.rttSeq = undefined;
    this.sb.clear();
    this.rtxAt = undefined;
    this.probeOutstanding = false;
    this.caState = 'open';
    this.prr.end();
    this.dupAcks = 0;
    this.inflation = 0;
    this.pastRecover = true;
    this.rack?.clear();
  }

  private armPersist(): void {
    this.persistAt = this.now + this.persistInterval();
  }

  /** The persist timer's interval: the RTO backed off per probe, at most rtoMax (Linux inet_csk_rto_backoff). */
  private persistInterval(): number {
    const base = Math.max(this.rtt.rto, this.cfg.rtoMin);
    return Math.min(this.cfg.rtoMax, base * 2 ** this.persistBackoff);
  }

  /** Retransmit the first unacknowledged (un-SACKed) segment. */
  private retransmitFirst(): void {
    let seq = this.sndUna;
    let end = this.sndNxt;
    if (this.sackOk) {
      const hole = this.sb.nextHole(this.sndUna, this.sndNxt);
      if (hole) {
        seq = hole.seq;
        end = hole.end;
      }
    }
    const len = Math.min(this.segmentRoom(), this.dataUpTo(seq, end));
    this.emit(seq, len, true);
    if (this.sackOk && seqGt(seqAdd(seq, len), this.highRxt)) this.highRxt = seqAdd(seq, len);
  }

  /**
   * Grow cwnd for newly acknowledged data, unless the sender was not using its
   * window: cwnd grows only up to twice the largest flight of the last round
   * trips (RFC 7661's idea; Linux tcp_is_cwnd_limited), so an
   * application-limited sender does not build up a window it never tested.
   */
  private growCwnd(dataAcked: number, flightBefore: number): void {
    if (dataAcked <= 0) return;
    if (this.ecn.reducing(this.sndUna)) return; // cwnd was just cut for ECN-Echo: no growth in that window (Linux's CWR state)
    const used = Math.max(this.maxFlight, flightBefore);
    if (2 * used < this.cc.cwnd) return;
    this.ackSample.ack = this.sndUna;
    this.ackSample.sndNxt = this.sndNxt;
    this.cc.onAck(dataAcked, this.now, this.rtt.srtt, this.ackSample);
  }

  /** SEG.ACK advanced SND.UNA: drop acknowledged data, measure RTT, manage the retransmission timer. Returns the data octets acknowledged. */
  private ackAdvance(seg: Segment): number {
    const ack = seg.ack;
    const una0 = this.sndUna;
    const acked = seqDiff(ack, una0);
    if (acked <= 0) return 0;
    // The SYN and FIN occupy sequence space but no buffer bytes.
    let dataAcked = acked;
    if (this.sndUna === this.iss) dataAcked--; // our SYN
    if (this.finSeq !== undefined && seqGt(ack, this.finSeq)) dataAcked--;
    dataAcked = Math.max(0, Math.min(dataAcked, this.sendBuf.length));
    this.sendBuf.drop(dataAcked);
    this.sndUna = ack;
    this.bytesAcked += dataAcked;
    this.lastAck = this.now;
    if (seqGt(ack, this.recoverPoint)) this.pastRecover = true;
    if (seqLt(this.rtxNxt, ack)) this.rtxNxt = ack;
    if (seqLt(this.highRxt, ack)) this.highRxt = ack;
    if (seqLt(this.sndSml, ack)) this.sndSml = ack;
    if (seqLt(this.rtxUntil, una0)) this.rtxUntil = una0; // keep it within 2^31 of SND.UNA
    if (seqLt(this.rtxPassMark, ack)) this.rtxPassMark = ack;
    if (seqLt(this.flightMark, ack)) this.flightMark = ack;
    this.sb.advance(ack);
    if (this.sb.isEmpty) this.sb = NO_SACKS;

    // RTT sample (RFC 6298 §3 Karn's rule; RFC 7323 §4.1 with timestamps).
    // After an RTO, a TSecr older than the retransmission, on an ACK that covers retransmitted data, may
    // echo the original transmission of data whose ACK was lost: that sample would include the RTO wait
    // (Karn's ambiguity again; RFC 7323 §4.2 leaves it to the sender), so it is skipped.
    const ecr = seg.options.ts?.ecr;
    if (this.tsOk && ecr !== undefined && ecr !== 0) {
      if (!(this.caState === 'loss' && seqLt(una0, this.rtxUntil) && seqLt(ecr, this.rtxTsval))) this.rttSample(Math.max(0, seqDiff(this.tsNow(), ecr)));
    } else if (this.rttSeq !== undefined && seqGe(ack, this.rttSeq)) {
      this.rttSample(this.now - this.rttStart);
      this.rttSeq = undefined;
    }
    this.rtxCount = 0;
    // RFC 6298 §5.2–5.3: stop the timer when all is acked, else restart it
    // (during NewReno recovery only for the first partial ACK, RFC 6582 §3.2 step 5).
    if (seqGe(this.sndUna, this.sndNxt)) this.rtxAt = undefined;
    else if (!(this.caState === 'recovery' && !this.sackOk && this.partialAckSeen)) this.armRtx();
    this.armProbe();

    // Linux tcp_check_space → tcp_new_space: room for a growing cwnd, unless a full cwnd is in flight
    // already (tcp_should_expand_sndbuf: the buffer is not what holds the sender back then).
    if (seqDiff(this.sndNxt, this.sndUna) < this.cc.cwnd) this.expandSendBuffer();
    this.notifyWritable();
    return dataAcked;
  }

  /** Send buffer growth with cwnd (Linux tcp_sndbuf_expand), unless SO_SNDBUF fixed it. */
  private expandSendBuffer(): void {
    if (this.cfg.sendBufferSize !== undefined) return;
    this.sendBuf.capacity = expandedSendBuffer(this.sendBuf.capacity, this.cc.cwnd, this.sndMss, this.cfg.initialCwnd, this.cfg.wmem[2]);
  }

  private notifyWritable(): void {
    if (this.wantWritable && this.sendBuf.free > 0 && !this.finQueued) {
      this.wantWritable = false;
      this.emit_(WRITABLE);
    }
  }

  private rttSample(ms: number): void {
    this.ackSample.rtt = ms;
    this.rtt.sample(ms);
    if (this.minRtt === undefined || ms < this.minRtt) this.minRtt = ms;
  }

  /**
   * SND.WND update (RFC 9293 §3.10.7.4 "fifth", SND.WL1/WL2 rule). Only an ACK at or above SND.UNA may
   * update it: an older one is a duplicate to ignore (§3.10.7.4), else a spoofed old ACK carrying a SEQ
   * ahead in the window would close the window and move SND.WL1 past every segment the peer sends next.
   * As Linux (tcp_may_update_window), an ACK that advances SND.UNA updates it whatever SND.WL1 says.
   */
  private updateWindow(seg: Segment, synSegment: boolean, advanced: boolean): void {
    if (seqGe(seg.ack, this.sndUna) && (advanced || seqLt(this.sndWl1, seg.seq) || (this.sndWl1 === seg.seq && seqLe(this.sndWl2, seg.ack)))) {
      this.sndWnd = synSegment ? seg.window : seg.window << this.sndScale;
      this.sndWl1 = seg.seq;
      this.sndWl2 = seg.ack;
      if (this.sndWnd > this.maxSndWnd) this.maxSndWnd = this.sndWnd;
      if (this.sndWnd > 0) {
        this.persistAt = undefined;
        this.persistBackoff = 0;
      }
    }
    // A peer that answers our zero-window probes is alive: probing goes on as long as it answers (as Linux).
    if (this.sndWnd === 0) this.rtxCount = 0;
  }

  // ─────────────────────────── receiving text ───────────────────────────

  /** Segment acceptability test, RFC 9293 §3.10.7.4 table. */
  private acceptable(seg: Segment): boolean {
    const len = segLen(seg);
    const wnd = Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt));
    // RFC 9293: with a zero window still process valid ACKs and RSTs; the text is dropped later.
    if (wnd === 0 && len > 0) return seg.seq === this.rcvNxt;
    return segmentAcceptable(seg.seq, len, this.rcvNxt, wnd);
  }

  /**
   * Accept the text of an acceptable segment (trimmed to the window) into the
   * receive queue or the out-of-order queue. Returns true when a FIN is now in order.
   * ACK policy (RFC 5681 §4.2, RFC 1122 §4.2.3.2): out-of-order data, a
   * segment that fills a hole, and duplicates are ACKed at once; in-order
   * data is ACKed at least every second full-sized segment, else after
   * `delayedAckMs`. onFinReceived ACKs the FIN (at once unless delayedAckOnFin).
   */
  private receiveText(seg: Segment): boolean {
    if (!this.canReceive()) return false; // CLOSE_WAIT, CLOSING, LAST_ACK: the peer already sent FIN
    this.textFilledHole = false;
    const ecnAckNow = this.ecn.onData(seg.flags, seg.payload.length, seg.ecn); // RFC 3168 §6.1.3: CWR, then CE

    let seq = seg.seq;
    let data = seg.payload;
    let fin = (seg.flags & FIN) !== 0;
    if (data.length > 0) this.dataSegsIn++;
    // Trim the part before RCV.NXT (duplicates).
    const before = seqDiff(this.rcvNxt, seq);
    if (before > 0) {
      if (data.length > 0) this.reportDuplicate(seq, seqAdd(seq, Math.min(before, data.length)));
      if (before > data.length) fin = false; // the FIN, too, lies before RCV.NXT
      data = before >= data.length ? EMPTY : data.subarray(before);
      seq = this.rcvNxt;
    }
    // Trim what lies beyond the advertised window.
    const wnd = Math.max(0, seqDiff(this.rcvAdvEdge, seq));
    if (data.length > wnd) {
      if (wnd === 0) this.sink.count?.('TCPZeroWindowDrop');
      data = data.subarray(0, wnd);
      fin = false;
    }
    if (data.length > 0 && this.appClosed) {
      // Linux: new data for a socket the application has closed → RST (LINUX_MIB_TCPABORTONDATA).
      this.sink.count?.('TCPAbortOnData');
      this.sendReset();
      this.terminate(undefined);
      return false;
    }
    // Octets the out-of-order queue already holds: a duplicate to report (RFC 2883).
    const held = data.length > 0 && !this.ooo.isEmpty ? this.ooo.overlap(seq, seqAdd(seq, data.length)) : undefined;
    if (seq === this.rcvNxt) {
      if (data.length > 0) {
        const fillsHole = !this.ooo.isEmpty;
        this.textFilledHole = fillsHole;
        this.recvQ.push(data);
        this.rcvNxt = seqAdd(this.rcvNxt, data.length);
        this.bytesReceived += data.length;
        // Pull whatever the hole was holding back.
        const joined = this.ooo.takeFrom(this.rcvNxt); // already in place in recvQ
        if (this.ooo.isEmpty) this.ooo = NO_REASSEMBLY;
        this.rcvNxt = seqAdd(this.rcvNxt, joined);
        this.bytesReceived += joined;
        if (held !== undefined) this.reportDuplicate(held[0], held[1], true); // Linux tcp_ofo_queue: tcp_dsack_extend
        this.measureReceiveRtt(seg);
        if (this.oooFin !== undefined && this.oooFin === this.rcvNxt) {
          fin = true;
          this.oooFin = undefined;
        }
        this.emit_(READABLE);
        if (!fin) {
          if (fillsHole || !this.cfg.delayedAck || ecnAckNow) this.sendAck();
          else this.delayAck(data.length, seg.payload.length);
        }
      } else if (!fin) {
        this.sendAck(); // a duplicate: ACK at once so the sender learns RCV.NXT (RFC 5681 §4.2)
      }
      return fin;
    }
    // Out of order: keep it and ACK at once, with SACK blocks (RFC 5681 §4.2, RFC 2018).
    if (held !== undefined) this.reportDuplicate(held[0], held[1]); // Linux tcp_data_queue_ofo: tcp_dsack_set
    if (data.length > 0) {
      if (this.ooo === NO_REASSEMBLY) this.ooo = new Reassembly(this.recvQ, this.cfg.oooMaxBlocks);
      const queued = this.ooo.insert(seq, data, this.rcvNxt);
      this.sink.count?.(queued ? 'TCPOFOQueue' : 'TCPOFODrop');
    }
    if (fin) this.oooFin = seqAdd(seq, data.length);
    this.sendAck();
    return false;
  }

  /**
   * RFC 2883: the duplicate [start, end) (payload octets) is reported in the first SACK block of our next
   * ACK — on SACK connections, as Linux with net.ipv4.tcp_dsack = 1 (tcp_dsack_set; with `extend`,
   * tcp_dsack_extend). Only the part below RCV.NXT of a segment that reaches beyond it is a duplicate.
   */
  private reportDuplicate(start: number, end: number, extend = false): void {
    if (!this.sackOk || !this.cfg.dsack || !seqLt(start, end)) return;
    if (!extend && seqLt(start, this.rcvNxt) && seqGt(end, this.rcvNxt)) end = this.rcvNxt;
    const counter = extend ? this.dsack.extend(start, end, this.rcvNxt) : this.dsack.set(start, end, this.rcvNxt);
    if (counter !== undefined) this.sink.count?.(counter);
  }

  /** Receiver RTT samples for autotuning (Linux tcp_rcv_rtt_measure and tcp_rcv_rtt_measure_ts, called on in-order data). */
  private measureReceiveRtt(seg: Segment): void {
    if (this.cfg.recvBufferSize !== undefined || !this.cfg.moderateRcvbuf) return;
    // Linux tcp_init_buffer_space: the first measure starts from min(window, 10 advertised MSS).
    const at = (this.autotune ??= new ReceiveAutotune(this.cfg.rmem[1], Math.min(this.cfg.rmem[1], 10 * this.cfg.mss), this.bytesReceived - this.recvQ.length, this.now));
    at.onInOrderData(this.rcvNxt, Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt)), this.now);
    const ecr = seg.options.ts?.ecr;
    if (this.tsOk && ecr !== undefined && ecr !== 0) at.onTimestampEcho(ecr, seqDiff(this.tsNow(), ecr), seg.payload.length, this.rcvMss);
  }

  /** In-order data arrived and may wait for a delayed ACK: ACK now once two full-sized segments are unacknowledged. */
  private delayAck(bytes: number, segmentSize: number): void {
    if (segmentSize > this.rcvMss) this.rcvMss = Math.min(segmentSize, this.cfg.mss);
    this.ackPendingBytes += bytes;
    if (this.ackPendingBytes >= 2 * this.rcvMss) {
      this.sendAck();
      return;
    }
    this.scheduleAck();
  }

  private scheduleAck(): void {
    this.ackPending = true;
    if (this.delackAt === undefined) this.delackAt = this.now + this.cfg.delayedAckMs;
  }

  /** The peer's FIN is in order (RFC 9293 §3.10.7.4 "eighth"). */
  private onFinReceived(ourFinAcked: boolean, mayDelayAck: boolean): void {
    this.rcvNxt = seqAdd(this.rcvNxt, 1);
    this.peerFin = true;
    switch (this.state) {
      case 'ESTABLISHED':
        // With delayedAckOnFin, as Linux (tcp_fin enters "pingpong" mode), the ACK of the FIN is delayed:
        // an application that closes at EOF sends its FIN on the same segment (FIN,ACK).
        if (mayDelayAck) this.scheduleAck();
        else this.sendAck();
        this.emit_(EOF);
        this.setState('CLOSE_WAIT');
        return;
      default:
        break;
    }
    this.sendAck();
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

  /**
   * Send what the windows allow: retransmissions first (go-back-N after an
   * RTO, RFC 6675 NextSeg() during SACK recovery), then new data, then the
   * FIN once all data is out. The peer's window is never exceeded; cwnd
   * bounds the data in flight (the RFC 6675 pipe during recovery). Nagle
   * (RFC 896, with Minshall's refinement) and sender SWS avoidance
   * (RFC 1122 §4.2.3.4) hold back small segments.
   */
  private output(isRto = false): void {
    if (!this.canSendData()) return;
    // RFC 5681 §4.1: after an idle period longer than the RTO, restart from the initial window.
    if (
      this.cfg.slowStartAfterIdle &&
      this.sndUna === this.sndNxt &&
      this.caState === 'open' &&
      this.lastSend !== undefined &&
      this.now - this.lastSend > this.rtt.rto &&
      this.hasUnsent()
    ) {
      this.cc.onIdleRestart(this.now);
      this.lastSend = this.now;
    }
    let blocked = false;
    for (let n = 0; n < MAX_OUTPUT_SEGMENTS; n++) {
      const r = this.sendOne(isRto && n === 0);
      if (r !== SENT) {
        blocked = r === WINDOW_BLOCKED;
        break;
      }
      if (isRto) break; // after an RTO, one segment; the rest follow as ACKs open cwnd
    }
    // Nothing in flight, data waiting, the peer's window too small for it: the persist timer probes
    // (RFC 9293 §3.8.6.1) or sends what fits (RFC 1122 §4.2.3.4 override timeout).
    if (blocked && seqGe(this.sndUna, this.sndNxt) && this.persistAt === undefined) this.armPersist();
  }

  /** One segment, if anything may go now. */
  private sendOne(forced: boolean): SendResult {
    const room = this.segmentRoom();
    const cwnd = this.cwnd();

    // Go-back-N after an RTO (RFC 5681 §3.1, RFC 6298 §5.4), skipping what the peer SACKed since.
    // The pass covers what was outstanding at the RTO (`recoverPoint`; Linux's tcp_enter_loss marks only that lost):
    // data sent since is not presumed lost when a lost retransmission restarts the pass.
    const passEnd = seqLt(this.recoverPoint, this.sndNxt) ? this.recoverPoint : this.sndNxt;
    if (this.caState === 'loss' && seqLt(this.rtxNxt, passEnd)) {
      let seq = this.rtxNxt;
      let end = passEnd;
      if (this.sackOk && !this.sb.isEmpty) {
        const hole = this.sb.nextHole(seq, passEnd);
        if (hole) {
          seq = hole.seq;
          end = hole.end;
        } else {
          seq = end = passEnd;
        }
      }
      if (seqLt(seq, passEnd)) {
        const len = Math.min(room, this.dataUpTo(seq, end));
        const pipe = seqDiff(seq, this.sndUna) - this.sb.sackedBelow(seq);
        if (!forced && pipe + Math.max(len, 1) > cwnd) return CWND_BLOCKED;
        const sent = this.emit(seq, len, true);
        this.rtxNxt = seqAdd(seq, sent);
        return SENT;
      }
      this.rtxNxt = this.sndNxt;
    }

    if (this.caState === 'recovery' && this.sackOk) {
      // RFC 6675 §5 step (C): send while cwnd − pipe ≥ 1 SMSS, choosing by NextSeg().
      if (cwnd - this.sackPipe() < room) return CWND_BLOCKED;
      if (this.rackOn()) {
        // With RACK, as Linux (tcp_xmit_retransmit_queue): what RACK marked lost, then new data; a hole not
        // marked yet waits for RACK (its timer), so reordering within reo_wnd is not retransmitted.
        const lost = this.rack?.nextLost(this.sndUna);
        if (lost) return this.retransmitHole(lost.seq, lost.end, room);
        return this.sendNew(room, Infinity);
      }
      const from = seqMax(this.highRxt, this.sndUna);
      const hole = this.sb.nextHole(from, this.sndNxt);
      // NextSeg rule 1: the first lost hole above HighRxt.
      if (hole && seqLt(hole.seq, this.lostEdge)) return this.retransmitHole(hole.seq, hole.end, room);
      // Rule 2: new data.
      const r = this.sendNew(room, Infinity);
      if (r === SENT) return r;
      // Rule 3: a hole below the highest SACKed octet, not yet deemed lost.
      const high = this.sb.highestSacked;
      if (hole && high !== undefined && seqLt(hole.seq, high)) return this.retransmitHole(hole.seq, hole.end, room);
      return r;
    }

    // New data within cwnd.
    let pipe: number;
    if (this.caState === 'recovery') {
      pipe = seqDiff(this.sndNxt, this.sndUna) - this.inflation; // NewReno: less what duplicate ACKs showed delivered
    } else {
      pipe = seqDiff(this.sndNxt, this.sndUna) - this.sb.sackedBytes;
      // Limited transmit (RFC 3042): the first two duplicate ACKs each allow one new segment.
      if (this.caState === 'disorder' && !this.sackOk) pipe -= Math.min(this.dupAcks, this.cfg.dupThresh - 1) * this.sndMss;
    }
    const probe = forced ? NOTHING : this.sendMtuProbe(cwnd - pipe);
    if (probe !== NOTHING) return probe;
    return this.sendNew(room, forced ? Infinity : cwnd - pipe);
  }

  private retransmitHole(seq: number, end: number, room: number): SendResult {
    const len = Math.min(room, this.dataUpTo(seq, end));
    const sent = this.emit(seq, len, true);
    if (seqGt(seqAdd(seq, sent), this.highRxt)) this.highRxt = seqAdd(seq, sent);
    return SENT;
  }

  /** New data (or the FIN) at SND.NXT, within the peer's window, `budget` bytes of cwnd, Nagle and SWS rules. */
  private sendNew(room: number, budget: number): SendResult {
    const seq = this.sndNxt;
    const dataEnd = seqAdd(this.sndUna, this.sendBuf.length);
    const dataLeft = Math.max(0, seqDiff(dataEnd, seq));
    const finPending = this.finQueued && this.finSeq === undefined;
    if (dataLeft === 0) {
      if (!finPending) return NOTHING;
      this.emit(seq, 0, false); // a lone FIN needs no window
      return SENT;
    }
    const inWindow = Math.max(0, seqDiff(seqAdd(this.sndUna, this.sndWnd), seq));
    let len = Math.min(dataLeft, room, inWindow);
    if (len === 0) return WINDOW_BLOCKED;
    if (len < room && len < dataLeft) {
      // The window cuts the segment short. RFC 1122 §4.2.3.4 sender SWS avoidance: send only a
      // fraction Fs = 1/2 of the largest window the peer offered; else wait (the persist timer overrides).
      if (len < this.maxSndWnd / 2 || !this.nagleAllows()) return WINDOW_BLOCKED;
    } else if (len < room && !this.nagleAllows() && !finPending) {
      return NOTHING; // Nagle: the small tail waits for the ACK of the small segment in flight
    }
    if (len > budget) {
      // cwnd: whole segments only, the FIN-carrying tail aside.
      if (budget <= 0 || budget < Math.min(len, room)) return CWND_BLOCKED;
      len = budget;
    }
    // A TSO link takes one super-segment for many (tso.ts); not in recovery, nor for probes (budget Infinity).
    if (len === room && this.cfg.tsoMax > room && this.caState === 'open' && budget !== Infinity) {
      len = tsoLength(room, this.cfg.tsoMax, dataLeft, inWindow, budget, finPending || this.nagleAllows());
    }
    this.emit(seq, len, false);
    return SENT;
  }

  /** Nagle's algorithm with Minshall's refinement, as Linux: a small segment may go unless an earlier small one is unacknowledged. */
  private nagleAllows(): boolean {
    return this.cfg.noDelay || !seqGt(this.sndSml, this.sndUna);
  }

  /** Payload room in one segment: the MSS less the options this segment carries beyond the fixed ones (SACK blocks). */
  private segmentRoom(): number {
    if (!this.sackOk || (this.ooo.isEmpty && !this.dsack.pending)) return this.sndMss;
    const blocks = Math.min(this.ooo.blockCount + (this.dsack.pending ? 1 : 0), this.tsOk ? 3 : 4);
    return Math.max(1, this.sndMss - (4 + 8 * blocks));
  }

  /** Octets of queued data in [seq, end). */
  private dataUpTo(seq: number, end: number): number {
    const dataEnd = seqAdd(this.sndUna, this.sendBuf.length);
    const stop = seqLt(end, dataEnd) ? end : dataEnd;
    return Math.max(0, seqDiff(stop, seq));
  }

  /** Unsent data or an unsent FIN. */
  private hasUnsent(): boolean {
    return seqDiff(seqAdd(this.sndUna, this.sendBuf.length), this.sndNxt) > 0 || (this.finQueued && this.finSeq === undefined);
  }

  /**
   * Put [seq, seq+len) on the wire, with FIN when it ends the data and the
   * user has closed. Returns the sequence space used (len, +1 for a FIN).
   */
  private emit(seq: number, len: number, rtx: boolean): number {
    const dataEnd = seqAdd(this.sndUna, this.sendBuf.length);
    const end = seqAdd(seq, len);
    const fin = this.finQueued && end === dataEnd;
    let flags = ACK;
    if (len > 0 && end === dataEnd) flags |= PSH;
    if (fin) flags |= FIN;
    // RFC 3168 §6.1.5/§6.1.6: ECT (and CWR) only on data never sent before (not below SND.MAX), and not on a
    // zero-window probe (the only data this connection sends while SND.WND is 0).
    const newData = len > 0 && !seqLt(seq, this.sndMax) && this.sndWnd > 0;
    flags |= this.ecn.takeCwr(newData);
    const payload = len > 0 ? this.sendBuf.peek(seqDiff(seq, this.sndUna), len) : EMPTY;
    const segOut = this.buildSegment(flags, seq, payload);
    if (newData) segOut.ecn = this.ecn.dataCodepoint(true);
    if (fin && this.finSeq === undefined) this.finSeq = end;
    const used = len + (fin ? 1 : 0);
    const segEnd = seqAdd(seq, used);
    const isNew = seqGt(segEnd, this.sndNxt);
    if (rtx && !isNew) {
      segOut.rtx = true;
      // Only data sent after this retransmission can show that it was lost (detectLostRetransmit): SACKs of
      // data sent before it, later in the same instant, once made the hole go out twice (issue 10 #8).
      this.rtxPassMark = this.sndNxt;
      this.rtxUntil = this.sndNxt;
      this.rtxTsval = this.tsNow();
      this.totalRetrans++;
      if (this.caState === 'loss' || this.caState === 'recovery') this.undo.retransmitted(this.rtxTsval);
      if (this.caState !== 'loss') this.sink.count?.('TCPFastRetrans'); // as Linux: retransmissions outside RTO recovery
      this.bytesRetrans += len;
      // Karn (RFC 6298 §3): a retransmitted range is not timed.
      if (this.rttSeq !== undefined && seqLt(seq, this.rttSeq)) this.rttSeq = undefined;
    } else {
      if (this.rttSeq === undefined && !this.tsOk && len > 0) {
        this.rttSeq = segEnd;
        this.rttStart = this.now;
      }
      const room = this.segmentRoom();
      if (len < room || len % room !== 0) this.sndSml = segEnd; // a TSO super-segment ending in a small segment counts as small (Linux tcp_minshall_update)
      if (len > room) segOut.segmentSize = room;
    }
    this.segsOut++;
    if (len > 0) {
      this.dataSegsOut++;
      this.bytesSent += len;
      if (this.caState === 'recovery') this.prr.onSend(len);
    }
    this.transmit(segOut);
    if (used > 0 && this.rackOn()) (this.rack ??= new Rack(() => this.sb, (c) => this.sink.count?.(c))).onSend(seq, segEnd, this.now, fin);
    if (isNew) {
      if (this.rtxNxt === this.sndNxt) this.rtxNxt = segEnd; // the go-back-N pointer never re-sends new data
      this.sndNxt = segEnd;
      if (seqGt(segEnd, this.sndMax)) this.sndMax = segEnd;
      const flight = seqDiff(segEnd, this.sndUna);
      if (flight > this.maxFlight || seqGe(this.sndUna, this.flightMark)) {
        this.maxFlight = flight;
        this.flightMark = segEnd;
      }
    }
    this.lastSend = this.now;
    if (this.rtxAt === undefined) this.armRtx();
    if (isNew) this.armProbe();
    return used;
  }

  /** The congestion window: PRR's during fast recovery (prr.ts), else the controller's. */
  private cwnd(): number {
    return this.caState === 'recovery' && this.prr.active ? this.prr.cwnd : this.cc.cwnd;
  }

  /** RFC 6675 SetPipe(): octets presumed in the network during SACK recovery. */
  private sackPipe(): number {
    const una = this.sndUna;
    let pipe = seqDiff(this.sndNxt, una) - this.sb.sackedBytes;
    if (this.rackOn()) return Math.max(0, pipe - (this.rack?.lostBytes ?? 0)); // lost marks leave the pipe; a retransmission clears its mark
    if (seqGt(this.lostEdge, una)) pipe -= seqDiff(this.lostEdge, una) - this.sb.sackedBelow(this.lostEdge);
    if (seqGt(this.highRxt, una)) pipe += seqDiff(this.highRxt, una) - this.sb.sackedBelow(this.highRxt);
    return pipe;
  }

  /** (Re)start the retransmission timer; the RTO carries any backoff until a new RTT sample resets it. */
  private armRtx(): void {
    this.rtxAt = this.now + this.rtt.rto;
  }

  /**
   * Linux's TCP_CA_Open on a SACK connection: no recovery, nothing SACKed. A duplicate ACK without
   * SACK blocks (say, for an out-of-order FIN) does not leave it, though it makes our state 'disorder'.
   */
  private lossFree(): boolean {
    return this.caState === 'open' || (this.caState === 'disorder' && this.sb.isEmpty);
  }

  /**
   * RFC 8985 §7.2: (re)start the probe timer after new data goes out or an ACK moves SND.UNA, on a
   * SACK connection in the open state with data in flight and no probe outstanding (Linux
   * tcp_schedule_loss_probe); otherwise the RTO alone guards the flight.
   */
  private armProbe(): void {
    if (!this.cfg.tlp || !this.sackOk || !this.lossFree() || this.tlp.outstanding || !this.canSendData() || !seqLt(this.sndUna, this.sndNxt) || this.rtxAt === undefined) {
      this.tlp.cancel();
      return;
    }
    const flight = seqDiff(this.sndNxt, this.sndUna) - this.sb.sackedBytes;
    if (this.tlp === NO_PROBE) this.tlp = new TailLossProbe();
    this.tlp.armFor(this.now, this.rtt.srtt, flight, this.sndMss, this.cfg.rtoMin, this.rtxAt - this.now);
  }

  /**
   * RFC 8985 §7.3: the PTO fired. Send one probe — new data if the peer's window takes it (cwnd and
   * Nagle aside, as Linux), else the last segment again — and restart the RTO from now.
   */
  private onProbeTimeout(): void {
    if (!this.lossFree() || this.tlp.outstanding || !this.canSendData() || !seqLt(this.sndUna, this.sndNxt) || this.sndWnd === 0) return;
    const room = this.segmentRoom();
    let seq = this.sndNxt;
    if (this.sendNew(room, Infinity) !== SENT) {
      const dataEnd = seqAdd(this.sndUna, this.sendBuf.length);
      const last = lastSegment(this.sndUna, seqLt(this.sndNxt, dataEnd) ? this.sndNxt : dataEnd, room);
      seq = last.seq;
      this.emit(last.seq, last.len, true);
    }
    this.tlp.sent(seq, this.sndNxt);
    this.tlp.cancel();
    this.sink.count?.('TCPLossProbes');
    this.armRtx();
  }

  /** RACK (RFC 8985 §6) detects losses on SACK connections when configured (Linux tcp_recovery = 1); else DupThresh does. */
  private rackOn(): boolean {
    return this.cfg.rack && this.sackOk;
  }

  /** RACK's inputs, in one object reused for every ACK (no allocation on the ACK path). */
  private rackInputs(): RackAck {
    const a = (this.rackAck ??= { now: 0, una: 0, blocks: undefined, echoedAt: undefined, minRtt: undefined, srtt: undefined, inRecovery: false, dupThresh: 3 });
    a.now = this.now;
    a.una = this.sndUna;
    a.blocks = undefined;
    a.echoedAt = undefined;
    a.minRtt = this.minRtt;
    a.srtt = this.rtt.srtt;
    a.inRecovery = this.caState === 'recovery' || this.caState === 'loss';
    a.dupThresh = this.cfg.dupThresh;
    return a;
  }

  /** When (ms, on our clock) the TSval an ACK echoes was sent; undefined without timestamps. */
  private echoedAt(seg: Segment): number | undefined {
    const ecr = seg.options.ts?.ecr;
    if (!this.tsOk || ecr === undefined || ecr === 0) return undefined;
    return Math.floor(this.now) - seqDiff(this.tsNow(), ecr);
  }

  /**
   * RFC 8985 §6.3: the reordering timer fired. Segments that were within reo_wnd are lost now: enter
   * recovery if not in it, and retransmit them (Linux tcp_rack_reo_timeout).
   */
  private onRackTimeout(): void {
    const rack = this.rack;
    if (!rack) return;
    if (!this.rackOn() || !this.canSendData() || seqGe(this.sndUna, this.sndNxt)) {
      rack.at = undefined;
      return;
    }
    if (rack.onTimeout(this.rackInputs()) === 0) return;
    if ((this.caState === 'open' || this.caState === 'disorder') && this.lossDetected()) this.enterRecovery(this.sndMss, this.sb.sackedBytes, 0); // PRR counts one segment delivered, as Linux tcp_rack_reo_timeout (tcp_cwnd_reduction(sk, 1, 0))
    this.output();
  }

  private tsNow(): number {
    return (Math.floor(this.now) + this.cfg.tsOffset) >>> 0;
  }

  private setTsRecent(val: number): void {
    this.tsRecent = val;
    this.tsRecentAge = this.now;
  }

  /** The free receive space from RCV.NXT: the window we may offer. */
  private freeWindow(): number {
    return Math.max(0, this.recvBufferSize - this.recvQ.length);
  }

  /** RFC 1122 §4.2.3.3: the right edge moves only by at least min(RCV.BUFF/2, Eff.rcv.MSS). */
  private swsThreshold(): number {
    return Math.min(this.recvBufferSize / 2, this.cfg.mss);
  }

  /** Window field for an outgoing segment; the right edge never moves left (RFC 9293 §3.8.6.2.2) and moves right only in steps worth announcing (receiver SWS avoidance). */
  private windowField(syn: boolean, resend = false): number {
    const free = this.freeWindow();
    if (syn) {
      const w = Math.min(free, 0xffff);
      const edge = seqAdd(this.rcvNxt, w);
      // A SYN-ACK sent again must not take back the window an ACK sent since offered (RFC 9293 §3.8.6.2.2);
      // the first one sets the edge (RCV.NXT was unknown before the SYN).
      this.rcvAdvEdge = resend && seqGt(this.rcvAdvEdge, edge) ? this.rcvAdvEdge : edge;
      return w;
    }
    const unit = 1 << this.rcvScale;
    const promised = Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt));
    let wnd = free;
    if (wnd <= promised || wnd - promised < this.swsThreshold()) wnd = promised;
    let field = Math.min(0xffff, Math.floor(wnd / unit));
    if (field * unit < promised) field = Math.min(0xffff, Math.ceil(promised / unit));
    const edge = seqAdd(this.rcvNxt, field * unit);
    this.rcvAdvEdge = seqMax(this.rcvAdvEdge, edge);
    return field;
  }

  private buildSegment(flags: number, seq: number, payload: Uint8Array): OutSegment {
    const options: TcpOptions = {};
    if (this.tsOk) options.ts = { val: this.tsNow(), ecr: this.tsRecent };
    if (this.sackOk && flags & ACK) {
      // RFC 2883 §4: a D-SACK block goes first, then the usual SACK blocks (RFC 2018 §4).
      const max = this.tsOk ? 3 : 4;
      const d = this.dsack.take();
      if (d !== undefined) options.sack = [d, ...this.ooo.sackBlocks(max - 1)];
      else if (!this.ooo.isEmpty) options.sack = this.ooo.sackBlocks(max);
    }
    const window = this.windowField(false);
    flags |= this.ecn.ackFlags(); // RFC 3168 §6.1.3: ECE on every segment until the peer's CWR
    if (flags & ACK) {
      this.lastAckSent = this.rcvNxt;
      this.ackPendingBytes = 0; // this segment carries the ACK a delayed ACK would have sent
      this.ackPending = false;
    }
    return { seq, ack: flags & ACK ? this.rcvNxt : 0, flags, window, options, payload };
  }

  private sendSyn(withAck: boolean, rtx = false): void {
    const options: TcpOptions = { mss: this.cfg.mss };
    // In a SYN-ACK, offer only what the peer's SYN offered (RFC 7323 §1.3, RFC 2018 §2).
    const offerWs = withAck ? this.wsOk : this.cfg.windowScaling;
    const offerSack = withAck ? this.sackOk : this.cfg.sack;
    const offerTs = withAck ? this.tsOk : this.cfg.timestamps;
    if (offerSack) options.sackPermitted = true;
    if (offerTs) options.ts = { val: this.tsNow(), ecr: withAck ? this.tsRecent : 0 };
    if (offerWs) options.wscale = this.rcvScale;
    const seg: OutSegment = {
      seq: this.iss,
      ack: withAck ? this.rcvNxt : 0,
      flags: withAck ? SYN | ACK | this.ecn.synAckFlags() : SYN | this.ecn.synFlags(this.cfg.ecn, rtx),
      window: this.windowField(true, rtx && withAck),
      options,
      payload: EMPTY,
    };
    if (rtx) {
      seg.rtx = true;
      this.totalRetrans++;
    }
    if (withAck) this.lastAckSent = this.rcvNxt;
    this.segsOut++;
    this.transmit(seg);
  }

  private sendAck(): void {
    this.segsOut++;
    this.transmit(this.buildSegment(ACK, this.acceptableSeq(), EMPTY));
  }

  /**
   * SEG.SEQ for a segment without data (a pure ACK or a RST): SND.MAX, as BSD's tcp_output sends such
   * segments at snd_max. Not SND.NXT: after a rewind (zero window, persist) SND.NXT can lie below what the
   * peer has already received, and a pure ACK there is an old duplicate the peer drops unread, ACK field
   * and all (fuzz case 3605780945: both ends dropped each other's ACKs until one timed out). Nor Linux's
   * clamp to the send window's edge (tcp_acceptable_seq): a spoofed in-window segment with window 0 moves
   * that edge back below the peer's RCV.NXT, and both ends then drop each other's ACKs the same way (fuzz
   * case 439084160). At SND.MAX the worst case is a peer that shrank its window: it answers with a duplicate
   * ACK, which tells us its window.
   */
  private acceptableSeq(): number {
    return this.sndMax;
  }

  /** ACKs answering bad segments (challenge ACKs, RFC 5961 §7) are rate-limited per connection. */
  private sendAckLimited(): void {
    if (allowChallengeAck(this, this.now, this.cfg.challengeAckLimit)) this.sendAck();
  }

  /** A challenge ACK (RFC 5961 §§3.2, 4.2, 5.2), rate-limited; Linux counts the ones sent (TCPChallengeACK). */
  private sendChallengeAck(): void {
    if (allowChallengeAck(this, this.now, this.cfg.challengeAckLimit)) {
      this.sink.count?.('TCPChallengeACK');
      this.sendAck();
    }
  }

  /** RST,ACK (RFC 9293 §3.10.4/§3.10.5; Linux also sets ACK) at SND.NXT — SND.MAX after a rewind (see acceptableSeq). */
  private sendReset(): void {
    this.segsOut++;
    this.transmit({ seq: this.acceptableSeq(), ack: this.rcvNxt, flags: RST | ACK, window: 0, options: {}, payload: EMPTY });
  }

  private transmit(seg: OutSegment): void {
    this.sink.transmit(seg);
  }

  // ─────────────────────────────── timers ───────────────────────────────

  /**
   * When `onTimer` must run next. Re-arming is lazy: while an earlier
   * deadline handed out is still pending it is reported again, so the owner
   * does not reschedule on every ACK that pushes the RTO back; `onTimer`
   * then finds nothing due and the following call reports the real deadline.
   */
  get nextDeadline(): number | undefined {
    let d = this.rtxAt;
    let t = this.closeAt;
    if (t !== undefined && (d === undefined || t < d)) d = t;
    t = this.persistAt;
    if (t !== undefined && (d === undefined || t < d)) d = t;
    t = this.delackAt;
    if (t !== undefined && (d === undefined || t < d)) d = t;
    t = this.keepAt;
    if (t !== undefined && (d === undefined || t < d)) d = t;
    t = this.tlp.at;
    if (t !== undefined && (d === undefined || t < d)) d = t;
    t = this.rack?.at;
    if (t !== undefined && (d === undefined || t < d)) d = t;
    t = this.tw?.nextDeadline;
    if (t !== undefined && (d === undefined || t < d)) d = t;
    if (d === undefined) {
      this.wakeAt = undefined;
      return undefined;
    }
    if (this.wakeAt !== undefined && this.wakeAt <= d) return this.wakeAt;
    this.wakeAt = d;
    return d;
  }

  onTimer(now: number): void {
    this.now = now;
    if (this.wakeAt !== undefined && now >= this.wakeAt) this.wakeAt = undefined;
    if (this.tw) {
      this.tw.onTimer(now); // 2MSL over: the record reports `closed` and this TCB terminates
      return;
    }
    if (this.closeAt !== undefined && now >= this.closeAt) {
      this.closeAt = undefined;
      if (this.state === 'FIN_WAIT_2') {
        this.terminate(undefined); // orphaned FIN_WAIT_2 reaped (tcp_fin_timeout): silently gone
        return;
      }
    }
    if (this.delackAt !== undefined && now >= this.delackAt) {
      this.delackAt = undefined;
      if (this.ackPending && this.state !== 'TIME_WAIT') this.sendAck();
    }
    if (this.rack?.due(now)) this.onRackTimeout();
    if (this.tlp.due(now)) this.onProbeTimeout(); // before the RTO: a probe due with it pushes it back (as Linux, one timer)
    if (this.rtxAt !== undefined && now >= this.rtxAt) {
      this.rtxAt = undefined;
      this.onRetransmitTimeout();
      if (this.state === 'CLOSED') return;
    }
    if (this.persistAt !== undefined && now >= this.persistAt) {
      this.persistAt = undefined;
      this.onPersistTimeout();
    }
    if (this.keepAt !== undefined && now >= this.keepAt) {
      this.keepAt = undefined;
      this.onKeepaliveTimeout();
    }
  }

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
    if (this.rtxCount >= limit) {
      // A half-open passive connection just goes away (back to LISTEN); everyone else gets ETIMEDOUT.
      if (this.state === 'SYN_RCVD' && this.passive) this.terminate(undefined, 'LISTEN');
      else this.terminate('ETIMEDOUT');
      return;
    }
    this.rtxCount++;
    this.rtt.backoff(); // RFC 6298 §5.5
    this.rttSeq = undefined; // Karn
    if (this.state === 'SYN_SENT') {
      this.synTimedOut = true;
      this.sendSyn(false, true);
      this.armRtx();
      return;
    }
    if (this.state === 'SYN_RCVD') {
      this.synTimedOut = true;
      this.sendSyn(true, true);
      this.armRtx();
      return;
    }
    if (seqGe(this.sndUna, this.sndNxt)) return; // nothing outstanding
    if (this.sndWnd === 0) {
      // The window is closed: flow control, not congestion. Data goes back to the persist timer;
      // a FIN alone (it needs no window) is simply sent again.
      if (this.finSeq === undefined || seqLt(this.sndUna, this.finSeq)) {
        this.rewindToUna();
        this.armPersist();
      } else {
        this.emit(this.sndUna, 0, true);
        this.armRtx();
      }
      return;
    }
    this.rtoExpirations++;
    if (this.pmtu.probe !== undefined) this.mtuProbeLost(); // RFC 4821 §7.5: a probe lost to a timeout
    if (this.pmtu.onTimeout(this.rtxCount - 1, this.now)) this.syncMss(); // black hole? (pmtu.ts)
    // RFC 5681 §3.1 / RFC 6298 §5.4–5.6: collapse cwnd, go back to SND.UNA. RFC 2018 §8: the receiver may
    // have reneged, so forget the SACK scoreboard; fresh SACKs still spare the retransmission what they cover.
    // A new undo episode, unless this RTO strikes one already running: a backed-off RTO, or one during
    // fast recovery (as Linux tcp_enter_loss re-arms undo only outside recovery or on a first timeout).
    if (this.caState === 'open' || this.caState === 'disorder' || seqGe(this.sndUna, this.recoverPoint) || (this.caState === 'loss' && this.rtxCount === 1)) {
      this.undo.begin(this.sndUna, this.cc.cwnd, this.cc.ssthresh, true);
    } else this.undo.timedOut();
    this.cc.onRto(seqDiff(this.sndNxt, this.sndUna), this.now);
    this.prr.end();
    this.ecn.endReduction();
    this.ecn.cwrAfterReduction(); // RFC 3168 §6.1.2: the next new data says the window was cut
    this.caState = 'loss';
    this.recoverPoint = this.sndNxt;
    this.pastRecover = false;
    this.dupAcks = 0;
    this.inflation = 0;
    this.sb.clear();
    this.rack?.onRto();
    this.lostEdge = this.sndUna;
    this.highRxt = this.sndUna;
    this.rtxNxt = this.sndUna;
    this.rtxPassMark = this.sndNxt;
    this.output(true);
    this.armRtx();
  }

  /**
   * Persist timer (RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17): the peer's window
   * is closed, or too small for the waiting data. With a zero window, send one
   * octet beyond it as a probe and probe again with exponential backoff for as
   * long as the peer answers; an answer that still shows a zero window means
   * the octet was refused, and it is sent again later. With a small window,
   * send what fits (RFC 1122 §4.2.3.4 override timeout).
   */
  private onPersistTimeout(): void {
    if (this.probeOutstanding) this.rewindToUna(); // the last probe went unanswered: it is sent again
    if (!this.canSendData() || seqLt(this.sndUna, this.sndNxt)) return;
    const offset = seqDiff(this.sndNxt, this.sndUna);
    const waiting = this.sendBuf.length - offset;
    if (waiting <= 0) return;
    if (this.sndWnd > 0) {
      this.emit(this.sndNxt, Math.min(this.sndWnd, waiting, this.segmentRoom()), false);
      return;
    }
    // An orphan is not kept for ever by a peer that answers every probe with a zero window (R9): as
    // Linux's tcp_probe_timer for a dead socket, once the backoff has reached rtoMax it is given up on
    // after tcp_orphan_retries backoffs, answered or not.
    if (this.appClosed && this.persistInterval() >= this.cfg.rtoMax && this.persistBackoff >= this.cfg.orphanRetries) {
      this.terminate('ETIMEDOUT');
      return;
    }
    // As Linux (tcp_probe_timer), a peer that stops answering probes is given up on after tcp_retries2.
    if (this.probesOut >= (this.appClosed ? this.cfg.orphanRetries : this.cfg.retries2)) {
      this.terminate('ETIMEDOUT');
      return;
    }
    this.probesOut++;
    this.emit(this.sndNxt, 1, false);
    this.rtxAt = undefined; // the persist timer, not the retransmission timer, repeats the probe
    this.probeOutstanding = true;
    this.persistBackoff++;
    this.armPersist();
  }

  /**
   * Keepalive (RFC 1122 §4.2.3.6, Linux tcp_keepalive_timer): after keepIdle
   * without hearing from the peer, send a probe — SEQ = SND.UNA − 1, no data,
   * which any live peer answers with an ACK — every keepInterval; after
   * keepCount unanswered probes reset the connection with ETIMEDOUT.
   */
  private onKeepaliveTimeout(): void {
    if (!this.cfg.keepAlive || !this.keepaliveState()) return;
    if (seqLt(this.sndUna, this.sndNxt) || this.hasUnsent()) {
      this.keepAt = this.now + this.cfg.keepInterval; // the retransmission or persist timer is watching
      return;
    }
    const idle = this.now - this.lastRecv;
    if (idle < this.cfg.keepIdle) {
      this.keepAt = this.lastRecv + this.cfg.keepIdle;
      return;
    }
    if (this.keepProbes >= this.cfg.keepCount) {
      this.sendReset();
      this.terminate('ETIMEDOUT');
      return;
    }
    this.keepProbes++;
    this.segsOut++;
    this.transmit(this.buildSegment(ACK, seqAdd(this.sndUna, -1), EMPTY));
    this.keepAt = this.now + this.cfg.keepInterval;
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
    this.emit_({ type: 'state', from, to });
  }

  private emit_(ev: ConnEvent): void {
    this.sink.event(ev);
  }

  /** Delete the TCB: state CLOSED, timers off, an error for the application if it is still there. */
  private terminate(error: TcpErrorCode | undefined, to: TcpState = 'CLOSED'): void {
    this.rtxAt = this.closeAt = this.persistAt = this.delackAt = this.keepAt = undefined;
    this.rack?.clear();
    this.tw = undefined;
    if (error === 'ETIMEDOUT') this.sink.count?.('TCPAbortOnTimeout');
    if (error === 'ETIMEDOUT' && this.softError !== undefined) error = this.softError; // Linux tcp_write_err: sk_err_soft ?: ETIMEDOUT
    if (error && !this.appClosed) this.emit_({ type: 'error', code: error, message: errorMessage(error) });
    if (to !== 'CLOSED') {
      this.setState(to);
      this.state = 'CLOSED';
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
    this.rtxAt = this.persistAt = this.delackAt = this.keepAt = this.closeAt = undefined;
    this.rack?.clear();
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
    }, this.now);
  }

  private startFinWait2Timer(): void {
    this.closeAt = this.now + this.cfg.finTimeout;
  }

  private afterEstablished(): void {
    this.rtxCount = 0;
    this.rtt.resetBackoff();
    // RFC 6298 §5.7 (Linux TCP_TIMEOUT_FALLBACK): a SYN timed out and no RTT sample came → data starts at 3 s.
    if (this.synTimedOut) this.rtt.fallbackAfterSynLoss();
    this.rtxAt = undefined;
    if (this.cfg.keepAlive) this.keepAt = this.now + this.cfg.keepIdle;
    this.expandSendBuffer(); // Linux tcp_init_buffer_space
    if (this.finQueued) {
      this.setState('FIN_WAIT_1');
    }
    this.output();
  }

  /** Options negotiation from the peer's SYN (O10): each option only when both sides offer it. */
  private negotiate(o: TcpOptions): void {
    this.wsOk = this.cfg.windowScaling && o.wscale !== undefined;
    if (this.wsOk) {
      this.sndScale = Math.min(o.wscale!, WS_MAX); // RFC 7323 §2.3: values above 14 are treated as 14
    } else {
      this.sndScale = 0;
      this.rcvScale = 0;
    }
    this.sackOk = this.cfg.sack && o.sackPermitted === true;
    this.tsOk = this.cfg.timestamps && o.ts !== undefined;
    if (this.tsOk) this.setTsRecent(o.ts!.val);
    if (o.mss !== undefined && o.mss > 0) this.peerMss = o.mss;
    this.pmtu.setMax(Math.min(this.peerMss, this.cfg.mss));
    this.syncMss();
    this.cc.setMss(this.sndMss);
  }

  /** SND.MSS from the peer's MSS, ours and the path's, less the fixed options (Linux tcp_sync_mss). */
  private syncMss(): void {
    const mss = Math.max(1, Math.min(this.peerMss, this.cfg.mss, this.pmtu.mss) - (this.tsOk ? TS_OPTION_LEN : 0));
    if (mss === this.sndMss) return;
    this.sndMss = mss;
    this.cc.setMss(mss);
  }

  // ─────────────────────────── ICMP errors ───────────────────────────

  /** An ICMP error quoting one of our segments, routed here by the stack (decisions in icmp-error.ts). */
  onIcmp(n: IcmpNotice, now: number): IcmpVerdict {
    this.now = now;
    const inWindow = seqGe(n.seq, this.sndUna) && seqLe(n.seq, this.sndMax);
    switch (icmpAction(n, this.state, this.passive, inWindow, n.seq === this.iss)) {
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
        this.softError = icmpErrno(n.kind);
        return 'soft-error';
      case 'lower-mtu':
        if (!this.pmtu.lowerTo(n.mss!)) return 'ignored';
        this.syncMss();
        this.resegmentFlight();
        return 'mtu-lowered';
    }
  }

  /**
   * The MSS fell while a flight of larger segments was out (ICMP, or a lost MTU probe): send it
   * again at once in the new size, cwnd untouched — the data in the network did not grow, only its
   * units changed (Linux tcp_simple_retransmit: Loss state, ssthresh kept, retransmit queue sent).
   */
  private resegmentFlight(): void {
    if (!this.canSendData() || !seqLt(this.sndUna, this.sndNxt)) return;
    if (this.caState !== 'loss') {
      this.caState = 'loss';
      this.recoverPoint = this.sndNxt;
      this.pastRecover = false;
      this.dupAcks = 0;
      this.inflation = 0;
    }
    this.rtxNxt = this.sndUna;
    this.highRxt = this.sndUna;
    this.rtxPassMark = this.sndNxt;
    this.tlp.cancel();
    this.output();
    this.armRtx();
  }

  /**
   * RFC 4821 §7 probe (Linux tcp_mtu_probe): one segment of the probe size at SND.NXT, in the open
   * state with cwnd ≥ 11 segments, when there is data for the probe and (dupThresh + 1) full
   * segments after it (so that a lost probe shows as duplicate ACKs). As Linux, sending waits for
   * the window and cwnd to take all that when they will once the flight is ACKed (WINDOW_BLOCKED /
   * CWND_BLOCKED), and goes on without a probe when they never would. NOTHING: no probe now.
   */
  private sendMtuProbe(budget: number): SendResult {
    if (this.caState !== 'open' || this.cc.cwnd < 11 * this.sndMss) return NOTHING;
    const size = this.pmtu.probeSize(this.now);
    if (size === undefined) return NOTHING;
    const len = size - (this.tsOk ? TS_OPTION_LEN : 0);
    const needed = len + (this.cfg.dupThresh + 1) * this.sndMss;
    const seq = this.sndNxt;
    if (seqDiff(seqAdd(this.sndUna, this.sendBuf.length), seq) < needed || this.sndWnd < needed) return NOTHING;
    const inFlight = seqLt(this.sndUna, seq);
    if (seqDiff(seqAdd(this.sndUna, this.sndWnd), seq) < needed) return WINDOW_BLOCKED;
    if (budget < len + this.sndMss) return inFlight ? CWND_BLOCKED : NOTHING;
    this.emit(seq, len, false);
    this.pmtu.sent(size, seq, seqAdd(seq, len));
    return SENT;
  }

  /** The MTU probe is lost (a loss at its first octet, or a timeout): its size is too big; resend its data in the MSS in use. */
  private mtuProbeLost(): void {
    this.pmtu.failed();
    this.sink.count?.('TCPMTUPFail');
  }

  // ──────────────────────────── observation ────────────────────────────

  info(): ConnectionInfo {
    let timer: TimerName = 'off';
    let timerExpires: number | undefined;
    if (this.state === 'TIME_WAIT') {
      timer = 'timewait';
      timerExpires = this.tw?.nextDeadline;
    } else if (this.rtxAt !== undefined) {
      timer = 'on';
      timerExpires = this.rtxAt;
    } else if (this.persistAt !== undefined) {
      timer = 'persist';
      timerExpires = this.persistAt;
    } else if (this.closeAt !== undefined) {
      timer = 'fin_wait_2';
      timerExpires = this.closeAt;
    } else if (this.keepAt !== undefined) {
      timer = 'keepalive';
      timerExpires = this.keepAt;
    } else if (this.delackAt !== undefined && this.ackPending) {
      timer = 'delack';
      timerExpires = this.delackAt;
    }
    const unacked = this.state === 'SYN_SENT' || this.state === 'SYN_RCVD' ? 0 : this.sendBuf.length;
    const mss = this.sndMss;
    const cwnd = this.cwnd();
    const ssthresh = this.cc.ssthresh;
    const flight = Math.max(0, seqDiff(this.sndNxt, this.sndUna));
    const lost = this.rackOn() ? (this.rack?.lostBytes ?? 0) : seqGt(this.lostEdge, this.sndUna) ? seqDiff(this.lostEdge, this.sndUna) - this.sb.sackedBelow(this.lostEdge) : 0;
    return {
      state: this.state,
      sendQueue: unacked,
      recvQueue: this.recvQ.length,
      rto: this.rtt.rto,
      srtt: this.rtt.srtt,
      cwnd,
      ssthresh,
      sndWnd: this.sndWnd,
      rcvWnd: Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt)),
      mss,
      timer,
      timerExpires,
      retransmits: this.rtxCount,
      options: {
        wscale: this.wsOk ? [this.sndScale, this.rcvScale] : null,
        sack: this.sackOk,
        timestamps: this.tsOk,
        ecn: this.ecn.ok,
        ecnSeen: this.ecn.seen,
      },
      congestionControl: this.cc.name,
      caState: this.caState,
      rttvar: this.rtt.srtt === undefined ? undefined : this.rtt.rttvar,
      minRtt: this.minRtt,
      backoff: this.rtt.backoffCount,
      ato: this.cfg.delayedAck ? this.cfg.delayedAckMs : 0,
      advMss: this.cfg.mss,
      rcvMss: this.rcvMss,
      cwndSegments: Math.floor(cwnd / mss),
      ssthreshSegments: ssthresh >= Number.MAX_SAFE_INTEGER ? undefined : Math.floor(ssthresh / mss),
      bytesInFlight: flight,
      pipe: this.caState === 'recovery' && this.sackOk ? this.sackPipe() : flight - this.sb.sackedBytes,
      sacked: this.sb.sackedBytes,
      lost,
      dupAcks: this.dupAcks,
      bytesSent: this.bytesSent,
      bytesRetrans: this.bytesRetrans,
      bytesAcked: this.bytesAcked,
      bytesReceived: this.bytesReceived,
      segsOut: this.segsOut,
      segsIn: this.segsIn,
      dataSegsOut: this.dataSegsOut,
      dataSegsIn: this.dataSegsIn,
      totalRetrans: this.totalRetrans,
      fastRetransmits: this.fastRetransmits,
      lostRetransmits: this.lostRetransmits,
      rtoExpirations: this.rtoExpirations,
      pawsDrops: this.pawsDrops,
      oooBytes: this.ooo.size,
      lastSend: this.lastSend,
      lastRecv: this.lastRecv,
      lastAck: this.lastAck,
      keepaliveProbes: this.keepProbes,
      rcvBuf: this.recvBufferSize,
      sndBuf: this.sendBuf.capacity,
      rcvSpace: this.autotune?.space,
      rcvRtt: this.autotune?.rtt || undefined,
    };
  }

  /**
   * What a compact TIME_WAIT record needs to stand in for this TCB (the
   * stack may replace a connection in TIME_WAIT by one, as Linux does).
   * Field names match `TimeWaitSnapshot` in time-wait.ts.
   */
  timeWaitSnapshot(): TimeWaitSnapshot {
    const rcvWnd = Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt));
    return {
      sndNxt: this.sndNxt,
      rcvNxt: this.rcvNxt,
      windowField: Math.min(0xffff, Math.ceil(rcvWnd / (1 << this.rcvScale))),
      rcvWnd,
      tsOk: this.tsOk,
      tsRecent: this.tsRecent,
      tsOffset: this.cfg.tsOffset,
      duration: 2 * this.cfg.msl,
      challengeAckLimit: this.cfg.challengeAckLimit,
    };
  }

  /** True when the application has closed and the connection lives on only to finish the close. */
  get orphaned(): boolean {
    return this.appClosed;
  }
}

/**
 * What an idle connection points at instead of its own SACK scoreboard, reassembler and loss-probe state:
 * shared empty instances, only ever read (each connection creates its own before the first change).
 */
const NO_SACKS = new SackScoreboard();
const NO_REASSEMBLY = new Reassembly(new ReceiveQueue(0), 0);
const NO_PROBE = new TailLossProbe();

/** Events without payload are shared, immutable objects (one per data segment would be garbage). */
const READABLE: ConnEvent = Object.freeze({ type: 'readable' });
const WRITABLE: ConnEvent = Object.freeze({ type: 'writable' });
const EOF: ConnEvent = Object.freeze({ type: 'eof' });

/** What one attempt to send a segment found. */
type SendResult = 0 | 1 | 2 | 3;
const SENT: SendResult = 0;
const NOTHING: SendResult = 1; // nothing to send, or Nagle holds it
const WINDOW_BLOCKED: SendResult = 2; // the peer's window (or sender SWS avoidance) holds data back
const CWND_BLOCKED: SendResult = 3;

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
