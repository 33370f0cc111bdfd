import { ACK, FIN, PSH, RST } from '../wire/flags.js';
import type { TcpOptions } from '../wire/tcp-options.js';
import { expandedSendBuffer } from './buffer-autotune.js';
import type { TcpConfig } from './config.js';
import { CONTROLLER_NOT_MADE, createCongestionControl, type CongestionControl } from './congestion.js';
import { Ecn } from './ecn.js';
import { WRITABLE, type ConnectionSink } from './events.js';
import { TS_OPTION_LEN } from './handshake.js';
import type { AckSample } from './hystart.js';
import { PathMtu, type MtuProbe } from './pmtu.js';
import type { Receiver } from './receiver.js';
import type { CaState } from './info.js';
import type { LossRecovery } from './loss-recovery.js';
import { Rack } from './rack.js';
import { NO_SACKS, Recovery } from './recovery.js';
import { RetransmissionTimeout } from './rto.js';
import { EMPTY, type OutSegment, type Segment } from './segment.js';
import { enterTransmit, leaveTransmit, outRecord, type OutRecord } from './out-segment.js';
import { SendBuffer } from './send-buffer.js';
import { CWND_BLOCKED, NOTHING, NO_RETRANSMISSION, SENT, WINDOW_BLOCKED, type SendResult } from './send-result.js';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from './seq.js';
import type { TcpVars } from './tcp-vars.js';
import type { Timers } from './timers.js';
import { tsoLength } from './tso.js';
import { withBit } from './bits.js';

const MAX_OUTPUT_SEGMENTS = 4096; // bound on one output() pass
// Sender.bits
const FIN_QUEUED = 1;
const WANT_WRITABLE = 2;
const PROBE_OUT = 4;
const PROBE_REFUSED = 8;
/** A Rack was made once: its memory below outlives it (releaseRackIfIdle). */
const RACK_KEPT = 16;
/** RACK.reordering_seen, kept while the Rack is let go. */
const REO_SEEN = 32;
/** RACK.reo_wnd_mult − 1 (8 bits, ≤ 254) and RACK.reo_wnd_persist (5 bits, ≤ REO_WND_PERSIST), kept the same way. */
const REO_MULT_SHIFT = 6;
const REO_MULT_MASK = 0xff;
const REO_PERSIST_SHIFT = 14;
const REO_PERSIST_MASK = 0x1f;

/**
 * The sending half of a TCB: SND.UNA/NXT/MAX and SND.WND (in the shared
 * TcpVars), the send buffer, segmentation (MSS, TSO), Nagle and sender SWS
 * avoidance, the persist timer, RTT timing (Karn, RFC 6298), cwnd growth, and
 * the one path every segment takes to the wire (`emit` for data and FIN,
 * `transmit` for all). What to retransmit is loss recovery's (recovery.ts),
 * which this consults first; state changes are the state machine's.
 */
export class Sender extends RetransmissionTimeout {
  // Sequence numbers and TSvals as int32, read as uint32 (see tcp-vars.ts: no boxed HeapNumber per field).
  private sml32: number;
  private rtxUntil32: number;
  private rtxTsval32 = 0;
  private flightMark32: number;
  /**
   * The send queue (send-buffer.ts): the shared empty one (only ever read) while nothing is queued, so
   * an idle connection holds no send-buffer object, as it holds no ring; made by `queue`, dropped once
   * everything is acknowledged (an emptied queue holds nothing a new one would not start from).
   */
  sendBuf: SendBuffer = NO_SEND_DATA;
  /** The send buffer's size (SendBuffer's capacity), kept here while no queue is made. */
  private sndCapacity: number;
  /** End of the last small segment sent (Nagle/Minshall). */
  get sndSml(): number {
    return this.sml32 >>> 0;
  }
  set sndSml(x: number) {
    this.sml32 = x | 0;
  }
  /** Sequence number of our FIN once sent. */
  finSeq: number | undefined = undefined;
  /** finQueued, wantWritable, probeOutstanding and probeRefused (below), one bit each: a field is 8 B per connection. */
  private bits = 0;
  /** The user asked to close the sending side. */
  get finQueued(): boolean {
    return (this.bits & FIN_QUEUED) !== 0;
  }
  set finQueued(on: boolean) {
    this.bits = withBit(this.bits, FIN_QUEUED, on);
  }
  /** `send` took less than offered: say 'writable' when room frees up. */
  get wantWritable(): boolean {
    return (this.bits & WANT_WRITABLE) !== 0;
  }
  set wantWritable(on: boolean) {
    this.bits = withBit(this.bits, WANT_WRITABLE, on);
  }
  /** Exponential backoff of the persist timer (RFC 1122 §4.2.2.17). */
  persistBackoff = 0;
  /** A zero-window probe octet is in flight. */
  get probeOutstanding(): boolean {
    return (this.bits & PROBE_OUT) !== 0;
  }
  set probeOutstanding(on: boolean) {
    this.bits = withBit(this.bits, PROBE_OUT, on);
  }
  /** The peer's last answer refused our probe octet at a zero window: it holds exactly up to SND.UNA (see acceptableSeq). */
  private get probeRefused(): boolean {
    return (this.bits & PROBE_REFUSED) !== 0;
  }
  private set probeRefused(on: boolean) {
    this.bits = withBit(this.bits, PROBE_REFUSED, on);
  }
  /** Zero-window probes the peer has not answered. */
  probesOut = 0;
  /** Karn: the sequence being timed, without timestamps, and when it was sent. */
  rttSeq: number | undefined = undefined;
  rttStart = 0;
  /** SND.NXT at the last retransmission: ACKs below it may cover retransmitted data. */
  get rtxUntil(): number {
    return this.rtxUntil32 >>> 0;
  }
  set rtxUntil(x: number) {
    this.rtxUntil32 = x | 0;
  }
  /** TSval of the last retransmission. */
  get rtxTsval(): number {
    return this.rtxTsval32 >>> 0;
  }
  set rtxTsval(x: number) {
    this.rtxTsval32 = x | 0;
  }
  /** Was the sender using its window? The largest flight of the current round trip (RFC 7661; Linux tcp_cwnd_validate). */
  maxFlight = 0;
  /** The round trip ends when SND.UNA passes this. */
  get flightMark(): number {
    return this.flightMark32 >>> 0;
  }
  set flightMark(x: number) {
    this.flightMark32 = x | 0;
  }
  // Counters and times for info().
  bytesSent = 0;
  bytesRetrans = 0;
  bytesAcked = 0;
  segsOut = 0;
  dataSegsOut = 0;
  totalRetrans = 0;
  minRtt: number | undefined = undefined;
  lastSend: number | undefined = undefined;
  lastAck: number | undefined = undefined;
  /** ECN (RFC 3168; ecn.ts): the shared idle one, never changed, until ECN may be used (ownEcn). */
  ecn: Ecn = NO_ECN;
  /** Path MTU state while it holds more than the largest MSS allowed (PathMtu.plain): see `pmtu`. */
  private pmtuMade: PathMtu | undefined;
  /** Loss recovery (recovery.ts) once made: see `recovery()`. */
  private recMade: Recovery | undefined = undefined;
  /**
   * RACK (RFC 8985 §6, rack.ts), made when the first segment goes out on a RACK connection. Loss recovery
   * uses it; the sender keeps it, so that what it learned (min_RTT, the reordering window) outlives a
   * dropped recovery, as Linux keeps it in the socket — while idle as a few scalars only (releaseRackIfIdle).
   */
  rack: Rack | undefined = undefined;
  /** RACK.min_RTT while the Rack is let go (releaseRackIfIdle; the reordering memory is in `bits`). */
  private rackMinRtt: number | undefined = undefined;
  /** The congestion controller once made (see `cc`). */
  private ccMade: CongestionControl | undefined = undefined;

