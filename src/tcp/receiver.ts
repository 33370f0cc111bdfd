import { ACK, FIN } from '../wire/flags.js';
import type { TcpOptions } from '../wire/tcp-options.js';
import { segmentAcceptable } from './acceptability.js';
import { ReceiveAutotune } from './buffer-autotune.js';
import type { TcpConfig } from './config.js';
import { DsackReport } from './dsack.js';
import { READABLE, type ConnectionSink } from './events.js';
import { Reassembly } from './reassembly.js';
import { ReceiveQueue } from './receive-queue.js';
import { EMPTY, segLen, type Segment } from './segment.js';
import { seqAdd, seqDiff, seqGt, seqLt, seqMax } from './seq.js';
import type { TcpVars } from './tcp-vars.js';
import type { Timers } from './timers.js';
import { withBit } from './bits.js';

/** What the receiver asks of the sending side: an ACK now (the sender builds and sends it). */
export interface AckSender {
  sendAck(): void;
}

/** What `Receiver.receiveText` found (the state machine acts on it). */
export type TextResult = 0 | 1 | 2;
/** The text was taken (or dropped); no FIN in order. */
export const TEXT_TAKEN: TextResult = 0;
/** The peer's FIN is now in order (RFC 9293 §3.10.7.4 "eighth"). */
export const TEXT_FIN: TextResult = 1;
/** New data for an application that has closed: Linux resets the connection (TCPAbortOnData). */
export const TEXT_ABORT: TextResult = 2;

// Receiver.bits
const ACK_PENDING = 1;
const TEXT_FILLED_HOLE = 2;
const RCV_MSS_SHIFT = 2;
const FLAG_BITS = (1 << RCV_MSS_SHIFT) - 1;

/**
 * The receiving half of a TCB: RCV.NXT and the advertised window (in the
 * shared TcpVars), the receive queue and the out-of-order reassembly, the
 * ACK policy (immediate vs delayed, RFC 1122 §4.2.3.2, RFC 5681 §4.2), the
 * window we advertise with receiver SWS avoidance (RFC 1122 §4.2.3.3), the
 * D-SACK block our next ACK reports (RFC 2883) and receive-buffer autotuning.
 * It decides; ACKs go out through the `acker` its caller passes (the sender) and state changes are
 * the state machine's (connection.ts).
 */
export class Receiver {
  /**
   * The receive queue: the shared empty one (only ever read) while nothing is held, as Linux allocates
   * receive memory on demand and reclaims it (sk_mem_reclaim) once read: made for the first data, let go
   * when a read leaves it idle, and made again at the stream position it reached (page sizes grow with it).
   */
  recvQ: ReceiveQueue = NO_RECEIVE_QUEUE;
  /** Created on the first out-of-order segment, dropped once empty. */
  ooo: Reassembly = NO_REASSEMBLY;
  /** Receive-buffer autotuning (buffer-autotune.ts), from the first in-order data on; never without `moderateRcvbuf` or with SO_RCVBUF set. */
  autotune: ReceiveAutotune | undefined = undefined;
  /** Sequence number of a FIN that arrived out of order. */
  private oooFin: number | undefined = undefined;
  /** ackPending and textFilledHole, one bit each, and rcvMss: a field is 8 B per connection. */
  private bits = 0;
  /** An ACK is owed and waits for the delayed-ACK timer. */
  get ackPending(): boolean {
    return (this.bits & ACK_PENDING) !== 0;
  }
  set ackPending(on: boolean) {
    this.bits = withBit(this.bits, ACK_PENDING, on);
  }
  /** In-order octets not yet acknowledged. */
  private ackPendingBytes = 0;
  /** The last segment text closed a hole in the sequence space. */
  get textFilledHole(): boolean {
    return (this.bits & TEXT_FILLED_HOLE) !== 0;
  }
  set textFilledHole(on: boolean) {
    this.bits = withBit(this.bits, TEXT_FILLED_HOLE, on);
  }
  /** The peer's segment size as seen (Linux rcv_mss, ≤ our MSS < 2^16), for the every-second-segment ACK rule: in `bits` above the flags. */
  get rcvMss(): number {
    return this.bits >>> RCV_MSS_SHIFT;
  }
  private set rcvMss(mss: number) {
    this.bits = (this.bits & FLAG_BITS) | (mss << RCV_MSS_SHIFT);
  }
  /** The D-SACK block our next ACK carries (RFC 2883, dsack.ts); the shared empty one while none is pending. */
  private dsack: DsackReport = NO_DSACK;
  bytesReceived = 0;
  dataSegsIn = 0;

