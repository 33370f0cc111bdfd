/**
 * A passive two-endpoint model of one TCP connection, fed the segments a
 * capture saw, in capture order.
 *
 * Capture point. The model assumes one observer on the path that sees each
 * segment as it is sent (tcpdump on either host, or a tap on the link). A
 * segment seen is not necessarily a segment received, so:
 * - what an endpoint SENDS is certain evidence of its own state (a FIN means
 *   it closed; an ACK of the peer's FIN means the FIN arrived);
 * - a SYN or FIN counts as received only once its receiver acknowledges it
 *   (the time of that ACK is the time of the transition);
 * - segments that need no answer (pure ACKs, RSTs) are assumed received, in
 *   order behind any unacknowledged SYN/FIN from the same sender, and the
 *   transitions they cause stay tentative until the receiver's own sending
 *   is consistent with them (a FIN retransmitted from "CLOSED" undoes them);
 * - an endpoint that let three retransmissions or probes in a row go
 *   unanswered is "unresponsive": later segments to it are not assumed to
 *   arrive, and its state after that is unknown.
 * Timers nobody can see are inferred from Linux's values and marked so:
 * TIME_WAIT ends 60 s after it began (or after the last FIN it re-ACKed);
 * a SYN retransmitted with doubling intervals gives up after one more
 * interval; an orphaned FIN_WAIT_2 that answers a late FIN with RST was
 * reaped by tcp_fin_timeout (60 s).
 */
import type { TcpState } from '../../tcp/state.js';
import { seqAdd, seqGe, seqGt, seqLt } from '../../tcp/seq.js';
import { ACK, FIN, RST, SYN } from '../../wire/flags.js';
import type { TcpOptions } from '../../wire/tcp-options.js';
import { PassiveEndpoint } from './endpoint.js';

/** Linux TCP_TIMEWAIT_LEN and the default tcp_fin_timeout. */
export const TIME_WAIT_MS = 60_000;
export const FIN_TIMEOUT_MS = 60_000;
/** Unanswered retransmissions/probes after which the receiver is taken as gone. */
const UNRESPONSIVE_AFTER = 3;
const UNRESPONSIVE_SPAN_MS = 1000;
/** Segment events kept per connection for the ladder and --json (counters go on). */
export const MAX_SEGMENT_EVENTS = 5000;

export interface ObservedSegment {
  t: number;
  /** 0 = endpoint A (the initiator), 1 = endpoint B. */
  from: 0 | 1;
  flags: number;
  seq: number;
  ack: number;
  len: number;
  window: number;
  options: TcpOptions;
}

/** An observed segment as the connection keeps it: its header fields (the window as `win`, no options) and how it was classified. */
export interface SegmentRecord extends Pick<ObservedSegment, 't' | 'from' | 'flags' | 'seq' | 'ack' | 'len'> {
  win: number;
  rtx: boolean;
  /** Keepalive or zero-window probe. */
  probe?: 'keepalive' | 'zero-window';
}

export interface DirectionStats {
  segments: number;
  bytes: number;
  retransmissions: number;
  keepaliveProbes: number;
  zeroWindowProbes: number;
  /** Times this end advertised a zero window after a non-zero one. */
  zeroWindows: number;
  resets: number;
  synRetransmissions: number;
  finRetransmissions: number;
  /** RSTs whose sequence number this end never used: spoofed, or from another incarnation. */
  implausibleResets: number;
  /** SYNs sent in a synchronized state (spoofed, or a peer that lost its state). */
  synInSynchronized: number;
  /** RSTs sent to this end while it was in TIME_WAIT. */
  rstIntoTimeWait: number;
  /** ACKs from this end for data of the peer the capture never saw. */
  acksForUnseenData: number;
}

function newStats(): DirectionStats {
  return {
    segments: 0,
    bytes: 0,
    retransmissions: 0,
    keepaliveProbes: 0,
    zeroWindowProbes: 0,
    zeroWindows: 0,
    resets: 0,
    synRetransmissions: 0,
    finRetransmissions: 0,
    implausibleResets: 0,
    synInSynchronized: 0,
    rstIntoTimeWait: 0,
    acksForUnseenData: 0,
  };
}