  /** The deadlines (timers.ts): fields of the shared record. */
  private get timers(): Timers {
    return this.v;
  }

  constructor(
    /** The shared record (tcp-vars.ts). */
    readonly v: TcpVars,
    /** Path MTU discovery and probing (RFC 1191/8201, RFC 4821; pmtu.ts): see `pmtu`. */
    pmtu: PathMtu,
    /** The receiving half, whose ACK fields and SACK blocks every segment carries. */
    readonly rcv: Receiver,
  ) {
    super(v.cfg.rtoInitial);
    const cfg = v.cfg;
    this.pmtuMade = pmtu;
    this.sndCapacity = cfg.sendBufferSize ?? cfg.wmem[1];
    this.sml32 = v.iss | 0;
    this.rtxUntil32 = v.iss | 0;
    this.flightMark32 = v.iss | 0;
  }

  /** The configuration and the sink: fields of the shared record. */
  private get cfg(): TcpConfig {
    return this.v.cfg;
  }
  private get sink(): ConnectionSink {
    return this.v.sink;
  }

  /** RTT estimation and the RTO (RFC 6298; rto.ts): fields of this object, bounded by the configuration. */
  get rtt(): RetransmissionTimeout {
    return this;
  }
  protected get rtoMin(): number {
    return this.cfg.rtoMin;
  }
  protected get rtoMax(): number {
    return this.cfg.rtoMax;
  }

  /**
   * Path MTU discovery and probing (RFC 1191/8201, RFC 4821; pmtu.ts). A connection that has learned
   * nothing of its path keeps only the largest MSS allowed, and the PathMtu is made again from it when
   * an ICMP, a timeout or probing needs it (dropPlainPmtu).
   */
  get pmtu(): PathMtu {
    if (this.pmtuMade === undefined) {
      this.pmtuMade = new PathMtu(this.cfg.mtuProbing, this.cfg.mss, this.v.now);
      this.pmtuMade.setMax(Math.min(this.v.peerMss, this.cfg.mss)); // as negotiate set it (handshake.ts)
    }
    return this.pmtuMade;
  }

  /** The MTU probe in flight, if any (without making the PathMtu). */
  get mtuProbe(): MtuProbe | undefined {
    return this.pmtuMade?.probe;
  }

  /**
   * Let the path MTU state go while it holds nothing but the largest MSS allowed (PathMtu.plain), which
   * is min(peer's MSS, ours) once the handshake negotiated it: called only after negotiate (handshake.ts).
   */
  dropPlainPmtu(): void {
    if (this.pmtuMade?.plain) this.pmtuMade = undefined;
  }

  /** Queue `data` for sending (SEND, RFC 9293 §3.10.2): how many bytes the send buffer took. */
  queue(data: Uint8Array): number {
    if (this.sendBuf === NO_SEND_DATA) {
      if (Math.min(data.length, this.sndCapacity) <= 0) return 0;
      this.sendBuf = new SendBuffer(this.sndCapacity, this.cfg.sendBufferSize ?? this.cfg.wmem[2]); // SO_SNDBUF, else as far as autotuning may grow it
    }
    return this.sendBuf.push(data);
  }

  /** The send buffer's size now (SO_SNDBUF, or as it grew with cwnd), bytes. */
  get sendCapacity(): number {
    return this.sendBuf === NO_SEND_DATA ? this.sndCapacity : this.sendBuf.capacity;
  }
  set sendCapacity(bytes: number) {
    if (this.sendBuf === NO_SEND_DATA) this.sndCapacity = bytes;
    else this.sendBuf.capacity = bytes;
  }