  /** The deadlines (timers.ts): fields of the shared record. */
  private get timers(): Timers {
    return this.v;
  }

  constructor(private readonly v: TcpVars) {
    this.rcvMss = Math.min(v.cfg.mss, 536);
  }

  /** The configuration and the sink: fields of the shared record. */
  private get cfg(): TcpConfig {
    return this.v.cfg;
  }
  private get sink(): ConnectionSink {
    return this.v.sink;
  }

  /**
   * Take up to `max` received in-order bytes. Reading opens the window. As
   * Linux (tcp_cleanup_rbuf), a window update goes at once only when the
   * window offered has fallen to half its maximum or less and reading at
   * least doubles it; any other growth rides on the next ACK. Either way the
   * right edge moves only in steps worth announcing (RFC 1122 §4.2.3.3).
   * `mayUpdate`: the state still receives (no FIN from the peer yet); `acker` sends the update.
   * `contiguous`: at most up to the end of the receive queue's first page (ReceiveQueue.read), never a copy.
   */
  read(max: number | undefined, mayUpdate: boolean, acker: AckSender, contiguous = false): Uint8Array | null {
    const data = this.recvQ.read(max, contiguous);
    if (this.recvQ.idle && this.ooo.isEmpty) this.recvQ = NO_RECEIVE_QUEUE;
    // Linux tcp_recvmsg: tcp_rcv_space_adjust, then tcp_cleanup_rbuf (which then sees the larger buffer).
    if (data && this.autotune) this.autotune.onRead(this.bytesReceived - this.recvQ.length, this.v.now, this.cfg.mss, this.cfg.rmem[2], this.cfg.recvBufferSize === undefined);
    if (data && mayUpdate) {
      const advertised = Math.max(0, seqDiff(this.v.rcvAdvEdge, this.v.rcvNxt));
      const maxWindow = Math.min(this.recvBufferSize, 0xffff << this.v.rcvScale);
      if (2 * advertised <= maxWindow) {
        const offer = Math.min(this.freeWindow(), maxWindow);
        if (offer - advertised >= this.swsThreshold() && offer >= 2 * advertised) acker.sendAck();
      }
    }
    return data;
  }

  /** The receive buffer now, bytes: SO_RCVBUF when set, else as autotuning has grown it from tcp_rmem[1]. */
  get recvBufferSize(): number {
    return this.cfg.recvBufferSize ?? this.autotune?.rcvBuf ?? this.cfg.rmem[1];
  }

  /** SO_RCVBUF (Linux SOCK_RCVBUF_LOCK): a fixed buffer, no more autotuning. */
  fixBufferSize(bytes: number): void {
    this.v.ownConfig().recvBufferSize = bytes;
    this.autotune = undefined;
  }

  /** The parts made on demand this receiver holds now (Connection.heldParts). */
  get heldParts(): string[] {
    const parts: string[] = [];
    if (this.recvQ !== NO_RECEIVE_QUEUE) parts.push('receive-queue');
    if (this.ooo !== NO_REASSEMBLY) parts.push('reassembly');
    if (this.dsack !== NO_DSACK) parts.push('dsack');
    if (this.autotune !== undefined) parts.push('autotune');
    return parts;
  }

  /** Received data the application has not read, in order or not (close() then resets, RFC 2525 §2.17). */
  get holdsData(): boolean {
    return this.recvQ.length > 0 || !this.ooo.isEmpty;
  }