export interface ModelOptions {
  /** true: RST in TIME_WAIT is ignored (RFC 1337, net.ipv4.tcp_rfc1337=1, synack). Default false: Linux's default, the RST ends TIME_WAIT. */
  rfc1337?: boolean;
  /**
   * When the capture stopped (ms, capture clock). Timer expiries inferred for
   * later times are left out: at the end of the capture the end was still in
   * that state. Default: infer them whenever they fall.
   */
  until?: number;
}

const seqSpace = (s: ObservedSegment): number => s.len + (s.flags & SYN ? 1 : 0) + (s.flags & FIN ? 1 : 0);
const endOf = (s: ObservedSegment): number => seqAdd(s.seq, seqSpace(s));

export class PassiveConnection {
  readonly ends: [PassiveEndpoint, PassiveEndpoint];
  readonly stats: [DirectionStats, DirectionStats] = [newStats(), newStats()];
  /** Segment records for the ladder and --json: at most MAX_SEGMENT_EVENTS, and only while the capture-wide budget lasts. */
  readonly segments: SegmentRecord[] = [];
  segmentEventsDropped = 0;
  /** The first FIN or RST: who closed first. */
  firstClose: { from: 0 | 1; t: number } | undefined;
  /** Per end: time of its first RST, and whether the peer's data was the last thing it had received then. */
  readonly firstRstT: [number | undefined, number | undefined] = [undefined, undefined];
  readonly unreadAtRst: [boolean, boolean] = [false, false];
  private readonly lastDataT: [number, number] = [-Infinity, -Infinity];
  readonly firstT: number;
  lastT: number;
  /** The capture began after the handshake. */
  readonly midstream: boolean;
  /** Handshake RTT (SYN → the ACK of the SYN-ACK), ms. */
  handshakeRtt: number | undefined;
  private synT: number | undefined;
  private synAckT: number | undefined;
  /** Per end: TSval → capture time, and the smallest observer→end→observer delay. */
  private readonly tsSent: [Map<number, number>, Map<number, number>] = [new Map(), new Map()];
  private readonly tsLeg: [number, number] = [Infinity, Infinity];
  private readonly queues: [ObservedSegment[], ObservedSegment[]] = [[], []];
  private readonly lastWindow: [number, number] = [-1, -1];
  /** Per end: segments received tentatively since that end last confirmed its state (index = receiver). */
  private tentativeCauses: [ObservedSegment[], ObservedSegment[]] = [[], []];
  private deferred: [ObservedSegment[], ObservedSegment[]] = [[], []];

  constructor(
    readonly id: number,
    readonly names: [string, string],
    first: ObservedSegment,
    private readonly opts: ModelOptions = {},
    /** Segment records the whole capture may still keep (shared by every connection). */
    private readonly budget: { left: number } = { left: Infinity },
  ) {
    this.ends = [new PassiveEndpoint(names[0]), new PassiveEndpoint(names[1])];
    this.firstT = first.t;
    this.lastT = first.t;
    this.midstream = !(first.flags & SYN);
    if (this.midstream) {
      // Both ends were already talking: take them as ESTABLISHED from the first segment on (uncertain).
      for (const e of this.ends) e.state = 'ESTABLISHED';
    }
  }

  /** RTT estimate from TCP timestamps: the two smallest observer→end→observer legs added. */
  get timestampRtt(): number | undefined {
    return Number.isFinite(this.tsLeg[0]) && Number.isFinite(this.tsLeg[1]) ? this.tsLeg[0] + this.tsLeg[1] : undefined;
  }