  /** Bytes `queue` would take now. */
  get sendFree(): number {
    return Math.max(0, this.sendCapacity - this.sendBuf.length);
  }

  /**
   * Loss recovery, which says what to retransmit, made when first needed: when data or a FIN goes out,
   * an ACK is processed, a timer fires. An idle connection has none (dropRecoveryIfPristine).
   */
  recovery(): Recovery {
    return (this.recMade ??= new Recovery(this.v, this.cfg, this.sink, this));
  }

  /**
   * RACK, made now if it was not, with what an earlier one learned (releaseRackIfIdle); it reads the SACK
   * scoreboard of the loss recovery of the moment.
   */
  makeRack(): Rack {
    return this.rack ?? this.newRack();
  }

  /**
   * makeRack's making, apart: a function that makes closures over `this` gets a context object on every call
   * (V8 allocates it on entry), and makeRack is called for every segment sent.
   */
  private newRack(): Rack {
    const rack = new Rack(
      () => this.recMade?.sb ?? NO_SACKS,
      (c) => this.sink.count?.(c),
    );
    rack.minRtt = this.rackMinRtt;
    rack.reorderingSeen = (this.bits & REO_SEEN) !== 0;
    rack.reoWndMult = ((this.bits >> REO_MULT_SHIFT) & REO_MULT_MASK) + 1;
    rack.reoWndPersist = (this.bits >> REO_PERSIST_SHIFT) & REO_PERSIST_MASK;
    rack.keepArray = true; // the array goes with the Rack (releaseRackIfIdle)
    this.bits |= RACK_KEPT;
    return (this.rack = rack);
  }

  /** RACK if this connection has one, made again if it was let go while idle (for a D-SACK arriving then). */
  get rackIfKept(): Rack | undefined {
    return this.rack ?? (this.bits & RACK_KEPT ? this.makeRack() : undefined);
  }

  /**
   * Let RACK go while it is idle (Rack.idle) and no recovery is under way, keeping in scalars what a new one
   * must start from: min_RTT and the reordering window's memory, which Linux keeps in the socket
   * (tcp_sock.rack) across idle, while the per-segment records, like Linux's skbs, are gone once delivered.
   * Only when nothing is left to send either (the connection is idle, not between two flights of a bulk
   * transfer): else the next segment would make it again, and regrow its records array, every round.
   */
  releaseRackIfIdle(): void {
    const rack = this.rack;
    if (rack === undefined || !rack.idle || this.caState !== 'open' || this.sendBuf.length > 0) return;
    this.rackMinRtt = rack.minRtt;
    const reo =
      (rack.reorderingSeen ? REO_SEEN : 0) |
      (((rack.reoWndMult - 1) & REO_MULT_MASK) << REO_MULT_SHIFT) |
      ((rack.reoWndPersist & REO_PERSIST_MASK) << REO_PERSIST_SHIFT);
    this.bits = (this.bits & (REO_SEEN - 1)) | reo;
    this.rack = undefined;
  }

  /** The parts made on demand this sender holds now (Connection.heldParts). */
  get heldParts(): string[] {
    const parts: string[] = [];
    if (this.sendBuf !== NO_SEND_DATA) parts.push('send-buffer');
    if (this.recMade !== undefined) parts.push('recovery');
    if (this.rack !== undefined) parts.push('rack');
    if (this.ccMade !== undefined) parts.push('congestion-control');
    if (this.pmtuMade !== undefined) parts.push('path-mtu');
    if (this.ecn !== NO_ECN) parts.push('ecn');
    return parts;
  }

  /** Loss recovery if made, without making it (timers, info). */
  get recoveryIfMade(): Recovery | undefined {
    return this.recMade;
  }

  /** Forget loss recovery while it holds nothing a new one would not start from (Recovery.pristine), and let an idle RACK go. */
  dropRecoveryIfPristine(): void {
    if (this.recMade?.pristine) this.recMade = undefined;
    this.releaseRackIfIdle();
  }

  /**
   * An ACK that loss recovery in its initial state would take nothing from: nothing in flight, SND.UNA
   * acknowledged again, no SACK blocks (nor a D-SACK), no ECN-Echo. With no recovery made, such an ACK
   * (a bulk receiver gets one with every segment) updates the window only (takeIdleAck), and no recovery
   * is made for it.
   */
  idleAck(seg: Segment): boolean {
    const sack = seg.options.sack;
    return this.v.sndUna === this.v.sndNxt && seg.ack === this.v.sndUna && !(this.v.sackOk && sack !== undefined && sack.length > 0) && !this.ecn.isEcho(seg.flags);
  }

  /** What Recovery.onAck does with an idleAck: the window (RFC 9293 §3.10.7.4 "fifth") and the persist timer. */
  takeIdleAck(seg: Segment): void {
    this.updateWindow(seg, false, false);
    this.afterWindowUpdate();
  }

  /** The congestion-avoidance state: 'open' while loss recovery is not made. */
  get caState(): CaState {
    return this.recMade !== undefined ? this.recMade.caState : 'open';
  }

  /**
   * The congestion controller (congestion.ts), made on first use: an idle connection that has sent no
   * data has none (its window is the initial one, `cwndNow`), as it holds no buffers. Until then it
   * would only have been told the MSS, and it is made with the MSS of the moment, so the window it
   * starts from is the one it would have had.
   */
  get cc(): CongestionControl {
    return (this.ccMade ??= createCongestionControl(this.cfg.congestionControl, this.v.sndMss, this.cfg.initialCwnd, {
      hystart: this.cfg.hystart,
      count: this.sink.count?.bind(this.sink),
    }));
  }