  /** Segment acceptability test, RFC 9293 §3.10.7.4 table. */
  acceptable(seg: Segment): boolean {
    const len = segLen(seg);
    const wnd = Math.max(0, seqDiff(this.v.rcvAdvEdge, this.v.rcvNxt));
    // RFC 9293: with a zero window still process valid ACKs and RSTs; the text is dropped later.
    if (wnd === 0 && len > 0) return seg.seq === this.v.rcvNxt;
    return segmentAcceptable(seg.seq, len, this.v.rcvNxt, wnd);
  }

  /**
   * Accept the text of an acceptable segment (trimmed to the window) into the
   * receive queue or the out-of-order queue (RFC 9293 §3.10.7.4 "seventh"),
   * in a state that still receives. ACK policy (RFC 5681 §4.2, RFC 1122
   * §4.2.3.2): out-of-order data, a segment that fills a hole, and duplicates
   * are ACKed at once; in-order data is ACKed at least every second
   * full-sized segment, else after `delayedAckMs`. The state machine ACKs an
   * in-order FIN (TEXT_FIN). `appClosed`: the application has closed; `ecnAckNow`: the segment
   * asks for an immediate ACK (RFC 3168 §6.1.3, ecn.ts); `acker` sends ACKs.
   */
  receiveText(seg: Segment, appClosed: boolean, ecnAckNow: boolean, acker: AckSender): TextResult {
    this.textFilledHole = false;

    let seq = seg.seq;
    let data = seg.payload;
    let fin = (seg.flags & FIN) !== 0;
    if (data.length > 0) this.dataSegsIn++;
    // Trim the part before RCV.NXT (duplicates).
    const before = seqDiff(this.v.rcvNxt, seq);
    if (before > 0) {
      if (data.length > 0) this.reportDuplicate(seq, seqAdd(seq, Math.min(before, data.length)));
      if (before > data.length) fin = false; // the FIN, too, lies before RCV.NXT
      data = before >= data.length ? EMPTY : data.subarray(before);
      seq = this.v.rcvNxt;
    }
    // Trim what lies beyond the advertised window.
    const wnd = Math.max(0, seqDiff(this.v.rcvAdvEdge, seq));
    if (data.length > wnd) {
      if (wnd === 0) this.sink.count?.('TCPZeroWindowDrop');
      data = data.subarray(0, wnd);
      fin = false;
    }
    if (data.length > 0 && appClosed) return TEXT_ABORT;
    // Octets the out-of-order queue already holds: a duplicate to report (RFC 2883).
    const held = data.length > 0 && !this.ooo.isEmpty ? this.ooo.overlap(seq, seqAdd(seq, data.length)) : undefined;
    if (seq === this.v.rcvNxt) {
      if (data.length > 0) {
        const fillsHole = !this.ooo.isEmpty;
        this.textFilledHole = fillsHole;
        this.ownRecvQ().push(data, seg.payloadOwned === true);
        this.v.rcvNxt = seqAdd(this.v.rcvNxt, data.length);
        this.bytesReceived += data.length;
        // Pull whatever the hole was holding back.
        // Already in place in recvQ. Not called without islands: RCV.NXT (an unsigned 32-bit value) would be boxed for the call.
        const joined = fillsHole ? this.ooo.takeFrom(this.v.rcvNxt) : 0;
        if (this.ooo.isEmpty) this.ooo = NO_REASSEMBLY;
        this.v.rcvNxt = seqAdd(this.v.rcvNxt, joined);
        this.bytesReceived += joined;
        if (held !== undefined) this.reportDuplicate(held[0], held[1], true); // Linux tcp_ofo_queue: tcp_dsack_extend
        this.measureReceiveRtt(seg);
        if (this.oooFin !== undefined && this.oooFin === this.v.rcvNxt) {
          fin = true;
          this.oooFin = undefined;
        }
        this.sink.event(READABLE);
        if (!fin) {
          if (fillsHole || !this.cfg.delayedAck || ecnAckNow) acker.sendAck();
          else this.delayAck(data.length, seg.payload.length, acker);
        }
      } else if (!fin) {
        acker.sendAck(); // a duplicate: ACK at once so the sender learns RCV.NXT (RFC 5681 §4.2)
      }
      return fin ? TEXT_FIN : TEXT_TAKEN;
    }
    // Out of order: keep it and ACK at once, with SACK blocks (RFC 5681 §4.2, RFC 2018).
    if (held !== undefined) this.reportDuplicate(held[0], held[1]); // Linux tcp_data_queue_ofo: tcp_dsack_set
    if (data.length > 0) {
      if (this.ooo === NO_REASSEMBLY) this.ooo = new Reassembly(this.ownRecvQ(), this.cfg.oooMaxBlocks);
      const queued = this.ooo.insert(seq, data, this.v.rcvNxt);
      this.sink.count?.(queued ? 'TCPOFOQueue' : 'TCPOFODrop');
    }
    if (fin) this.oooFin = seqAdd(seq, data.length);
    acker.sendAck();
    return TEXT_TAKEN;
  }