  onSegment(s: ObservedSegment): void {
    this.lastT = s.t;
    const x = this.ends[s.from];
    const y = this.ends[1 - s.from];
    const st = this.stats[s.from];
    st.segments++;
    const rec = this.classify(s, x, y, st);
    if (this.segments.length < MAX_SEGMENT_EVENTS && this.budget.left > 0) {
      this.segments.push(rec);
      this.budget.left--;
    } else this.segmentEventsDropped++;
    if (s.flags & (FIN | RST) && this.firstClose === undefined) this.firstClose = { from: s.from, t: s.t };
    if (s.flags & RST && this.firstRstT[s.from] === undefined) {
      this.firstRstT[s.from] = s.t;
      this.unreadAtRst[s.from] = this.lastDataT[1 - s.from] >= this.lastDataT[s.from] && this.lastDataT[1 - s.from] > -Infinity;
    }
    if (s.len > 0) this.lastDataT[s.from] = s.t;
    this.timing(s);

    // The sender is alive; the receiver has one more unanswered retransmission or probe.
    // (A burst of fast retransmissions is not silence: the unanswered ones must span a second at least.)
    x.lastSeenSend = s.t;
    x.unanswered = 0;
    x.unresponsiveSince = undefined;
    const deferred = this.deferred[s.from];
    this.deferred[s.from] = [];
    if (rec.rtx || rec.probe) {
      if (y.unanswered++ === 0) y.firstUnansweredT = s.t;
      if (y.unanswered >= UNRESPONSIVE_AFTER && s.t - y.firstUnansweredT >= UNRESPONSIVE_SPAN_MS && y.unresponsiveSince === undefined) y.unresponsiveSince = s.t;
    }

    // What the sender's sending shows. If its tentative state could not have sent this segment, the
    // segments behind that state had not arrived: a retransmission says they were lost; anything else
    // says they were still in flight, and they arrive after this segment instead.
    let replay: ObservedSegment[] = [];
    if (x.hasTentative && !this.canSend(x, s)) {
      while (x.undoOne()) {
        /* back to the last confirmed state */
      }
      if (!rec.rtx) replay = this.tentativeCauses[s.from];
    }
    x.confirm();
    this.tentativeCauses[s.from] = [];

    if (s.flags & ACK) this.ackEvidence(s, x, y);
    if (this.senderEffects(s, x, y, st)) this.enqueue(s, y);
    for (const c of [...deferred, ...replay]) this.receive(x, y, c, s.t, undefined);
  }

  /** Free what only an open connection needs (timestamp echo tables, delivery queues). */
  compact(): void {
    this.tsSent[0].clear();
    this.tsSent[1].clear();
    this.queues[0].length = 0;
    this.queues[1].length = 0;
  }

  /** Segments sent to an end while it was silent, not applied to it (its state after them is unknown). */
  get unappliedToSilentEnds(): number {
    return this.deferred[0].length + this.deferred[1].length;
  }

  /** Apply the timers nobody sees (see the file comment). Call once, after the last segment. */
  finish(): void {
    const until = this.opts.until ?? Infinity;
    for (let i = 0; i < 2; i++) {
      const e = this.ends[i];
      const peer = this.ends[1 - i];
      if (e.state === 'TIME_WAIT' && e.timeWaitSince !== undefined && e.timeWaitSince + TIME_WAIT_MS <= until) {
        e.go(e.timeWaitSince + TIME_WAIT_MS, 'CLOSED', { inferred: 'TIME_WAIT lasts 60 s on Linux (2×MSL); nothing on the wire marks its end' });
      } else if (e.state === 'FIN_WAIT_2' && e.fin2Since !== undefined && peer.lastSeenSend <= e.fin2Since && e.fin2Since + FIN_TIMEOUT_MS <= until) {
        // The peer never spoke again. Were our end's application to have shut down only its sending side,
        // it would wait forever; after close() (the usual case) Linux reaps the orphan after tcp_fin_timeout.
        e.go(e.fin2Since + FIN_TIMEOUT_MS, 'CLOSED', { inferred: 'assuming the application had closed the socket: Linux reaps an orphaned FIN_WAIT_2 after tcp_fin_timeout (60 s); after shutdown(SHUT_WR) only, it would still wait' });
      } else if (e.state === 'SYN_SENT' && e.synTimes.length >= 2 && peer.sndNxt === undefined) {
        const n = e.synTimes.length;
        const gap = e.synTimes[n - 1] - e.synTimes[n - 2];
        if (e.synTimes[n - 1] + 2 * gap > until) continue;
        e.go(e.synTimes[n - 1] + 2 * gap, 'CLOSED', { inferred: `connect timed out: ${n} SYNs at doubling intervals, none answered; the client gives up one doubled interval after the last` });
      }
    }
  }

  // ---- internals ----