  /** The controller if made, else the stand-in that only takes the MSS (handshake.ts syncMss). */
  get ccForMss(): CongestionControl {
    return this.ccMade ?? CONTROLLER_NOT_MADE;
  }

  /** The controller's cwnd, without making it: the initial window (RFC 6928) while there is none. */
  get cwndNow(): number {
    return this.ccMade !== undefined ? this.ccMade.cwnd : Math.floor(this.cfg.initialCwnd * this.v.sndMss);
  }

  /** The controller's ssthresh and name, without making it (info.ts). */
  get ssthreshNow(): number {
    return this.ccMade !== undefined ? this.ccMade.ssthresh : Number.MAX_SAFE_INTEGER;
  }
  get ccName(): string {
    return this.ccMade !== undefined ? this.ccMade.name : this.cfg.congestionControl;
  }

  /**
   * An ACK in (SND.NXT, SND.MAX]: the peer took data sent before a zero window
   * pulled SND.NXT back (R7). SND.NXT moves up to it; the FIN, if the ACK
   * covers it, counts as sent (the rewind forgot it).
   */
  takeAckBeyondSndNxt(ack: number): void {
    if (this.finQueued && this.finSeq === undefined && seqDiff(ack, this.v.sndUna) === this.sendBuf.length + 1) this.finSeq = seqAdd(ack, -1);
    this.recMade?.onSndNxtAdvance(this.v.sndNxt, ack);
    this.v.sndNxt = ack;
  }

  private armPersist(): void {
    this.timers.persistAt = this.v.now + this.persistInterval();
  }

  /** The persist timer's interval: the RTO backed off per probe, at most rtoMax (Linux inet_csk_rto_backoff). */
  private persistInterval(): number {
    const base = Math.max(this.rtt.rto, this.cfg.rtoMin);
    return Math.min(this.cfg.rtoMax, base * 2 ** this.persistBackoff);
  }

  /**
   * Grow cwnd for newly acknowledged data, unless the sender was not using its
   * window: cwnd grows only up to twice the largest flight of the last round
   * trips (RFC 7661's idea; Linux tcp_is_cwnd_limited), so an
   * application-limited sender does not build up a window it never tested.
   */
  growCwnd(dataAcked: number, flightBefore: number): void {
    if (dataAcked <= 0) return;
    if (this.ecn.reducing(this.v.sndUna)) return; // cwnd was just cut for ECN-Echo: no growth in that window (Linux's CWR state)
    const used = Math.max(this.maxFlight, flightBefore);
    if (2 * used < this.cwndNow) return;
    ACK_SAMPLE.ack = this.v.sndUna;
    ACK_SAMPLE.sndNxt = this.v.sndNxt;
    ACK_SAMPLE.rtt = this.recMade?.ackRtt; // growCwnd runs within Recovery.onAck
    this.cc.onAck(dataAcked, this.v.now, this.rtt.srtt, ACK_SAMPLE);
  }

  /** SEG.ACK advanced SND.UNA: drop acknowledged data, measure RTT, manage the retransmission timer. Returns the data octets acknowledged. */
  ackAdvance(seg: Segment): number {
    const ack = seg.ack;
    const una0 = this.v.sndUna;
    const acked = seqDiff(ack, una0);
    if (acked <= 0) return 0;
    // The SYN and FIN occupy sequence space but no buffer bytes.
    let dataAcked = acked;
    if (this.v.sndUna === this.v.iss) dataAcked--; // our SYN
    if (this.finSeq !== undefined && seqGt(ack, this.finSeq)) dataAcked--;
    dataAcked = Math.max(0, Math.min(dataAcked, this.sendBuf.length));
    this.sendBuf.drop(dataAcked);
    if (this.sendBuf.length === 0 && this.sendBuf !== NO_SEND_DATA) {
      this.sndCapacity = this.sendBuf.capacity;
      this.sendBuf = NO_SEND_DATA;
    }
    this.v.sndUna = ack;
    this.bytesAcked += dataAcked;
    this.lastAck = this.v.now;
    this.recMade?.onUnaAdvance(ack);
    if (seqLt(this.sndSml, ack)) this.sndSml = ack;
    if (seqLt(this.rtxUntil, una0)) this.rtxUntil = una0; // keep it within 2^31 of SND.UNA
    if (seqLt(this.flightMark, ack)) this.flightMark = ack;

    // RTT sample (RFC 6298 §3 Karn's rule; RFC 7323 §4.1 with timestamps).
    // After an RTO, a TSecr older than the retransmission, on an ACK that covers retransmitted data, may
    // echo the original transmission of data whose ACK was lost: that sample would include the RTO wait
    // (Karn's ambiguity again; RFC 7323 §4.2 leaves it to the sender), so it is skipped.
    // A TSecr this connection cannot have sent is no sample (ts-echo.ts: corrupted or spoofed, it pinned the RTO at 120 s).
    const ecr = seg.options.ts?.ecr;
    if (this.v.tsOk && ecr !== undefined && ecr !== 0) {
      const rtt = this.v.echoAge(seg.options.ts);
      if (rtt !== undefined && !(this.caState === 'loss' && seqLt(una0, this.rtxUntil) && seqLt(ecr, this.rtxTsval))) this.rttSample(rtt);
    } else if (this.rttSeq !== undefined && seqGe(ack, this.rttSeq)) {
      this.rttSample(this.v.now - this.rttStart);
      this.rttSeq = undefined;
    }
    this.timers.rtxCount = 0;
    // RFC 6298 §5.2–5.3: stop the timer when all is acked, else restart it
    // (during NewReno recovery only for the first partial ACK, RFC 6582 §3.2 step 5).
    if (seqGe(this.v.sndUna, this.v.sndNxt)) this.timers.rtxAt = undefined;
    else if (this.recMade === undefined || !this.recMade.holdsRtxTimer()) this.armRtx();
    this.recMade?.armProbe(); // none made: nothing but a SYN was ever in flight, no probe to arm

    // Linux tcp_check_space → tcp_new_space: room for a growing cwnd, unless a full cwnd is in flight
    // already (tcp_should_expand_sndbuf: the buffer is not what holds the sender back then).
    if (seqDiff(this.v.sndNxt, this.v.sndUna) < this.cwndNow) this.expandSendBuffer();
    this.notifyWritable();
    return dataAcked;
  }