  /**
   * RFC 2883: the duplicate [start, end) (payload octets) is reported in the first SACK block of our next
   * ACK — on SACK connections, as Linux with net.ipv4.tcp_dsack = 1 (tcp_dsack_set; with `extend`,
   * tcp_dsack_extend). Only the part below RCV.NXT of a segment that reaches beyond it is a duplicate.
   */
  reportDuplicate(start: number, end: number, extend = false): void {
    if (!this.v.sackOk || !this.cfg.dsack || !seqLt(start, end)) return;
    if (!extend && seqLt(start, this.v.rcvNxt) && seqGt(end, this.v.rcvNxt)) end = this.v.rcvNxt;
    if (this.dsack === NO_DSACK) this.dsack = new DsackReport();
    const counter = extend ? this.dsack.extend(start, end, this.v.rcvNxt) : this.dsack.set(start, end, this.v.rcvNxt);
    if (counter !== undefined) this.sink.count?.(counter);
  }

  /** This connection's own receive queue, made for the first data (the buffer size of that moment sets its page size). */
  private ownRecvQ(): ReceiveQueue {
    // Every octet taken in order was read when the last queue was let go: its stream position is bytesReceived
    // (page sizes grow with it). Its largest page follows the buffer size of now, as the one it replaces did
    // then: they differ only after SO_RCVBUF changed, and receiveMemory's bound takes the size of now.
    // A bulk stream's queue that keeps an emptied full-sized page (receive-queue.ts worthKeeping) is not idle.
    if (this.recvQ === NO_RECEIVE_QUEUE) this.recvQ = new ReceiveQueue(this.cfg.recvBufferSize ?? this.cfg.rmem[2], this.bytesReceived);
    return this.recvQ;
  }

  /** Receiver RTT samples for autotuning (Linux tcp_rcv_rtt_measure and tcp_rcv_rtt_measure_ts, called on in-order data). */
  private measureReceiveRtt(seg: Segment): void {
    if (this.cfg.recvBufferSize !== undefined || !this.cfg.moderateRcvbuf) return;
    // Linux tcp_init_buffer_space: the first measure starts from min(window, 10 advertised MSS).
    const at = (this.autotune ??= new ReceiveAutotune(this.cfg.rmem[1], Math.min(this.cfg.rmem[1], 10 * this.cfg.mss), this.bytesReceived - this.recvQ.length, this.v.now));
    if (at.windowEnds(this.v.rcvNxt)) at.onInOrderData(this.v.rcvNxt, Math.max(0, seqDiff(this.v.rcvAdvEdge, this.v.rcvNxt)), this.v.now);
    const ts = seg.options.ts;
    const age = this.v.echoAge(ts); // a TSecr we cannot have sent is no RTT
    if (age !== undefined) at.onTimestampEcho(ts!.ecr, age, seg.payload.length, this.rcvMss);
  }

  /** In-order data arrived and may wait for a delayed ACK: ACK now once two full-sized segments are unacknowledged. */
  private delayAck(bytes: number, segmentSize: number, acker: AckSender): void {
    if (segmentSize > this.rcvMss) this.rcvMss = Math.min(segmentSize, this.cfg.mss);
    this.ackPendingBytes += bytes;
    if (this.ackPendingBytes >= 2 * this.rcvMss) {
      acker.sendAck();
      return;
    }
    this.scheduleAck();
  }