  private classify(s: ObservedSegment, x: PassiveEndpoint, y: PassiveEndpoint, st: DirectionStats): SegmentRecord {
    const rec: SegmentRecord = { t: s.t, from: s.from, flags: s.flags, seq: s.seq, ack: s.ack, len: s.len, win: s.window, rtx: false };
    if (s.flags & RST) {
      st.resets++;
      return rec;
    }
    if (s.flags & SYN) {
      if (x.isn !== undefined && s.seq === x.isn && x.synCount > 0) {
        rec.rtx = true;
        st.synRetransmissions++;
        st.retransmissions++;
      }
      return rec;
    }
    st.bytes += x.sndNxt === undefined ? s.len : Math.max(0, Math.min(s.len, (endOf(s) - x.sndNxt - (s.flags & FIN ? 1 : 0)) | 0));
    if (s.window === 0 && this.lastWindow[s.from] !== 0) st.zeroWindows++;
    this.lastWindow[s.from] = s.window;
    if (x.sndNxt !== undefined) {
      const peerWindow = this.lastWindow[1 - s.from];
      if (s.len <= 1 && !(s.flags & FIN) && seqAdd(s.seq, 1) === x.sndNxt && (s.len === 1 || s.len === 0) && peerWindow !== 0) {
        // One byte before SND.NXT, with no new data: Linux's keepalive probe (RFC 9293 §3.8.4).
        if (s.len === 0 || y.lastAck === x.sndNxt) {
          rec.probe = 'keepalive';
          st.keepaliveProbes++;
          return rec;
        }
      }
      if (peerWindow === 0 && s.len <= 1 && !(s.flags & FIN) && (s.len > 0 || seqLt(s.seq, x.sndNxt))) {
        rec.probe = 'zero-window';
        st.zeroWindowProbes++;
        return rec;
      }
      if ((s.len > 0 || s.flags & FIN) && seqLt(s.seq, x.sndNxt)) {
        rec.rtx = true;
        st.retransmissions++;
        if (s.flags & FIN && x.finSeq !== undefined && endOf(s) === seqAdd(x.finSeq, 1)) st.finRetransmissions++;
      }
    }
    return rec;
  }

  private timing(s: ObservedSegment): void {
    const syn = (s.flags & SYN) !== 0;
    const ack = (s.flags & ACK) !== 0;
    if (syn && !ack && this.synT === undefined) this.synT = s.t;
    else if (syn && ack && this.synT !== undefined && this.synAckT === undefined) this.synAckT = s.t;
    else if (!syn && ack && this.synAckT !== undefined && this.handshakeRtt === undefined && s.from === 0) this.handshakeRtt = s.t - this.synT!;
    const ts = s.options.ts;
    if (!ts) return;
    const mine = this.tsSent[s.from];
    if (!mine.has(ts.val)) {
      mine.set(ts.val, s.t);
      if (mine.size > 64) mine.delete(mine.keys().next().value!);
    }
    if (ack) {
      const sentAt = this.tsSent[1 - s.from].get(ts.ecr);
      if (sentAt !== undefined) {
        // The echo of the peer's TSval: peer's segment seen → it reached us → our reply seen.
        this.tsLeg[s.from] = Math.min(this.tsLeg[s.from], s.t - sentAt);
        this.tsSent[1 - s.from].delete(ts.ecr);
      }
    }
  }

  /** Could an endpoint in its current state have sent `s`? */
  private canSend(x: PassiveEndpoint, s: ObservedSegment): boolean {
    if (s.flags & RST) return true;
    const state = x.state;
    if (state === 'CLOSED' || state === 'LISTEN') return (s.flags & SYN) !== 0 && !(s.flags & ACK);
    if (s.flags & SYN && s.flags & ACK) return state === 'SYN_RCVD' || state === 'SYN_SENT';
    if (s.flags & FIN && x.finSeq !== undefined && s.seq + s.len === x.finSeq) {
      return state === 'FIN_WAIT_1' || state === 'CLOSING' || state === 'LAST_ACK';
    }
    return true;
  }

  /** `x` acknowledges up to s.ack: segments of `y` waiting for this evidence arrive now. */
  private ackEvidence(s: ObservedSegment, x: PassiveEndpoint, y: PassiveEndpoint): void {
    if (y.sndNxt !== undefined && seqGt(s.ack, y.sndNxt) && !(y.isn !== undefined && s.ack === seqAdd(y.isn, 1))) {
      this.stats[s.from].acksForUnseenData++;
    }
    if (x.state === 'TIME_WAIT' && y.finSeq !== undefined && seqGe(s.ack, seqAdd(y.finSeq, 1))) {
      x.timeWaitSince = s.t; // a re-ACK of a retransmitted FIN restarts the 2MSL timer (RFC 9293 §3.10.7.4)
    }
    const q = this.queues[1 - s.from];
    while (q.length > 0) {
      const seg = q[0];
      const covered = seqGe(s.ack, endOf(seg));
      if (this.blocks(seg) && !covered) break;
      q.shift();
      this.receive(x, y, seg, s.t, covered && this.blocks(seg) ? s : undefined);
    }
  }