  /** Send buffer growth with cwnd (Linux tcp_sndbuf_expand), unless SO_SNDBUF fixed it. */
  expandSendBuffer(): void {
    if (this.cfg.sendBufferSize !== undefined) return;
    this.sendCapacity = expandedSendBuffer(this.sendCapacity, this.cwndNow, this.v.sndMss, this.cfg.initialCwnd, this.cfg.wmem[2]);
  }

  notifyWritable(): void {
    if (this.wantWritable && this.sendFree > 0 && !this.finQueued) {
      this.wantWritable = false;
      this.sink.event(WRITABLE);
    }
  }

  rttSample(ms: number): void {
    if (this.recMade !== undefined) this.recMade.ackRtt = ms; // the ACK's sample, for the rest of Recovery.onAck
    this.rtt.sample(ms);
    if (this.minRtt === undefined || ms < this.minRtt) this.minRtt = ms;
  }

  /**
   * SND.WND update (RFC 9293 §3.10.7.4 "fifth", SND.WL1/WL2 rule). Only an ACK at or above SND.UNA may
   * update it: an older one is a duplicate to ignore (§3.10.7.4), else a spoofed old ACK carrying a SEQ
   * ahead in the window would close the window and move SND.WL1 past every segment the peer sends next.
   * As Linux (tcp_may_update_window), an ACK that advances SND.UNA updates it whatever SND.WL1 says.
   */
  updateWindow(seg: Segment, synSegment: boolean, advanced: boolean): void {
    if (seqGe(seg.ack, this.v.sndUna) && (advanced || seqLt(this.v.sndWl1, seg.seq) || (this.v.sndWl1 === seg.seq && seqLe(this.v.sndWl2, seg.ack)))) {
      this.v.sndWnd = synSegment ? seg.window : seg.window << this.v.sndScale;
      this.v.sndWl1 = seg.seq;
      this.v.sndWl2 = seg.ack;
      if (this.v.sndWnd > this.v.maxSndWnd) this.v.maxSndWnd = this.v.sndWnd;
      if (this.v.sndWnd > 0) {
        this.timers.persistAt = undefined;
        this.persistBackoff = 0;
      }
    }
    // A peer that answers our zero-window probes is alive: probing goes on as long as it answers (as Linux).
    if (this.v.sndWnd === 0) this.timers.rtxCount = 0;
  }

