import { ACK, FIN, PSH, RST, SYN } from '../wire/flags.js';
import type { TcpOptions } from '../wire/tcp-options.js';
import { resolveConfig, type TcpConfig } from './config.js';
import { NewReno, type CongestionControl } from './congestion.js';
import type { ConnEvent, ConnectionSink, TcpErrorCode } from './events.js';
import { Reassembly } from './reassembly.js';
import { ReceiveQueue } from './receive-queue.js';
import { RtoEstimator } from './rto.js';
import { EMPTY, segLen, type OutSegment, type Segment } from './segment.js';
import { SendBuffer } from './send-buffer.js';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt, seqMax } from './seq.js';
import type { TcpState } from './state.js';

/** Which timer is next, as `ss -o` names them. */
export type TimerName = 'on' | 'persist' | 'keepalive' | 'timewait' | 'delack' | 'fin_wait_2' | 'off';

/** A snapshot for `ss`-style tables. */
export interface ConnectionInfo {
  state: TcpState;
  sendQueue: number; // bytes sent or queued, not acked (Linux Send-Q)
  recvQueue: number; // bytes received, not read (Linux Recv-Q)
  rto: number;
  srtt: number | undefined;
  cwnd: number;
  ssthresh: number;
  sndWnd: number;
  rcvWnd: number;
  mss: number;
  timer: TimerName;
  timerExpires: number | undefined;
  retransmits: number;
  options: { wscale: [number, number] | null; sack: boolean; timestamps: boolean };
}

const WS_MAX = 14; // RFC 7323 §2.3
const TS_OPTION_LEN = 12; // NOP NOP TS(10)
const MAX_OUTPUT_SEGMENTS = 4096; // bound on one output() pass