  private blocks(seg: ObservedSegment): boolean {
    return (seg.flags & (SYN | FIN)) !== 0 && !(seg.flags & RST);
  }

  /** The sender's own transitions. False for a segment its sender cannot have sent in earnest (spoofed): it changes nothing. */
  private senderEffects(s: ObservedSegment, x: PassiveEndpoint, y: PassiveEndpoint, st: DirectionStats): boolean {
    const t = s.t;
    if (s.flags & RST) {
      const plausible = x.sndNxt === undefined || s.seq === x.sndNxt || (y.lastAck !== undefined && s.seq === y.lastAck) || (s.flags & ACK && x.lastAck === s.ack);
      if (!plausible) {
        st.implausibleResets++;
        return false;
      }
      const state = x.state;
      if (state === undefined || state === 'CLOSED' || state === 'LISTEN') return true; // a port with no connection answers with RST
      if (state === 'FIN_WAIT_2' && x.fin2Since !== undefined && t - x.fin2Since > FIN_TIMEOUT_MS) {
        x.go(x.fin2Since + FIN_TIMEOUT_MS, 'CLOSED', { inferred: 'orphaned FIN_WAIT_2 reaped after tcp_fin_timeout (60 s): a later segment got RST' });
      } else if (state === 'TIME_WAIT' && x.timeWaitSince !== undefined && t - x.timeWaitSince > TIME_WAIT_MS) {
        x.go(x.timeWaitSince + TIME_WAIT_MS, 'CLOSED', { inferred: 'TIME_WAIT had ended (60 s); a later segment got RST' });
      } else if (state === 'SYN_SENT' && y.sndNxt !== undefined) {
        x.go(t, 'CLOSED', { inferred: 'the connect was abandoned before the SYN-ACK arrived; the SYN-ACK got RST' });
      } else {
        x.go(t, 'CLOSED');
      }
      return true;
    }
    if (s.flags & SYN && !(s.flags & ACK)) {
      if (x.state === undefined || x.state === 'CLOSED') {
        x.go(t, 'SYN_SENT');
        x.isn = s.seq;
      } else if (x.state !== 'SYN_SENT' && x.state !== 'SYN_RCVD' && x.state !== 'LISTEN') {
        st.synInSynchronized++;
        return false;
      }
      x.synCount++;
      x.synTimes.push(t);
    } else if (s.flags & SYN) {
      if (x.isn === undefined) x.isn = s.seq;
      if (x.state === undefined || x.state === 'LISTEN' || x.state === 'CLOSED') {
        // The SYN it answers is not in the capture.
        x.passive = true;
        x.go(t, 'SYN_RCVD', { inferred: 'the SYN is missing from the capture' });
      }
    }
    if (s.flags & FIN && (x.finSeq === undefined || seqAdd(s.seq, s.len) !== x.finSeq)) {
      x.finSeq = seqAdd(s.seq, s.len);
      switch (x.state) {
        case 'CLOSE_WAIT':
          x.go(t, 'LAST_ACK');
          break;
        case 'ESTABLISHED':
        case 'SYN_RCVD':
          x.go(t, 'FIN_WAIT_1');
          break;
        default:
          break;
      }
    }
    const end = endOf(s);
    if (x.sndNxt === undefined || seqGt(end, x.sndNxt)) x.sndNxt = end;
    if (s.flags & ACK) x.lastAck = s.ack;
    return true;
  }

  /** Queue `s` for delivery to `y`, or deliver it now if nothing it must wait for is pending. */
  private enqueue(s: ObservedSegment, y: PassiveEndpoint): void {
    const q = this.queues[s.from];
    if (q.length === 0 && !this.blocks(s)) {
      this.receive(y, this.ends[s.from], s, s.t, undefined);
      return;
    }
    // A SYN or FIN the receiver already acknowledged (a retransmission) carries nothing new.
    if (q.length === 0 && y.lastAck !== undefined && seqGe(y.lastAck, endOf(s)) && y.isn !== undefined) {
      this.receive(y, this.ends[s.from], s, s.t, undefined);
      return;
    }
    if (q.length < 256) q.push(s);
  }