  /**
   * Send what the windows allow: retransmissions first (go-back-N after an
   * RTO, RFC 6675 NextSeg() during SACK recovery), then new data, then the
   * FIN once all data is out. The peer's window is never exceeded; cwnd
   * bounds the data in flight (the RFC 6675 pipe during recovery). Nagle
   * (RFC 896, with Minshall's refinement) and sender SWS avoidance
   * (RFC 1122 §4.2.3.4) hold back small segments.
   */
  output(isRto = false): void {
    if (!this.v.sending) return;
    // RFC 5681 §4.1: after an idle period longer than the RTO, restart from the initial window.
    if (
      this.cfg.slowStartAfterIdle &&
      this.v.sndUna === this.v.sndNxt &&
      this.caState === 'open' &&
      this.lastSend !== undefined &&
      this.v.now - this.lastSend > this.rtt.rto &&
      this.hasUnsent()
    ) {
      this.cc.onIdleRestart(this.v.now);
      this.lastSend = this.v.now;
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
    if (blocked && seqGe(this.v.sndUna, this.v.sndNxt) && this.timers.persistAt === undefined) this.armPersist();
  }

  /** One segment, if anything may go now. */
  private sendOne(forced: boolean): SendResult {
    const room = this.segmentRoom();
    const cwnd = this.cwnd();

    const rec: LossRecovery | undefined = this.recMade;
    if (rec !== undefined) {
      const r = rec.sendRetransmission(room, cwnd, forced);
      if (r !== NO_RETRANSMISSION) return r;
    }

    // New data within cwnd.
    const pipe = rec !== undefined ? rec.newDataPipe() : seqDiff(this.v.sndNxt, this.v.sndUna);
    const probe = forced ? NOTHING : this.sendMtuProbe(cwnd - pipe);
    if (probe !== NOTHING) return probe;
    return this.sendNew(room, forced ? Infinity : cwnd - pipe);
  }

  /** New data (or the FIN) at SND.NXT, within the peer's window, `budget` bytes of cwnd, Nagle and SWS rules. */
  sendNew(room: number, budget: number): SendResult {
    const seq = this.v.sndNxt;
    const dataEnd = seqAdd(this.v.sndUna, this.sendBuf.length);
    const dataLeft = Math.max(0, seqDiff(dataEnd, seq));
    const finPending = this.finQueued && this.finSeq === undefined;
    if (dataLeft === 0) {
      if (!finPending) return NOTHING;
      this.emit(seq, 0, false); // a lone FIN needs no window
      return SENT;
    }
    const inWindow = Math.max(0, seqDiff(seqAdd(this.v.sndUna, this.v.sndWnd), seq));
    let len = Math.min(dataLeft, room, inWindow);
    if (len === 0) return WINDOW_BLOCKED;
    if (len < room && len < dataLeft) {
      // The window cuts the segment short. RFC 1122 §4.2.3.4 sender SWS avoidance: send only a
      // fraction Fs = 1/2 of the largest window the peer offered; else wait (the persist timer overrides).
      if (len < this.v.maxSndWnd / 2 || !this.nagleAllows()) return WINDOW_BLOCKED;
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
    return this.cfg.noDelay || !seqGt(this.sndSml, this.v.sndUna);
  }

  /** Payload room in one segment: the MSS less the options this segment carries beyond the fixed ones (SACK blocks). */
  segmentRoom(): number {
    const pending = this.rcv.sackBlocksToSend;
    if (!this.v.sackOk || pending === 0) return this.v.sndMss;
    const blocks = Math.min(pending, this.v.tsOk ? 3 : 4);
    return Math.max(1, this.v.sndMss - (4 + 8 * blocks));
  }

  /** Octets of queued data in [seq, end). */
  dataUpTo(seq: number, end: number): number {
    const dataEnd = seqAdd(this.v.sndUna, this.sendBuf.length);
    const stop = seqLt(end, dataEnd) ? end : dataEnd;
    return Math.max(0, seqDiff(stop, seq));
  }

  /** Unsent data or an unsent FIN. */
  hasUnsent(): boolean {
    return seqDiff(seqAdd(this.v.sndUna, this.sendBuf.length), this.v.sndNxt) > 0 || (this.finQueued && this.finSeq === undefined);
  }

  /**
   * Put [seq, seq+len) on the wire, with FIN when it ends the data and the
   * user has closed. Returns the sequence space used (len, +1 for a FIN).
   * New data longer than a segment leaves as a TSO super-segment cut at the
   * MSS, unless `whole`: an RFC 4821 probe must cross the path as one packet
   * of its size (Linux tcp_mtu_probe sends it with tso_segs 1), or it tests
   * nothing and every probe "succeeds".
   */
  emit(seq: number, len: number, rtx: boolean, whole = false): number {
    const dataEnd = seqAdd(this.v.sndUna, this.sendBuf.length);
    const end = seqAdd(seq, len);
    const fin = this.finQueued && end === dataEnd;
    let flags = ACK;
    if (len > 0 && end === dataEnd) flags |= PSH;
    if (fin) flags |= FIN;
    // RFC 3168 §6.1.5/§6.1.6: ECT (and CWR) only on data never sent before (not below SND.MAX), and not on a
    // zero-window probe (the only data this connection sends while SND.WND is 0).
    const newData = len > 0 && !seqLt(seq, this.v.sndMax) && this.v.sndWnd > 0;
    flags |= this.ecn.takeCwr(newData);
    const segOut = this.buildSegment(flags, seq, EMPTY);
    if (len > 0) {
      // The payload by its place in the send ring (no view per segment); a range the ring cannot show
      // contiguous (longer than any segment) is copied.
      const offset = seqDiff(seq, this.v.sndUna);
      const at = this.sendBuf.locate(offset, len);
      if (at >= 0) segOut.setPayload(this.sendBuf.bytes, at, len);
      else segOut.setPayload(this.sendBuf.peek(offset, len), 0, len);
    }
    if (newData) segOut.ecn = this.ecn.dataCodepoint(true);
    if (fin && this.finSeq === undefined) this.finSeq = end;
    const used = len + (fin ? 1 : 0);
    const segEnd = seqAdd(seq, used);
    const isNew = seqGt(segEnd, this.v.sndNxt);
    if (rtx && !isNew) {
      segOut.rtx = true;
      const rec: LossRecovery = this.recovery();
      this.rtxUntil = this.v.sndNxt;
      this.rtxTsval = this.v.tsNow();
      this.totalRetrans++;
      rec.onRetransmitted(this.v.sndNxt, this.rtxTsval);
      if (rec.caState !== 'loss') this.sink.count?.('TCPFastRetrans'); // as Linux: retransmissions outside RTO recovery
      this.bytesRetrans += len;
      // Karn (RFC 6298 §3): a retransmitted range is not timed.
      if (this.rttSeq !== undefined && seqLt(seq, this.rttSeq)) this.rttSeq = undefined;
    } else {
      if (this.rttSeq === undefined && !this.v.tsOk && len > 0) {
        this.rttSeq = segEnd;
        this.rttStart = this.v.now;
      }
      const room = this.segmentRoom();
      // A TSO super-segment ending in a small segment counts as small (Linux tcp_minshall_update); a probe, longer
      // than a segment, does not (Linux tcp_mtu_probe leaves snd_sml alone), or Nagle would hold what follows it.
      if (!whole && (len < room || len % room !== 0)) this.sndSml = segEnd;
      if (len > room && !whole) segOut.segmentSize = room;
    }
    this.segsOut++;
    if (len > 0) {
      this.dataSegsOut++;
      this.bytesSent += len;
      this.recMade?.onSending(len);
    }
    this.transmit(segOut);
    if (used > 0) this.recovery().onSent(seq, segEnd, fin);
    if (isNew) {
      this.recMade?.onSndNxtAdvance(this.v.sndNxt, segEnd);
      this.v.sndNxt = segEnd;
      if (seqGt(segEnd, this.v.sndMax)) this.v.sndMax = segEnd;
      const flight = seqDiff(segEnd, this.v.sndUna);
      if (flight > this.maxFlight || seqGe(this.v.sndUna, this.flightMark)) {
        this.maxFlight = flight;
        this.flightMark = segEnd;
      }
    }
    this.lastSend = this.v.now;
    if (this.timers.rtxAt === undefined) this.armRtx();
    if (isNew) this.recovery().armProbe();
    return used;
  }

  /** The congestion window: PRR's during fast recovery (prr.ts), else the controller's. */
  cwnd(): number {
    const inRecovery = this.recMade?.recoveryCwnd();
    return inRecovery !== undefined ? inRecovery : this.cwndNow;
  }

  /** (Re)start the retransmission timer; the RTO carries any backoff until a new RTT sample resets it. */
  armRtx(): void {
    this.timers.rtxAt = this.v.now + this.rtt.rto;
  }

  /** A data or ACK segment, in the reused record of out-segment.ts: valid until the transmit that takes it returns. */
  private buildSegment(flags: number, seq: number, payload: Uint8Array): OutRecord {
    const out = outRecord();
    const options = out.options;
    options.sack = undefined;
    if (this.v.tsOk) {
      const ts = (options.ts = out.tsPair);
      ts.val = this.v.tsNow();
      ts.ecr = this.v.tsRecent;
    } else options.ts = undefined;
    out.window = this.rcv.fillSegment(flags, options);
    flags |= this.ecn.ackFlags(); // RFC 3168 §6.1.3: ECE on every segment until the peer's CWR
    if (flags & ACK) this.rcv.ackSent();
    out.seq = seq;
    out.ack = flags & ACK ? this.v.rcvNxt : 0;
    out.flags = flags;
    out.setPayload(payload, 0, payload.length);
    out.ecn = undefined;
    out.rtx = undefined;
    out.segmentSize = undefined;
    return out;
  }

  sendAck(): void {
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
   *
   * One exception: the peer has just refused our zero-window probe (its answer, sent after the octet, still
   * ACKs SND.UNA with a zero window), so its RCV.NXT is SND.UNA, and a zero window takes only SEG.SEQ =
   * RCV.NXT (RFC 9293 §3.10.7.4; Linux's tcp_sequence too). At SND.MAX, one past the refused octet, Linux
   * drops our ACKs unread — a FIN it sent then stays unacknowledged, the kernel in FIN_WAIT_1, until a
   * later probe carries the ACK (seen in the interop close case "the kernel half-closes first").
   */
  private acceptableSeq(): number {
    if (this.probeRefused && this.v.sndWnd === 0 && this.v.sndNxt === this.v.sndUna) return this.v.sndUna;
    return this.v.sndMax;
  }

  /** RST,ACK (RFC 9293 §3.10.4/§3.10.5; Linux also sets ACK) at SND.NXT — SND.MAX after a rewind (see acceptableSeq). */
  sendReset(): void {
    this.segsOut++;
    this.transmit({ seq: this.acceptableSeq(), ack: this.v.rcvNxt, flags: RST | ACK, window: 0, options: {}, payload: EMPTY });
  }

  transmit(seg: OutSegment): void {
    enterTransmit(); // segments built within the sink's call (a link delivering at once) take the next record
    try {
      this.sink.transmit(seg);
    } finally {
      leaveTransmit();
    }
  }

  /**
   * RFC 4821 §7 probe (Linux tcp_mtu_probe): one segment of the probe size at SND.NXT, in the open
   * state with cwnd ≥ 11 segments, when there is data for the probe and (dupThresh + 1) full
   * segments after it (so that a lost probe shows as duplicate ACKs). As Linux, sending waits for
   * the window and cwnd to take all that when they will once the flight is ACKed (WINDOW_BLOCKED /
   * CWND_BLOCKED), and goes on without a probe when they never would. NOTHING: no probe now.
   */
  private sendMtuProbe(budget: number): SendResult {
    if (this.caState !== 'open' || this.cwndNow < 11 * this.v.sndMss) return NOTHING;
    const size = this.pmtuMade?.probeSize(this.v.now); // a plain one has no probe to send
    if (size === undefined) return NOTHING;
    const len = size - (this.v.tsOk ? TS_OPTION_LEN : 0);
    const needed = len + (this.cfg.dupThresh + 1) * this.v.sndMss;
    const seq = this.v.sndNxt;
    if (seqDiff(seqAdd(this.v.sndUna, this.sendBuf.length), seq) < needed || this.v.sndWnd < needed) return NOTHING;
    const inFlight = seqLt(this.v.sndUna, seq);
    if (seqDiff(seqAdd(this.v.sndUna, this.v.sndWnd), seq) < needed) return WINDOW_BLOCKED;
    if (budget < len + this.v.sndMss) return inFlight ? CWND_BLOCKED : NOTHING;
    this.emit(seq, len, false, true);
    this.pmtu.sent(size, seq, seqAdd(seq, len));
    return SENT;
  }

  /**
   * Persist timer (RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17): the peer's window
   * is closed, or too small for the waiting data. With a zero window, send one
   * octet beyond it as a probe and probe again with exponential backoff for as
   * long as the peer answers; an answer that still shows a zero window means
   * the octet was refused, and it is sent again later. With a small window,
   * send what fits (RFC 1122 §4.2.3.4 override timeout).
   */
  onPersistTimeout(appClosed: boolean): boolean {
    if (this.probeOutstanding) this.rewindToUna(); // the last probe went unanswered: it is sent again
    if (!this.v.sending || seqLt(this.v.sndUna, this.v.sndNxt)) return false;
    const offset = seqDiff(this.v.sndNxt, this.v.sndUna);
    const waiting = this.sendBuf.length - offset;
    if (waiting <= 0) return false;
    if (this.v.sndWnd > 0) {
      this.emit(this.v.sndNxt, Math.min(this.v.sndWnd, waiting, this.segmentRoom()), false);
      return false;
    }
    // An orphan is not kept for ever by a peer that answers every probe with a zero window (R9): as
    // Linux's tcp_probe_timer for a dead socket, once the backoff has reached rtoMax it is given up on
    // after tcp_orphan_retries backoffs, answered or not.
    if (appClosed && this.persistInterval() >= this.cfg.rtoMax && this.persistBackoff >= this.cfg.orphanRetries) return true;
    // As Linux (tcp_probe_timer), a peer that stops answering probes is given up on after tcp_retries2.
    if (this.probesOut >= (appClosed ? this.cfg.orphanRetries : this.cfg.retries2)) return true;
    this.probesOut++;
    this.emit(this.v.sndNxt, 1, false);
    this.timers.rtxAt = undefined; // the persist timer, not the retransmission timer, repeats the probe
    this.probeOutstanding = true;
    this.persistBackoff++;
    this.armPersist();
    return false;
  }

  /** Forget that [SND.UNA, SND.NXT) was sent: the zero window dropped it (flow control, not congestion). */
  private rewindToUna(): void {
    const una = this.v.sndUna;
    this.v.sndNxt = una;
    this.sndSml = una;
    if (this.finSeq !== undefined && seqGe(this.finSeq, una)) this.finSeq = undefined;
    this.rttSeq = undefined;
    this.timers.rtxAt = undefined;
    this.probeOutstanding = false;
    this.recMade?.onRewind(una);
  }

  /** After SND.WND was (maybe) updated by an ACK: the zero-window probe and the persist timer (RFC 9293 §3.8.6.1). */
  afterWindowUpdate(): void {
    this.probesOut = 0; // the peer answers
    if (this.v.sndWnd > 0) this.probeRefused = false;
    if (this.probeOutstanding) {
      // An answer that does not cover the probe octet refused it (it met a zero window): it goes again.
      this.probeRefused = seqLt(this.v.sndUna, this.v.sndNxt) && this.v.sndWnd === 0;
      if (seqLt(this.v.sndUna, this.v.sndNxt)) this.rewindToUna();
      this.probeOutstanding = false;
    }
    // Data beyond a zero window will not be taken: pull SND.NXT back to SND.UNA and let the persist
    // timer probe (as BSD tcp_output does).
    if (this.v.sndWnd === 0 && seqLt(this.v.sndUna, this.v.sndNxt) && (this.finSeq === undefined || seqLt(this.v.sndUna, this.finSeq))) {
      this.rewindToUna();
    }
    if (this.v.sndWnd === 0 && seqGe(this.v.sndUna, this.v.sndNxt) && this.timers.persistAt === undefined && this.hasUnsent()) this.armPersist();
    // Nothing left to send (an ACK took data and FIN the window had refused): nothing to probe either
    // (RFC 9293 §3.8.6.1 probes a zero window only while there is data to send); Linux's probe timer finds
    // no send head and stops, here it is disarmed at once so no state that cannot send keeps it.
    if (this.timers.persistAt !== undefined && !this.hasUnsent()) {
      this.timers.persistAt = undefined;
      this.persistBackoff = 0;
    }
  }

  /**
   * The retransmission timer expired while the window is closed: flow control, not congestion. Data goes
   * back to the persist timer; a FIN alone (it needs no window) is simply sent again.
   */
  retransmitTimeoutClosedWindow(): void {
    if (this.finSeq === undefined || seqLt(this.v.sndUna, this.finSeq)) {
      this.rewindToUna();
      this.armPersist();
    } else {
      this.emit(this.v.sndUna, 0, true);
      this.armRtx();
    }
  }

  /** Our SYN or SYN-ACK (handshake.ts builds it). */
  sendSyn(seg: OutSegment, withAck: boolean): void {
    if (seg.rtx) this.totalRetrans++;
    if (withAck) this.v.lastAckSent = this.v.rcvNxt;
    this.segsOut++;
    this.transmit(seg);
  }

  /** This connection's own ECN state, made when a SYN may turn ECN on (idle connections share NO_ECN). */
  ownEcn(): Ecn {
    if (this.ecn === NO_ECN) this.ecn = new Ecn();
    return this.ecn;
  }

  /**
   * The handshake is over and ECN was not negotiated: back to the shared idle state. An Ecn that is not `ok`
   * changes nothing and holds nothing the shared one does not (ecn.ts), as Linux keeps only TCP_ECN_OK clear.
   */
  dropEcnIfOff(): void {
    if (!this.ecn.ok) this.ecn = NO_ECN;
  }

  /** A keepalive probe (RFC 1122 §4.2.3.6): SEQ = SND.UNA − 1, no data, which any live peer answers with an ACK. */
  sendKeepaliveProbe(): void {
    this.segsOut++;
    this.transmit(this.buildSegment(ACK, seqAdd(this.v.sndUna, -1), EMPTY));
  }
}

/** The send queue of a connection with nothing queued: empty, never written (Sender.queue makes the connection its own). */
const NO_SEND_DATA = new SendBuffer(0);

/** What an ACK tells HyStart++, filled for each call to the controller, which reads it during the call only: one for all connections. */
const ACK_SAMPLE: AckSample = { ack: 0, sndNxt: 0, rtt: undefined };

/** The ECN state of a connection that has not negotiated ECN: `ok` stays false, and nothing else changes while it is. */
const NO_ECN = new Ecn();