  /** An ACK is owed: the delayed-ACK timer sends it unless a segment carries it first. */
  scheduleAck(): void {
    this.ackPending = true;
    if (this.timers.delackAt === undefined) this.timers.delackAt = this.v.now + this.cfg.delayedAckMs;
  }

  /** The free receive space from RCV.NXT: the window we may offer. */
  freeWindow(): number {
    return Math.max(0, this.recvBufferSize - this.recvQ.length);
  }

  /** RFC 1122 §4.2.3.3: the right edge moves only by at least min(RCV.BUFF/2, Eff.rcv.MSS). */
  private swsThreshold(): number {
    return Math.min(this.recvBufferSize / 2, this.cfg.mss);
  }

  /** Window field for an outgoing segment; the right edge never moves left (RFC 9293 §3.8.6.2.2) and moves right only in steps worth announcing (receiver SWS avoidance). */
  windowField(syn: boolean, resend = false): number {
    const free = this.freeWindow();
    if (syn) {
      const w = Math.min(free, 0xffff);
      const edge = seqAdd(this.v.rcvNxt, w);
      // A SYN-ACK sent again must not take back the window an ACK sent since offered (RFC 9293 §3.8.6.2.2);
      // the first one sets the edge (RCV.NXT was unknown before the SYN).
      this.v.rcvAdvEdge = resend && seqGt(this.v.rcvAdvEdge, edge) ? this.v.rcvAdvEdge : edge;
      return w;
    }
    const unit = 1 << this.v.rcvScale;
    const promised = Math.max(0, seqDiff(this.v.rcvAdvEdge, this.v.rcvNxt));
    let wnd = free;
    if (wnd <= promised || wnd - promised < this.swsThreshold()) wnd = promised;
    let field = Math.min(0xffff, Math.floor(wnd / unit));
    if (field * unit < promised) field = Math.min(0xffff, Math.ceil(promised / unit));
    const edge = seqAdd(this.v.rcvNxt, field * unit);
    this.v.rcvAdvEdge = seqMax(this.v.rcvAdvEdge, edge);
    return field;
  }

  /** SACK blocks our segments carry now (a D-SACK block counts): the sender leaves room for them. */
  get sackBlocksToSend(): number {
    if (this.ooo.isEmpty && !this.dsack.pending) return 0;
    return this.ooo.blockCount + (this.dsack.pending ? 1 : 0);
  }

  /**
   * The receiver's part of an outgoing segment: SACK blocks (RFC 2018, a D-SACK block first, RFC 2883 §4)
   * on a SACK connection's ACKs, and the window field. `flags` says whether the segment carries an ACK.
   */
  fillSegment(flags: number, options: TcpOptions): number {
    if (this.v.sackOk && flags & ACK) {
      const max = this.v.tsOk ? 3 : 4;
      const d = this.dsack.take();
      if (d !== undefined) {
        this.dsack = NO_DSACK; // a report holds nothing once taken (RFC 2883 §4: each duplicate once)
        options.sack = [d, ...this.ooo.sackBlocks(max - 1)];
      }
      else if (!this.ooo.isEmpty) options.sack = this.ooo.sackBlocks(max);
    }
    return this.windowField(false);
  }

  /** An ACK of RCV.NXT went out: nothing is owed any more. */
  ackSent(): void {
    this.v.lastAckSent = this.v.rcvNxt;
    this.ackPendingBytes = 0; // this segment carries the ACK a delayed ACK would have sent
    this.ackPending = false;
  }
}

/** What an idle connection points at instead of its own receive queue, reassembler and D-SACK report: shared empty instances, only ever read. */
const NO_RECEIVE_QUEUE = new ReceiveQueue(0);
const NO_REASSEMBLY = new Reassembly(NO_RECEIVE_QUEUE, 0);
const NO_DSACK = new DsackReport();