  /**
   * `x` receives `seg` (sent by `y`) at `t`. `reply` is x's segment proving it
   * (the ACK of a SYN or FIN); without one the effects are tentative.
   */
  private receive(x: PassiveEndpoint, y: PassiveEndpoint, seg: ObservedSegment, t: number, reply: ObservedSegment | undefined): void {
    const tentative = reply === undefined;
    if (tentative && x.unresponsiveSince === undefined) {
      // Remembered so that it can arrive later if the receiver's own sending shows it had not yet.
      const causes = this.tentativeCauses[this.ends[0] === x ? 0 : 1];
      if (causes.length < 16) causes.push(seg);
    }
    if (tentative && x.unresponsiveSince !== undefined) {
      // Not assumed to arrive at an endpoint that has gone silent; applied if it speaks again.
      const deferred = this.deferred[this.ends[0] === x ? 0 : 1];
      if (deferred.length < 16) deferred.push(seg);
      return;
    }
    const go = (to: TcpState) => x.go(t, to, { tentative });
    const f = seg.flags;
    if (f & RST) {
      this.receiveRst(x, y, seg, t);
      return;
    }
    if (f & SYN && !(f & ACK)) {
      if (x.state === 'SYN_SENT') go('SYN_RCVD'); // simultaneous open (RFC 9293 §3.5, figure 7)
      else if ((x.state === undefined || x.state === 'LISTEN') && reply && reply.flags & SYN) {
        x.passive = true;
        go('SYN_RCVD');
      }
      return;
    }
    const ackedSyn = (f & ACK) !== 0 && x.isn !== undefined && seqGe(seg.ack, seqAdd(x.isn, 1));
    if (f & SYN) {
      if ((x.state === 'SYN_SENT' || x.state === 'SYN_RCVD') && ackedSyn) go('ESTABLISHED');
      return;
    }
    if (x.state === 'SYN_RCVD' && ackedSyn) go('ESTABLISHED');
    const ackedFin = (f & ACK) !== 0 && x.finSeq !== undefined && seqGe(seg.ack, seqAdd(x.finSeq, 1));
    if (f & FIN && reply) {
      switch (x.state) {
        case 'ESTABLISHED':
          go('CLOSE_WAIT');
          break;
        case 'FIN_WAIT_1':
          go(ackedFin ? 'TIME_WAIT' : 'CLOSING'); // FIN that also ACKs ours: straight to TIME_WAIT (TCP-BEHAVIOR C4)
          break;
        case 'FIN_WAIT_2':
          go('TIME_WAIT');
          break;
        case 'CLOSING':
          if (ackedFin) go('TIME_WAIT');
          break;
        case 'LAST_ACK':
          if (ackedFin) go('CLOSED');
          break;
        default:
          break;
      }
      return;
    }
    if (ackedFin) {
      if (x.state === 'FIN_WAIT_1') go('FIN_WAIT_2');
      else if (x.state === 'CLOSING') go('TIME_WAIT');
      else if (x.state === 'LAST_ACK') go('CLOSED');
    }
  }

  private receiveRst(x: PassiveEndpoint, y: PassiveEndpoint, seg: ObservedSegment, t: number): void {
    const state = x.state;
    if (state === undefined || state === 'CLOSED' || state === 'LISTEN') return;
    const tentative = { tentative: true };
    if (state === 'SYN_SENT') {
      // RFC 9293 §3.10.7.3: acceptable only if it ACKs our SYN.
      if (seg.flags & ACK && x.isn !== undefined && seg.ack === seqAdd(x.isn, 1)) x.go(t, 'CLOSED', tentative);
      return;
    }
    // RFC 5961 §3.2 (Linux): only a RST at exactly RCV.NXT resets; one merely in the window draws a challenge ACK.
    const exact = (x.lastAck !== undefined && seg.seq === x.lastAck) || (y.sndNxt !== undefined && seg.seq === y.sndNxt && x.lastAck === undefined);
    if (!exact) return;
    if (state === 'SYN_RCVD') {
      x.go(t, x.passive ? 'LISTEN' : 'CLOSED', tentative); // RFC 9293 §3.10.7.4: a passive open returns to LISTEN
      return;
    }
    if (state === 'TIME_WAIT') {
      this.stats[this.ends[0] === x ? 1 : 0].rstIntoTimeWait++;
      if (this.opts.rfc1337) return; // RFC 1337: ignore it
      x.go(t, 'CLOSED', { tentative: true, inferred: 'RST into TIME_WAIT ends it on Linux (tcp_rfc1337=0): TIME_WAIT assassination' });
      return;
    }
    x.go(t, 'CLOSED', tentative);
  }
}