/**
 * One TCP connection (a TCB) as a sans-IO state machine: RFC 9293 §3.10
 * event processing, with RFC 5961 (blind attacks), RFC 6298 (RTO),
 * RFC 7323 (window scale, timestamps), RFC 1337 (TIME_WAIT) and Linux's
 * choices where Linux differs (RST on close with unread data, FIN_WAIT_2
 * timeout, abort on data after close).
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
  sndNxt: number; // highest sequence number sent + 1 (never rewound)
  sndWnd = 0;
  private sndWl1 = 0;
  private sndWl2 = 0;
  private maxSndWnd = 0;
  private sndSml: number; // end of the last small segment sent (Nagle/Minshall)
  private rtxNxt: number; // next sequence to retransmit after an RTO (== sndNxt when none)
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
  private peerMss: number;
  /** Largest payload per segment we send (MSS less fixed options). */
  sndMss: number;

  // Queues
  private readonly sendBuf: SendBuffer;
  private readonly recvQ = new ReceiveQueue();
  private readonly ooo = new Reassembly();
  private oooFin: number | undefined; // sequence number of a FIN that arrived out of order
  private finQueued = false; // the user asked to close the sending side
  private peerFin = false;
  private appClosed = false; // close(): the application is gone (an orphan, in Linux terms)
  private wantWritable = false;

  // Timers (absolute ms, undefined = off)
  private rtxAt: number | undefined;
  private closeAt: number | undefined; // TIME_WAIT 2MSL or orphaned FIN_WAIT_2
  private persistAt: number | undefined;
  private rtxCount = 0;
  private rttSeq: number | undefined; // Karn: the sequence being timed, without timestamps
  private rttStart = 0;
  readonly rtt: RtoEstimator;
  readonly cc: CongestionControl;

  private now = 0;
  private challengeWindowStart = -Infinity;
  private challengeCount = 0;
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
    this.iss = iss >>> 0;
    this.sndUna = this.iss;
    this.sndNxt = this.iss;
    this.rtxNxt = this.iss;
    this.sndSml = this.iss;
    this.passive = passive;
    this.now = now;
    this.sendBuf = new SendBuffer(this.cfg.sendBufferSize);
    this.rtt = new RtoEstimator(this.cfg.rtoInitial, this.cfg.rtoMin, this.cfg.rtoMax);
    this.peerMss = this.cfg.defaultPeerMss;
    this.sndMss = Math.min(this.cfg.mss, this.peerMss);
    this.cc = new NewReno(this.sndMss, this.cfg.initialCwnd);
    if (this.cfg.windowScaling) {
      while (this.rcvScale < WS_MAX && this.cfg.recvBufferSize >>> this.rcvScale > 0xffff) this.rcvScale++;
    }
  }

  /** Active open (RFC 9293 §3.10.1): CLOSED → SYN_SENT, SYN sent. */
  static connect(cfg: Partial<TcpConfig>, iss: number, sink: ConnectionSink, now: number): Connection {
    const c = new Connection(cfg, iss, sink, false, now);
    c.sndNxt = seqAdd(c.iss, 1);
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
    c.negotiate(syn.options);
    c.sndWnd = syn.window; // the window of a SYN is never scaled (RFC 7323 §2.2)
    c.maxSndWnd = c.sndWnd;
    c.sndWl1 = syn.seq;
    c.sndWl2 = c.iss;
    c.sndNxt = seqAdd(c.iss, 1);
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

  /** Take up to `max` received in-order bytes. Reading opens the window; a window update is sent when it grew enough (RFC 1122 §4.2.3.3). */
  read(now: number, max?: number): Uint8Array | null {
    this.now = now;
    const data = this.recvQ.read(max);
    if (data && this.canReceive()) {
      const advertised = Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt));
      const grow = Math.min(this.freeWindow(), 0xffff * 2 ** this.rcvScale) - advertised;
      if (grow >= Math.min(this.cfg.recvBufferSize / 2, this.cfg.mss)) this.sendAck();
    }
    return data;
  }

  /** Bytes received and not read yet (Recv-Q). */
  get readableBytes(): number {
    return this.recvQ.length;
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

  /** SO_KEEPALIVE, with an optional idle time (ms) before the first probe. Probing is implemented with the data path (D9). */
  setKeepAlive(on: boolean, idleMs: number | undefined, now: number): void {
    this.now = now;
    this.cfg.keepAlive = on;
    if (idleMs !== undefined && idleMs > 0) this.cfg.keepIdle = idleMs;
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
    if (this.recvQ.length > 0 || !this.ooo.isEmpty) {
      this.appClosed = true;
      this.sendReset();
      this.terminate(undefined);
      return;
    }
    this.appClosed = true;
    this.shutdown(now);
    if (this.state === 'FIN_WAIT_2') this.startFinWait2Timer();
  }

  /** Abort (RFC 9293 §3.10.5): RST to the peer where it has a synchronized TCB, then CLOSED. */
  abort(now: number): void {
    this.now = now;
    switch (this.state) {
      case 'SYN_RCVD':
      case 'ESTABLISHED':
      case 'FIN_WAIT_1':
      case 'FIN_WAIT_2':
      case 'CLOSE_WAIT':
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
    switch (this.state) {
      case 'CLOSED':
      case 'LISTEN':
        return; // the stack answers these
      case 'SYN_SENT':
        this.onSegmentSynSent(seg);
        return;
      case 'TIME_WAIT':
        this.onSegmentTimeWait(seg);
        return;
      default:
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
    this.negotiate(seg.options);
    if (this.tsOk && seg.options.ts) this.tsRecent = seg.options.ts.val;
    if (ackOk) {
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
        // The peer retransmitted its SYN: our SYN-ACK was lost. Answer it again (as Linux does).
        this.sendSyn(true, true);
        return;
      }
      if (seg.ack === this.sndNxt && !this.passive) {
        // Simultaneous open, step 6 of figure 8: the peer's SYN,ACK acknowledges our SYN.
        this.ackAdvance(seg);
        this.updateWindow(seg, true);
        this.setState('ESTABLISHED');
        this.afterEstablished();
        return;
      }
    }

    // First: sequence number check.
    if (!this.acceptable(seg)) {
      // §3.10.7.4: unacceptable → <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. As Linux (tcp_oow_rate_limited),
      // data segments are answered every time (a retransmitting sender needs the ACK); the rest are rate-limited.
      if (!(f & RST)) {
        if (seg.payload.length > 0 && !(f & SYN)) this.sendAck();
        else this.sendAckLimited();
      }
      return;
    }

    // Second: RST (RFC 5961 §3.2).
    if (f & RST) {
      if (seg.seq === this.rcvNxt) this.onReset();
      else this.sendAckLimited(); // challenge ACK
      return;
    }

    // Fourth: SYN in a synchronized state (RFC 5961 §4) → challenge ACK.
    if (f & SYN) {
      this.sendAckLimited();
      return;
    }

    // Fifth: ACK.
    if (!(f & ACK)) return;
    if (this.state === 'SYN_RCVD') {
      if (seqGt(seg.ack, this.sndUna) && seqLe(seg.ack, this.sndNxt)) {
        this.ackAdvance(seg);
        this.updateWindow(seg, false);
        this.setState('ESTABLISHED');
        this.afterEstablished();
        if (!this.canReceive()) return; // afterEstablished may have moved on (queued FIN → FIN_WAIT_1)
      } else {
        this.transmit({ seq: seg.ack, ack: 0, flags: RST, window: 0, options: {}, payload: EMPTY });
        return;
      }
    } else {
      // RFC 5961 §5: acceptable ACKs lie in [SND.UNA − MAX.SND.WND, SND.NXT].
      if (seqGt(seg.ack, this.sndNxt) || seqLt(seg.ack, seqAdd(this.sndUna, -Math.max(this.maxSndWnd, 1)))) {
        this.sendAckLimited();
        return;
      }
      if (this.tsOk && seg.options.ts && seqGe(seg.options.ts.val, this.tsRecent) && seqLe(seg.seq, this.lastAckSent)) {
        this.tsRecent = seg.options.ts.val; // RFC 7323 §4.3
      }
      if (seqGt(seg.ack, this.sndUna)) this.ackAdvance(seg);
      this.updateWindow(seg, false);
    }

    const ourFinAcked = this.finSeq !== undefined && seqGt(this.sndUna, this.finSeq);
    if (this.state === 'CLOSING' && ourFinAcked) {
      this.enterTimeWait();
      return;
    }
    if (this.state === 'LAST_ACK') {
      if (ourFinAcked) this.terminate(undefined);
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
      this.onFinReceived(ourFinAcked);
    } else if (this.state === 'FIN_WAIT_1' && ourFinAcked) {
      this.setState('FIN_WAIT_2');
      if (this.appClosed) this.startFinWait2Timer();
    }
    if (this.state !== 'CLOSED' && this.state !== 'TIME_WAIT') this.output();
  }

  /** TIME_WAIT (RFC 9293 §3.10.7.4, RFC 1337, RFC 6191 via `acceptsNewSyn`). */
  private onSegmentTimeWait(seg: Segment): void {
    const f = seg.flags;
    if (f & RST) return; // RFC 1337: ignore RST in TIME_WAIT (TIME-WAIT assassination)
    if (f & FIN && seqAdd(seg.seq, seg.payload.length + 1) === this.rcvNxt) {
      // The peer retransmitted its FIN: our last ACK was lost. ACK it again and restart 2MSL (C8).
      this.sendAck();
      this.closeAt = this.now + 2 * this.cfg.msl;
      return;
    }
    if (f & SYN) {
      this.sendAckLimited(); // an old or unreopenable SYN: the stack already tried acceptsNewSyn
      return;
    }
    if (!this.acceptable(seg)) this.sendAckLimited();
  }

  /**
   * RFC 6191 / RFC 9293 §3.10.7.4 note: may a new SYN for this 4-tuple end
   * TIME_WAIT and open a new incarnation? Yes if its sequence number is beyond
   * RCV.NXT, or (with timestamps) its TSval is newer than TS.Recent.
   */
  acceptsNewSyn(seg: Segment): boolean {
    if (this.state !== 'TIME_WAIT') return false;
    if (!(seg.flags & SYN) || seg.flags & (ACK | RST)) return false;
    if (this.tsOk && seg.options.ts) return seqGt(seg.options.ts.val, this.tsRecent);
    return seqGt(seg.seq, this.rcvNxt);
  }

  /** An ISS for the incarnation that replaces this TIME_WAIT, above anything this one sent (as Linux: snd_nxt + 65535 + 2). */
  get successorIss(): number {
    return seqAdd(this.sndNxt, 65537);
  }

  // ─────────────────────────────── timers ───────────────────────────────

  get nextDeadline(): number | undefined {
    let d: number | undefined;
    for (const t of [this.rtxAt, this.closeAt, this.persistAt]) {
      if (t !== undefined && (d === undefined || t < d)) d = t;
    }
    return d;
  }

  onTimer(now: number): void {
    this.now = now;
    if (this.closeAt !== undefined && now >= this.closeAt) {
      this.closeAt = undefined;
      if (this.state === 'TIME_WAIT' || this.state === 'FIN_WAIT_2') {
        this.terminate(undefined); // 2MSL over, or orphaned FIN_WAIT_2 reaped (tcp_fin_timeout): silently gone
        return;
      }
    }
    if (this.rtxAt !== undefined && now >= this.rtxAt) {
      this.rtxAt = undefined;
      this.onRetransmitTimeout();
      if (this.state === 'CLOSED') return;
    }
    if (this.persistAt !== undefined && now >= this.persistAt) {
      this.persistAt = undefined;
      this.onPersistTimeout();
    }
  }

  private onRetransmitTimeout(): void {
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
      this.sendSyn(false, true);
      this.armRtx();
      return;
    }
    if (this.state === 'SYN_RCVD') {
      this.sendSyn(true, true);
      this.armRtx();
      return;
    }
    if (seqGe(this.sndUna, this.sndNxt)) return; // nothing outstanding
    this.cc.onRto(seqDiff(this.sndNxt, this.sndUna), this.now);
    this.rtxNxt = this.sndUna; // go back: resend from the first unacknowledged octet (§3.8.1)
    this.output(true);
    this.armRtx();
  }

  /**
   * Zero-window probe (RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17): send one octet
   * beyond the closed window. From then on the retransmission timer repeats it
   * with exponential backoff; answers from a live peer keep the retry count at zero.
   */
  private onPersistTimeout(): void {
    if (!this.canSendData() || this.sndWnd > 0 || seqLt(this.sndUna, this.sndNxt)) return;
    const offset = seqDiff(this.sndNxt, this.sndUna);
    if (offset >= this.sendBuf.length) return;
    this.transmit(this.buildSegment(ACK, this.sndNxt, this.sendBuf.peek(offset, 1)));
    this.sndNxt = seqAdd(this.sndNxt, 1);
    this.rtxNxt = this.sndNxt;
    this.armRtx();
  }

  // ──────────────────────────── internals ────────────────────────────

  private setState(to: TcpState): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.emit({ type: 'state', from, to });
  }

  private emit(ev: ConnEvent): void {
    this.sink.event(ev);
  }

  /** Delete the TCB: state CLOSED, timers off, an error for the application if it is still there. */
  private terminate(error: TcpErrorCode | undefined, to: TcpState = 'CLOSED'): void {
    this.rtxAt = this.closeAt = this.persistAt = undefined;
    if (error && !this.appClosed) this.emit({ type: 'error', code: error, message: errorMessage(error) });
    if (to !== 'CLOSED') {
      this.setState(to);
      this.state = 'CLOSED';
    } else {
      this.setState('CLOSED');
    }
    this.emit({ type: 'closed' });
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
    this.rtxAt = this.persistAt = undefined;
    this.setState('TIME_WAIT');
    this.closeAt = this.now + 2 * this.cfg.msl;
  }

  private startFinWait2Timer(): void {
    this.closeAt = this.now + this.cfg.finTimeout;
  }

  private afterEstablished(): void {
    this.rtxCount = 0;
    this.rtt.resetBackoff();
    this.rtxAt = undefined;
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
    if (this.tsOk) this.tsRecent = o.ts!.val;
    if (o.mss !== undefined && o.mss > 0) this.peerMss = o.mss;
    this.sndMss = Math.max(1, Math.min(this.peerMss, this.cfg.mss) - (this.tsOk ? TS_OPTION_LEN : 0));
    this.cc.setMss(this.sndMss);
  }

  /** SEG.ACK advanced SND.UNA: drop acknowledged data, measure RTT, manage the retransmission timer. */
  private ackAdvance(seg: Segment): void {
    const ack = seg.ack;
    let acked = seqDiff(ack, this.sndUna);
    if (acked <= 0) return;
    // The SYN and FIN occupy sequence space but no buffer bytes.
    let dataAcked = acked;
    if (this.sndUna === this.iss) dataAcked--; // our SYN
    if (this.finSeq !== undefined && seqGt(ack, this.finSeq)) dataAcked--;
    dataAcked = Math.max(0, Math.min(dataAcked, this.sendBuf.length));
    this.sendBuf.drop(dataAcked);
    this.sndUna = ack;
    if (seqLt(this.rtxNxt, ack)) this.rtxNxt = ack;

    // RTT sample (RFC 6298 §3 Karn's rule; RFC 7323 §4.1 with timestamps).
    const ecr = seg.options.ts?.ecr;
    if (this.tsOk && ecr !== undefined && ecr !== 0) {
      this.rtt.sample(Math.max(0, seqDiff(this.tsNow(), ecr)));
    } else if (this.rttSeq !== undefined && seqGe(ack, this.rttSeq)) {
      this.rtt.sample(this.now - this.rttStart);
      this.rttSeq = undefined;
    }
    if (this.state !== 'SYN_SENT' && this.state !== 'SYN_RCVD') this.cc.onAck(dataAcked, this.now);
    this.rtxCount = 0;
    // RFC 6298 §5.2–5.3: stop the timer when all is acked, else restart it.
    if (seqGe(this.sndUna, this.sndNxt)) this.rtxAt = undefined;
    else this.armRtx();

    if (this.wantWritable && this.sendBuf.free > 0 && !this.finQueued) {
      this.wantWritable = false;
      this.emit({ type: 'writable' });
    }
  }

  /** SND.WND update (RFC 9293 §3.10.7.4 "fifth", SND.WL1/WL2 rule). */
  private updateWindow(seg: Segment, synSegment: boolean): void {
    if (seqLt(this.sndWl1, seg.seq) || (this.sndWl1 === seg.seq && seqLe(this.sndWl2, seg.ack))) {
      this.sndWnd = synSegment ? seg.window : seg.window << this.sndScale;
      this.sndWl1 = seg.seq;
      this.sndWl2 = seg.ack;
      if (this.sndWnd > this.maxSndWnd) this.maxSndWnd = this.sndWnd;
      if (this.sndWnd > 0) this.persistAt = undefined;
    }
    // A peer that answers our zero-window probes is alive: probing goes on as long as it answers (as Linux).
    if (this.sndWnd === 0) this.rtxCount = 0;
  }

  /** Segment acceptability test, RFC 9293 §3.10.7.4 table. */
  private acceptable(seg: Segment): boolean {
    const len = segLen(seg);
    const wnd = Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt));
    const seq = seg.seq;
    if (len === 0) {
      if (wnd === 0) return seq === this.rcvNxt;
      return seqGe(seq, this.rcvNxt) && seqLt(seq, seqAdd(this.rcvNxt, wnd));
    }
    if (wnd === 0) {
      // RFC 9293: with a zero window still process valid ACKs and RSTs; the text is dropped later.
      return seq === this.rcvNxt;
    }
    const end = seqAdd(seq, len - 1);
    const hi = seqAdd(this.rcvNxt, wnd);
    return (seqGe(seq, this.rcvNxt) && seqLt(seq, hi)) || (seqGe(end, this.rcvNxt) && seqLt(end, hi));
  }

  /**
   * Accept the text of an acceptable segment (trimmed to the window) into the
   * receive queue or the out-of-order queue. Returns true when a FIN is now in order.
   */
  private receiveText(seg: Segment): boolean {
    if (!this.canReceive()) return false; // CLOSE_WAIT, CLOSING, LAST_ACK: the peer already sent FIN
    let seq = seg.seq;
    let data = seg.payload;
    let fin = (seg.flags & FIN) !== 0;
    // Trim the part before RCV.NXT (duplicates).
    const before = seqDiff(this.rcvNxt, seq);
    if (before > 0) {
      if (before > data.length) fin = false; // the FIN, too, lies before RCV.NXT
      data = before >= data.length ? EMPTY : data.subarray(before);
      seq = this.rcvNxt;
    }
    // Trim what lies beyond the advertised window.
    const wnd = Math.max(0, seqDiff(this.rcvAdvEdge, seq));
    if (data.length > wnd) {
      data = data.subarray(0, wnd);
      fin = false;
    }
    if (data.length > 0 && this.appClosed) {
      // Linux: new data for a socket the application has closed → RST (LINUX_MIB_TCPABORTONDATA).
      this.sendReset();
      this.terminate(undefined);
      return false;
    }
    if (seq === this.rcvNxt) {
      if (data.length > 0) {
        this.recvQ.push(data);
        this.rcvNxt = seqAdd(this.rcvNxt, data.length);
        // Pull whatever the hole was holding back.
        for (let chunk = this.ooo.takeFrom(this.rcvNxt); chunk; chunk = this.ooo.takeFrom(this.rcvNxt)) {
          this.recvQ.push(chunk);
          this.rcvNxt = seqAdd(this.rcvNxt, chunk.length);
        }
        if (this.oooFin !== undefined && this.oooFin === this.rcvNxt) {
          fin = true;
          this.oooFin = undefined;
        }
        this.emit({ type: 'readable' });
      }
      if (!fin) this.sendAck();
      return fin;
    }
    // Out of order: keep it and ACK at once, with SACK blocks (RFC 5681 §4.2, RFC 2018).
    if (data.length > 0) this.ooo.insert(seq, data);
    if (fin) this.oooFin = seqAdd(seq, data.length);
    this.sendAck();
    return false;
  }

  /** The peer's FIN is in order (RFC 9293 §3.10.7.4 "eighth"). */
  private onFinReceived(ourFinAcked: boolean): void {
    this.rcvNxt = seqAdd(this.rcvNxt, 1);
    this.peerFin = true;
    this.sendAck();
    this.emit({ type: 'eof' });
    switch (this.state) {
      case 'SYN_RCVD':
      case 'ESTABLISHED':
        this.setState('CLOSE_WAIT');
        return;
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

  /**
   * Send what the windows allow: retransmissions after an RTO first, then new
   * data, then the FIN once all data is out. Nagle (RFC 896, RFC 1122
   * §4.2.3.4) holds back a small segment while data is unacknowledged.
   */
  private output(isRto = false): void {
    if (!this.canSendData()) return;
    const dataEnd = seqAdd(this.sndUna, this.sendBuf.length); // sequence after the last queued byte
    for (let n = 0; n < MAX_OUTPUT_SEGMENTS; n++) {
      const retransmitting = seqLt(this.rtxNxt, this.sndNxt);
      const seq = retransmitting ? this.rtxNxt : this.sndNxt;
      const limitEnd = retransmitting ? this.sndNxt : dataEnd;
      const wndEdge = seqAdd(this.sndUna, Math.min(this.sndWnd, this.cc.cwnd));
      const inWindow = Math.max(0, seqDiff(wndEdge, seq));
      const dataLeft = Math.max(0, seqDiff(seqLt(limitEnd, dataEnd) ? limitEnd : dataEnd, seq));
      let len = Math.min(dataLeft, this.sndMss, inWindow);
      if (isRto && retransmitting && len === 0 && dataLeft > 0) len = Math.min(dataLeft, this.sndMss); // the RTO segment goes even into a shrunk window
      const finHere = this.finQueued && seqAdd(seq, len) === dataEnd && (this.finSeq === undefined || seqLe(seq, this.finSeq)) && (retransmitting || this.finSeq === undefined);
      if (len === 0 && !finHere) break;
      // Nagle with Minshall's refinement, as Linux: hold a small segment only while an earlier small one is unacknowledged.
      if (!retransmitting && !finHere && len < this.sndMss && !this.cfg.noDelay && seqGt(this.sndSml, this.sndUna)) break;
      let flags = ACK;
      if (len > 0 && seqAdd(seq, len) === dataEnd) flags |= PSH;
      if (finHere) flags |= FIN;
      const payload = len > 0 ? this.sendBuf.peek(seqDiff(seq, this.sndUna), len) : EMPTY;
      const segOut = this.buildSegment(flags, seq, payload);
      if (retransmitting) segOut.rtx = true;
      this.transmit(segOut);
      const end = seqAdd(seq, len + (finHere ? 1 : 0));
      if (finHere && this.finSeq === undefined) this.finSeq = seqAdd(seq, len);
      if (retransmitting) {
        this.rtxNxt = end;
      } else {
        if (this.rttSeq === undefined && !this.tsOk) {
          this.rttSeq = end;
          this.rttStart = this.now;
        }
        this.sndNxt = end;
        this.rtxNxt = end;
        if (len < this.sndMss) this.sndSml = end;
      }
      if (this.rtxAt === undefined) this.armRtx();
      if (isRto) break; // after an RTO, one segment; the rest follow as ACKs open cwnd
    }
    // Zero window with data waiting and nothing in flight: the persist timer keeps probing.
    if (this.sndWnd === 0 && seqGe(this.sndUna, this.sndNxt) && this.sendBuf.length > 0 && this.persistAt === undefined) {
      this.persistAt = this.now + Math.max(this.rtt.rto, this.cfg.rtoMin);
    }
  }

  /** (Re)start the retransmission timer; the RTO carries any backoff until a new RTT sample resets it. */
  private armRtx(): void {
    this.rtxAt = this.now + this.rtt.rto;
  }

  private tsNow(): number {
    return (Math.floor(this.now) + this.cfg.tsOffset) >>> 0;
  }

  /** The free receive space from RCV.NXT: the window we may offer. */
  private freeWindow(): number {
    return Math.max(0, this.cfg.recvBufferSize - this.recvQ.length);
  }

  /** Window field for an outgoing segment; the right edge never moves left (RFC 9293 §3.8.6.2.2). */
  private windowField(syn: boolean): number {
    const free = this.freeWindow();
    if (syn) {
      const w = Math.min(free, 0xffff);
      this.rcvAdvEdge = seqAdd(this.rcvNxt, w);
      return w;
    }
    const promised = Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt));
    let field = Math.min(0xffff, Math.floor(free / 2 ** this.rcvScale));
    if (field * 2 ** this.rcvScale < promised) field = Math.min(0xffff, Math.ceil(promised / 2 ** this.rcvScale));
    const edge = seqAdd(this.rcvNxt, field * 2 ** this.rcvScale);
    this.rcvAdvEdge = seqMax(this.rcvAdvEdge, edge);
    return field;
  }

  private buildSegment(flags: number, seq: number, payload: Uint8Array): OutSegment {
    const options: TcpOptions = {};
    if (this.tsOk) options.ts = { val: this.tsNow(), ecr: this.tsRecent };
    if (this.sackOk && flags & ACK && !this.ooo.isEmpty) options.sack = this.ooo.sackBlocks(this.tsOk ? 3 : 4);
    const window = this.windowField(false);
    if (flags & ACK) this.lastAckSent = this.rcvNxt;
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
      flags: withAck ? SYN | ACK : SYN,
      window: this.windowField(true),
      options,
      payload: EMPTY,
    };
    if (rtx) seg.rtx = true;
    if (withAck) this.lastAckSent = this.rcvNxt;
    this.transmit(seg);
  }

  private sendAck(): void {
    this.transmit(this.buildSegment(ACK, this.sndNxt, EMPTY));
  }

  /** ACKs answering bad segments (challenge ACKs, RFC 5961 §7) are rate-limited per connection. */
  private sendAckLimited(): void {
    if (this.now - this.challengeWindowStart >= 1000) {
      this.challengeWindowStart = this.now;
      this.challengeCount = 0;
    }
    if (this.challengeCount >= this.cfg.challengeAckLimit) return;
    this.challengeCount++;
    this.sendAck();
  }

  /** RST,ACK with <SEQ=SND.NXT> (RFC 9293 §3.10.4/§3.10.5; Linux also sets ACK). */
  private sendReset(): void {
    this.transmit({ seq: this.sndNxt, ack: this.rcvNxt, flags: RST | ACK, window: 0, options: {}, payload: EMPTY });
  }

  private transmit(seg: OutSegment): void {
    this.sink.transmit(seg);
  }

  // ──────────────────────────── observation ────────────────────────────

  info(): ConnectionInfo {
    let timer: TimerName = 'off';
    let timerExpires: number | undefined;
    if (this.state === 'TIME_WAIT') {
      timer = 'timewait';
      timerExpires = this.closeAt;
    } else if (this.rtxAt !== undefined) {
      timer = 'on';
      timerExpires = this.rtxAt;
    } else if (this.persistAt !== undefined) {
      timer = 'persist';
      timerExpires = this.persistAt;
    } else if (this.closeAt !== undefined) {
      timer = 'fin_wait_2';
      timerExpires = this.closeAt;
    }
    const unacked = this.state === 'SYN_SENT' || this.state === 'SYN_RCVD' ? 0 : this.sendBuf.length;
    return {
      state: this.state,
      sendQueue: unacked,
      recvQueue: this.recvQ.length,
      rto: this.rtt.rto,
      srtt: this.rtt.srtt,
      cwnd: this.cc.cwnd,
      ssthresh: this.cc.ssthresh,
      sndWnd: this.sndWnd,
      rcvWnd: Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt)),
      mss: this.sndMss,
      timer,
      timerExpires,
      retransmits: this.rtxCount,
      options: {
        wscale: this.wsOk ? [this.sndScale, this.rcvScale] : null,
        sack: this.sackOk,
        timestamps: this.tsOk,
      },
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
  }
}
