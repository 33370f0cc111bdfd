import { FIN, SYN } from '../wire/flags.js';
import type { TcpConfig } from './config.js';
import { dsackSegments, findDsack, type Dsack } from './dsack.js';
import type { ConnectionSink } from './events.js';
import { syncMss } from './handshake.js';
import type { CaState } from './info.js';
import type { LossRecovery, RecoverySender } from './loss-recovery.js';
import { ProportionalRateReduction } from './prr.js';
import { RackInputs, type Rack, type RackAck } from './rack.js';
import { SackScoreboard } from './sack-scoreboard.js';
import type { Segment } from './segment.js';
import { CWND_BLOCKED, NO_RETRANSMISSION, SENT, type SendResult } from './send-result.js';
import { seqAdd, seqDiff, seqGe, seqGt, seqLt, seqMax } from './seq.js';
import { TailLossProbe, lastSegment } from './tail-loss-probe.js';
import type { TcpVars } from './tcp-vars.js';
import type { Timers } from './timers.js';
import { SpuriousUndo, type UndoCounter } from './undo.js';

/**
 * Loss detection and recovery behind one interface: the congestion-avoidance
 * state (Linux's ca_state: open, disorder, recovery, loss), duplicate ACKs
 * and DupThresh with NewReno (RFC 5681 §3.2, RFC 6582) or the SACK
 * scoreboard (RFC 6675) or RACK-TLP (RFC 8985, rack.ts, tail-loss-probe.ts),
 * PRR (RFC 9937, prr.ts), undo of spurious recoveries (undo.ts, dsack.ts),
 * RTO recovery (go-back-N), and which hole to retransmit next. The sender
 * puts the segments on the wire. The sender sees it only as a LossRecovery
 * (loss-recovery.ts), and it sees the sender only as a RecoverySender.
 *
 * Made when first needed (sender.ts): a connection that has sent no data has
 * none, and one whose recovery is back where it started (`pristine`) drops it.
 * Its pointers start from SND.UNA and SND.NXT of that moment, where a
 * recovery made with the connection would have kept them.
 */
export class Recovery implements LossRecovery {
  caState: CaState = 'open';
  dupAcks = 0;
  /**
   * The RTT sample the ACK being processed gave, if any (Sender.rttSample), for HyStart++ (hystart.ts, through
   * Sender.growCwnd) and the SACK RTT fallback: scratch of one onAck, here rather than in every idle TCB.
   */
  ackRtt: number | undefined = undefined;
  // Sequence numbers as int32, read as uint32 (see tcp-vars.ts: no boxed HeapNumber per field).
  private recover32: number;
  private highRxt32: number;
  private lostEdge32: number;
  private prevUna32: number;
  private passMark32: number;
  private rtxNxt32: number;
  /** RFC 6582 "recover" / RFC 6675 RecoveryPoint. */
  get recoverPoint(): number {
    return this.recover32 >>> 0;
  }
  set recoverPoint(x: number) {
    this.recover32 = x | 0;
  }
  /** RFC 6675 HighRxt: end of the last hole retransmitted in this recovery. */
  get highRxt(): number {
    return this.highRxt32 >>> 0;
  }
  set highRxt(x: number) {
    this.highRxt32 = x | 0;
  }
  /** Holes below this are lost (RFC 6675 IsLost), refreshed per ACK. */
  get lostEdge(): number {
    return this.lostEdge32 >>> 0;
  }
  set lostEdge(x: number) {
    this.lostEdge32 = x | 0;
  }
  /** Without SACK: bytes duplicate ACKs showed delivered during recovery (RFC 6582 §3.2 inflation, Linux's Reno sacked_out). */
  inflation = 0;
  partialAckSeen = false;
  /** SND.UNA has passed `recoverPoint` since the last recovery began (RFC 6582 §3.2 step 2). */
  pastRecover = true;
  /** SND.UNA before the last advance (RFC 6582 §4.1 ACK heuristic). */
  get prevUna(): number {
    return this.prevUna32 >>> 0;
  }
  set prevUna(x: number) {
    this.prevUna32 = x | 0;
  }
  /** SND.NXT when the current pass of retransmissions began. */
  get rtxPassMark(): number {
    return this.passMark32 >>> 0;
  }
  set rtxPassMark(x: number) {
    this.passMark32 = x | 0;
  }
  /** Next sequence to retransmit after an RTO (go-back-N in the 'loss' state). */
  get rtxNxt(): number {
    return this.rtxNxt32 >>> 0;
  }
  set rtxNxt(x: number) {
    this.rtxNxt32 = x | 0;
  }
  lostRetransmits = 0;
  fastRetransmits = 0;
  rtoExpirations = 0;
  /**
   * The stall the last timeouts belong to (black-hole detection, pmtu.ts): when its first timeout that came here
   * fired, and the timeout count (Timers.rtxCount) at the last one, 0 once SND.UNA moves. A count that does not
   * follow on starts a new stall — also when earlier timeouts went elsewhere (a closed window's persist) — so a
   * stall never inherits an older one's start.
   */
  private stallStart = 0;
  private stallTimeouts = 0;
  /** Created with the first SACK block, dropped once empty. */
  sb: SackScoreboard = NO_SACKS;
  /** RFC 8985 §7 (tail-loss-probe.ts); created when first armed. */
  tlp: TailLossProbe = NO_PROBE;
  /** Eifel / D-SACK undo of spurious recoveries (undo.ts); the shared idle one until an episode or a D-SACK (ownUndo). */
  undo: SpuriousUndo = NO_UNDO;
  /** cwnd during fast recovery, RFC 9937 (prr.ts); the shared idle one until the first recovery (ownPrr). */
  prr: ProportionalRateReduction = NO_PRR;
  /** RFC 8985 §6 (rack.ts): the sender's, which keeps it when this recovery is dropped (sender.ts). */
  get rack(): Rack | undefined {
    return this.snd.rack;
  }

  /** The deadlines (timers.ts): fields of the shared record. */
  private get timers(): Timers {
    return this.v;
  }

  constructor(
    private readonly v: TcpVars,
    private readonly cfg: TcpConfig,
    private readonly sink: ConnectionSink,
    private readonly snd: RecoverySender,
  ) {
    const una = v.sndUna | 0;
    this.recover32 = v.iss | 0; // no recovery yet: SND.UNA is past it
    this.highRxt32 = una;
    this.lostEdge32 = una;
    this.prevUna32 = una;
    this.passMark32 = una;
    this.rtxNxt32 = v.sndNxt | 0;
  }

  /**
   * Nothing recorded that a recovery made now would not start from: no episode ever (no undo, PRR,
   * counters), nothing SACKed, no probe armed or out, nothing in flight, the pointers at SND.UNA and
   * SND.NXT. The sender may then drop this one and make a new one when needed. (RACK's state is the
   * sender's and stays; an idle loss probe is as good as a new one.)
   */
  get pristine(): boolean {
    const v = this.v;
    return (
      this.caState === 'open' &&
      v.sndUna === v.sndNxt &&
      this.sb === NO_SACKS &&
      (this.tlp === NO_PROBE || (this.tlp.at === undefined && !this.tlp.outstanding)) &&
      this.undo === NO_UNDO &&
      this.prr === NO_PRR &&
      this.dupAcks === 0 &&
      this.inflation === 0 &&
      !this.partialAckSeen &&
      this.pastRecover &&
      this.recoverPoint === v.iss &&
      this.fastRetransmits === 0 &&
      this.lostRetransmits === 0 &&
      this.rtoExpirations === 0 &&
      this.highRxt === v.sndUna &&
      this.rtxPassMark === v.sndUna &&
      this.rtxNxt === v.sndNxt &&
      !seqGt(this.lostEdge, v.sndUna)
    );
  }

  recoveryCwnd(): number | undefined {
    return this.caState === 'recovery' && this.prr.active ? this.prr.cwnd : undefined;
  }

  holdsRtxTimer(): boolean {
    return this.caState === 'recovery' && !this.v.sackOk && this.partialAckSeen;
  }

  onSndNxtAdvance(from: number, to: number): void {
    if (this.rtxNxt === from) this.rtxNxt = to; // the go-back-N pointer never re-sends new data
  }

  onRetransmitted(sndNxt: number, tsval: number): void {
    // Only data sent after this retransmission can show that it was lost (detectLostRetransmit): SACKs of
    // data sent before it, later in the same instant, once made the hole go out twice (issue 10 #8).
    this.rtxPassMark = sndNxt;
    if (this.caState === 'loss' || this.caState === 'recovery') this.undo.retransmitted(tsval);
  }

  onSending(len: number): void {
    if (this.caState === 'recovery') this.prr.onSend(len);
  }

  onSent(seq: number, end: number, fin: boolean): void {
    if (this.rackOn()) this.rackSent(seq, end, fin);
  }

  /**
   * The retransmission to send next, if recovery has one (RFC 6675 NextSeg() during SACK recovery,
   * go-back-N after an RTO); NO_RETRANSMISSION when new data may go under the plain cwnd rule.
   */
  sendRetransmission(room: number, cwnd: number, forced: boolean): SendResult | typeof NO_RETRANSMISSION {
    // Go-back-N after an RTO (RFC 5681 §3.1, RFC 6298 §5.4), skipping what the peer SACKed since.
    // The pass covers what was outstanding at the RTO (`recoverPoint`; Linux's tcp_enter_loss marks only that lost):
    // data sent since is not presumed lost when a lost retransmission restarts the pass.
    const passEnd = seqLt(this.recoverPoint, this.v.sndNxt) ? this.recoverPoint : this.v.sndNxt;
    // RACK goes on marking losses after an RTO (RFC 8985 §6.2 runs on every ACK): a retransmission of the pass
    // that is lost again — data sent after it was SACKed, RACK.rtt + reo_wnd ago — goes again now, before the
    // pass goes on, as Linux's Loss state resends what tcp_rack_mark_lost marked (tcp_xmit_retransmit_queue).
    // Without this it waited for the next, backed-off, RTO (a serve --trace run at 20 % loss: 3.2 s, 6.4 s, 12.8 s).
    // (Linux, as tcp_fastretrans_alert reads, then also moves from Loss to Recovery, a second cwnd reduction;
    // here the Loss state's slow start goes on.)
    if (this.caState === 'loss' && this.rackOn()) {
      const lost = this.rack?.nextLost(this.v.sndUna);
      if (lost !== undefined && seqLt(lost.seq, this.rtxNxt)) {
        if (!forced && cwnd - this.sackPipe() < room) return CWND_BLOCKED;
        const head = lost.seq === this.v.sndUna;
        const r = this.retransmitHole(lost.seq, lost.end, room);
        // Resending the first unacknowledged segment restarts the RTO, now with the RTO a SACK's sample may
        // have brought back from its backoff (Linux tcp_xmit_retransmit_queue rearms at the queue's head).
        if (head) this.snd.armRtx();
        return r;
      }
    }
    if (this.caState === 'loss' && seqLt(this.rtxNxt, passEnd)) {
      let seq = this.rtxNxt;
      let end = passEnd;
      if (this.v.sackOk && !this.sb.isEmpty) {
        const hole = this.sb.nextHole(seq, passEnd);
        if (hole) {
          seq = hole.seq;
          end = hole.end;
        } else {
          seq = end = passEnd;
        }
      }
      if (seqLt(seq, passEnd)) {
        const len = Math.min(room, this.snd.dataUpTo(seq, end));
        const pipe = this.renoPipe(seqDiff(seq, this.v.sndUna) - this.sb.sackedBelow(seq));
        if (!forced && pipe + Math.max(len, 1) > cwnd) return CWND_BLOCKED;
        const sent = this.snd.emit(seq, len, true);
        this.rtxNxt = seqAdd(seq, sent);
        return SENT;
      }
      this.rtxNxt = this.v.sndNxt;
    }

    if (this.caState === 'recovery' && this.v.sackOk) {
      // RFC 6675 §5 step (C): send while cwnd − pipe ≥ 1 SMSS, choosing by NextSeg().
      if (cwnd - this.sackPipe() < room) return CWND_BLOCKED;
      if (this.rackOn()) {
        // With RACK, as Linux (tcp_xmit_retransmit_queue): what RACK marked lost, then new data; a hole not
        // marked yet waits for RACK (its timer), so reordering within reo_wnd is not retransmitted.
        const lost = this.rack?.nextLost(this.v.sndUna);
        if (lost) return this.retransmitHole(lost.seq, lost.end, room);
        return this.snd.sendNew(room, Infinity);
      }
      const from = seqMax(this.highRxt, this.v.sndUna);
      const hole = this.sb.nextHole(from, this.v.sndNxt);
      // NextSeg rule 1: the first lost hole above HighRxt.
      if (hole && seqLt(hole.seq, this.lostEdge)) return this.retransmitHole(hole.seq, hole.end, room);
      // Rule 2: new data.
      const r = this.snd.sendNew(room, Infinity);
      if (r === SENT) return r;
      // Rule 3: a hole below the highest SACKed octet, not yet deemed lost.
      const high = this.sb.highestSacked;
      if (hole && high !== undefined && seqLt(hole.seq, high)) return this.retransmitHole(hole.seq, hole.end, room);
      return r;
    }
    return NO_RETRANSMISSION;
  }

  /** Octets in flight as the cwnd rule for new data counts them outside SACK recovery. */
  newDataPipe(): number {
    let pipe: number;
    if (this.caState === 'recovery') {
      pipe = seqDiff(this.v.sndNxt, this.v.sndUna) - this.inflation; // NewReno: less what duplicate ACKs showed delivered
    } else {
      pipe = seqDiff(this.v.sndNxt, this.v.sndUna) - this.sb.sackedBytes;
      // Limited transmit (RFC 3042): the first two duplicate ACKs each allow one new segment.
      if (this.caState === 'disorder' && !this.v.sackOk) pipe -= Math.min(this.dupAcks, this.cfg.dupThresh - 1) * this.v.sndMss;
      else if (this.caState === 'loss') pipe = this.renoPipe(pipe);
    }
    return pipe;
  }

  /**
   * In the Loss state without SACK: `pipe` less one segment per duplicate ACK (each one left the network),
   * keeping at least one segment (the hole) counted, as Linux bounds its emulated SACKs (tcp_limit_reno_sacked).
   */
  private renoPipe(pipe: number): number {
    if (this.v.sackOk || this.caState !== 'loss' || this.dupAcks === 0) return pipe;
    return pipe - Math.min(this.dupAcks * this.v.sndMss, Math.max(0, pipe - this.v.sndMss));
  }

  /**
   * A D-SACK arrived (RFC 2883 §4; findDsack): count it as Linux does and let the undo bookkeeping
   * (undo.ts) see it. `priorUna` is SND.UNA before this ACK.
   */
  private dsackReceived(d: Dsack, priorUna: number): void {
    const r = this.ownUndo().onDsack(d, { priorUna, segs: dsackSegments(d, this.v.sndMss), maxWindow: this.v.maxSndWnd, totalRetrans: this.snd.totalRetrans });
    for (const c of r.counters) this.sink.count?.(c);
    if (!r.believed) return;
    // A believed D-SACK: RACK (RFC 8985 §6.2 step 4, rack.ts) widens its reordering window, as Linux sets
    // rack.dsack_seen in tcp_dsack_seen.
    this.snd.rackIfKept?.onDsack(this.v.sndNxt); // a D-SACK may come when all is delivered and RACK was let go
  }

  /** Take back the last cwnd reduction (undo.ts): count it as Linux does. */
  private undoReduction(counter: UndoCounter): void {
    const rto = this.undo.afterRto;
    this.snd.cc.undo(this.undo.take());
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
    this.rtxNxt = this.v.sndNxt;
  }

  /** Retransmitted data of this recovery above SND.UNA that the peer has not SACKed (Linux retrans_out > 0). */
  private retransmissionsInFlight(): boolean {
    if (!this.v.sackOk || !seqGt(this.highRxt, this.v.sndUna)) return false;
    return this.sb.sackedBelow(this.highRxt) < seqDiff(this.highRxt, this.v.sndUna);
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
    if (!this.v.sackOk || (this.caState !== 'recovery' && this.caState !== 'loss')) return;
    if (this.rackOn() && this.caState === 'recovery') return; // RACK finds lost retransmissions by time (rack.ts)
    const mark = this.rtxPassMark;
    if (!seqLt(this.v.sndUna, mark)) return;
    if (this.sb.sackedBytes - this.sb.sackedBelow(mark) <= (this.cfg.dupThresh - 1) * this.v.sndMss) return;
    const passed = this.caState === 'recovery' ? this.highRxt : this.rtxNxt;
    const hole = this.sb.nextHole(this.v.sndUna, this.v.sndNxt);
    if (!hole || !seqLt(hole.seq, passed) || !seqLt(hole.seq, mark)) return;
    this.lostRetransmits++;
    if (this.caState === 'recovery') this.highRxt = this.v.sndUna;
    else this.rtxNxt = this.v.sndUna;
    this.rtxPassMark = this.v.sndNxt;
  }

  /** RFC 5681 §3.2 / RFC 6675 §5: three duplicate ACKs, or the scoreboard says SND.UNA's segment is lost. */
  private lossDetected(): boolean {
    if (seqGe(this.v.sndUna, this.v.sndNxt)) return false;
    // With RACK only its marks count, not DupThresh (Linux tcp_time_to_recover with tcp_is_rack).
    if (this.rackOn()) return (this.rack?.lostBytes ?? 0) > 0;
    const bySack = this.v.sackOk && seqGt(this.lostEdge, this.v.sndUna);
    if (this.dupAcks < this.cfg.dupThresh && !bySack) return false;
    if (this.v.sackOk) return true;
    // RFC 6582 §3.2 step 2: no second fast retransmit for duplicates of data sent before the last recovery,
    // unless the ACK heuristic (§4.1) says these duplicates are fresh.
    if (this.pastRecover) return true;
    return this.snd.cc.cwnd > this.v.sndMss && seqDiff(this.v.sndUna, this.prevUna) <= 4 * this.v.sndMss;
  }

  /**
   * An ACK with ECN-Echo (RFC 3168 §6.1.2): cut cwnd as for a loss, through the congestion controller, but
   * retransmit nothing; at most once per window of data (Linux tcp_enter_cwr, only from the Open and
   * Disorder states), and CWR goes on the next new data. TCPDeliveredCE counts the segments this ACK
   * delivered (as Linux, in segments).
   */
  private onEcnEcho(delivered: number, flightBefore: number): void {
    if (delivered > 0) this.sink.count?.('TCPDeliveredCE', Math.ceil(delivered / this.v.sndMss));
    if ((this.caState !== 'open' && this.caState !== 'disorder') || !this.snd.ecn.mayReduce(this.v.sndUna)) return;
    this.snd.cc.onLoss(flightBefore, this.v.now);
    this.snd.ecn.reduced(this.v.sndNxt);
  }

  /** Fast retransmit and entry into fast recovery (RFC 5681 §3.2 steps 2–3, RFC 6582 §3.2 step 2, RFC 6675 §5 steps 1–3). */
  private enterRecovery(delivered: number, sackedEarlier: number, cumAcked: number): void {
    const probe = this.snd.mtuProbe;
    if (probe !== undefined && this.v.sndUna === probe.start) {
      // The MTU probe was lost, not data to congestion: no cwnd reduction (Linux tcp_fastretrans_alert → tcp_mtup_probe_failed, tcp_simple_retransmit).
      this.mtuProbeLost();
      this.resegmentFlight();
      return;
    }
    const flight = seqDiff(this.v.sndNxt, this.v.sndUna);
    this.recoverPoint = this.v.sndNxt;
    this.pastRecover = false;
    this.ownUndo().begin(this.v.sndUna, this.snd.cc.cwnd, this.snd.cc.ssthresh, false);
    // A window already cut for ECN-Echo is not cut again for the loss (Linux tcp_enter_recovery: not in a cwnd reduction).
    if (!this.snd.ecn.reducing(this.v.sndUna)) this.snd.cc.onLoss(flight, this.v.now);
    this.snd.ecn.endReduction();
    this.snd.ecn.cwrAfterReduction();
    // The controller's ssthresh is PRR's target; PRR, not a cut to ssthresh, sets cwnd from here on. Without SACK the
    // duplicate ACKs stand for segments delivered (`inflation`, RFC 6582 §3.2 step 2), and SND.UNA's segment is lost.
    const mss = this.v.sndMss;
    const renoSacked = this.v.sackOk ? 0 : Math.min(this.cfg.dupThresh * mss, Math.max(0, flight - mss));
    const pipe = this.v.sackOk ? this.sackPipe() : flight - renoSacked - mss;
    const earlier = this.v.sackOk ? sackedEarlier : Math.max(0, renoSacked - mss);
    this.ownPrr().start({ flight, sackedEarlier: earlier, cumAcked, pipe, ssthresh: this.snd.cc.ssthresh, mss });
    this.caState = 'recovery';
    // PRR's window for the ACK that starts recovery, before the fast retransmission counts as sent
    // (as Linux: tcp_enter_recovery, then tcp_cwnd_reduction, then tcp_xmit_recovery).
    this.ownPrr().onAck(delivered, pipe, false);
    this.partialAckSeen = false;
    this.fastRetransmits++;
    this.sink.count?.(this.v.sackOk ? 'TCPSackRecovery' : 'TCPRenoRecovery');
    // Holes below HighRxt were retransmitted (in the recovery that just ended) and are not deemed lost:
    // they are still in flight, so the new recovery does not send them again at once (as Linux keeps
    // its retransmitted marks across episodes; issue 10 #8). Lost-retransmit detection or the RTO catches them if lost.
    const inFlight = this.v.sackOk && seqGt(this.highRxt, this.v.sndUna);
    if (!inFlight) this.highRxt = this.v.sndUna;
    this.rtxPassMark = this.v.sndNxt;
    this.inflation = renoSacked; // 0 with SACK (and so with RACK)
    // The first retransmission goes regardless of pipe and cwnd.
    if (this.rackOn()) {
      const lost = this.rack?.nextLost(this.v.sndUna);
      if (lost) this.retransmitHole(lost.seq, lost.end, this.snd.segmentRoom());
      return;
    }
    const first = inFlight ? this.sb.nextHole(this.v.sndUna, this.v.sndNxt) : undefined;
    if (!first || !seqLt(first.seq, this.highRxt)) this.retransmitFirst();
  }

  /** Retransmit the first unacknowledged (un-SACKed) segment. */
  private retransmitFirst(): void {
    let seq = this.v.sndUna;
    let end = this.v.sndNxt;
    if (this.v.sackOk) {
      const hole = this.sb.nextHole(this.v.sndUna, this.v.sndNxt);
      if (hole) {
        seq = hole.seq;
        end = hole.end;
      }
    }
    const len = Math.min(this.snd.segmentRoom(), this.snd.dataUpTo(seq, end));
    this.snd.emit(seq, len, true);
    if (this.v.sackOk && seqGt(seqAdd(seq, len), this.highRxt)) this.highRxt = seqAdd(seq, len);
  }

  private retransmitHole(seq: number, end: number, room: number): SendResult {
    const len = Math.min(room, this.snd.dataUpTo(seq, end));
    const sent = this.snd.emit(seq, len, true);
    if (seqGt(seqAdd(seq, sent), this.highRxt)) this.highRxt = seqAdd(seq, sent);
    return SENT;
  }

  /** RFC 6675 SetPipe(): octets presumed in the network during SACK recovery. */
  sackPipe(): number {
    const una = this.v.sndUna;
    let pipe = seqDiff(this.v.sndNxt, una) - this.sb.sackedBytes;
    if (this.rackOn()) return Math.max(0, pipe - (this.rack?.lostBytes ?? 0)); // lost marks leave the pipe; a retransmission clears its mark
    if (seqGt(this.lostEdge, una)) pipe -= seqDiff(this.lostEdge, una) - this.sb.sackedBelow(this.lostEdge);
    if (seqGt(this.highRxt, una)) pipe += seqDiff(this.highRxt, una) - this.sb.sackedBelow(this.highRxt);
    return pipe;
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
  armProbe(): void {
    if (!this.cfg.tlp || !this.v.sackOk || !this.lossFree() || this.tlp.outstanding || !this.v.sending || !seqLt(this.v.sndUna, this.v.sndNxt) || this.timers.rtxAt === undefined) {
      this.tlp.cancel();
      return;
    }
    const flight = seqDiff(this.v.sndNxt, this.v.sndUna) - this.sb.sackedBytes;
    if (this.tlp === NO_PROBE) this.tlp = new TailLossProbe();
    this.tlp.armFor(this.v.now, this.snd.rtt.srtt, flight, this.v.sndMss, this.cfg.rtoMin, this.timers.rtxAt - this.v.now);
  }

  /**
   * RFC 8985 §7.3: the PTO fired. Send one probe — new data if the peer's window takes it (cwnd and
   * Nagle aside, as Linux), else the last segment again — and restart the RTO from now.
   */
  onProbeTimeout(): void {
    if (!this.lossFree() || this.tlp.outstanding || !this.v.sending || !seqLt(this.v.sndUna, this.v.sndNxt) || this.v.sndWnd === 0) return;
    const room = this.snd.segmentRoom();
    let seq = this.v.sndNxt;
    if (this.snd.sendNew(room, Infinity) !== SENT) {
      const dataEnd = seqAdd(this.v.sndUna, this.snd.sendBuf.length);
      const last = lastSegment(this.v.sndUna, seqLt(this.v.sndNxt, dataEnd) ? this.v.sndNxt : dataEnd, room);
      seq = last.seq;
      this.snd.emit(last.seq, last.len, true);
    }
    this.tlp.sent(seq, this.v.sndNxt);
    this.tlp.cancel();
    this.sink.count?.('TCPLossProbes');
    this.snd.armRtx();
  }

  /** RACK (RFC 8985 §6) detects losses on SACK connections when configured (Linux tcp_recovery = 1); else DupThresh does. */
  rackOn(): boolean {
    return this.cfg.rack && this.v.sackOk;
  }

  /** RACK's inputs, in one record shared by all connections (RACK reads it during the call only): no allocation on the ACK path. */
  private rackInputs(): RackAck {
    const a = RACK_INPUTS;
    a.now = this.v.now;
    a.una = this.v.sndUna;
    a.blocks = undefined;
    a.echoedAt = undefined;
    a.minRtt = this.snd.minRtt;
    a.srtt = this.snd.rtt.srtt;
    a.inRecovery = this.caState === 'recovery' || this.caState === 'loss';
    a.dupThresh = this.cfg.dupThresh;
    return a;
  }

  /** When (ms, on our clock) the TSval an ACK echoes was sent; undefined without timestamps. */
  private echoedAt(seg: Segment): number | undefined {
    const age = this.v.echoAge(seg.options.ts); // a TSecr we cannot have sent says nothing
    return age === undefined ? undefined : Math.floor(this.v.now) - age;
  }

  /**
   * RFC 8985 §6.3: the reordering timer fired. Segments that were within reo_wnd are lost now: enter
   * recovery if not in it, and retransmit them (Linux tcp_rack_reo_timeout).
   */
  onRackTimeout(): void {
    const rack = this.rack;
    if (!rack) return;
    if (!this.rackOn() || !this.v.sending || seqGe(this.v.sndUna, this.v.sndNxt)) {
      rack.at = undefined;
      return;
    }
    if (rack.onTimeout(this.rackInputs()) === 0) return;
    if ((this.caState === 'open' || this.caState === 'disorder') && this.lossDetected()) this.enterRecovery(this.v.sndMss, this.sb.sackedBytes, 0); // PRR counts one segment delivered, as Linux tcp_rack_reo_timeout (tcp_cwnd_reduction(sk, 1, 0))
    this.snd.output();
  }

  /**
   * The MSS fell while a flight of larger segments was out (ICMP, or a lost MTU probe): send it
   * again at once in the new size, cwnd untouched — the data in the network did not grow, only its
   * units changed (Linux tcp_simple_retransmit: Loss state, ssthresh kept, retransmit queue sent).
   */
  resegmentFlight(): void {
    if (!this.v.sending || !seqLt(this.v.sndUna, this.v.sndNxt)) return;
    if (this.caState !== 'loss') {
      this.caState = 'loss';
      this.recoverPoint = this.v.sndNxt;
      this.pastRecover = false;
      this.dupAcks = 0;
      this.inflation = 0;
    }
    this.rtxNxt = this.v.sndUna;
    this.highRxt = this.v.sndUna;
    this.rtxPassMark = this.v.sndNxt;
    this.tlp.cancel();
    this.snd.output();
    this.snd.armRtx();
  }

  /** The MTU probe is lost (a loss at its first octet, or a timeout): its size is too big; resend its data in the MSS in use. */
  private mtuProbeLost(): void {
    this.snd.pmtu.failed();
    this.sink.count?.('TCPMTUPFail');
  }

  /**
   * An acceptable ACK in a synchronized state (RFC 9293 §3.10.7.4 "fifth"): the sender takes what it
   * acknowledges (SND.UNA, SND.WND, the persist timer), the SACK scoreboard and RACK take its SACK
   * blocks, then duplicate-ACK counting and loss recovery (RFC 5681 §3.2, RFC 6582, RFC 6675 §5, RFC 8985).
   */
  onAck(seg: Segment): void {
    this.ackRtt = undefined;
    const una0 = this.v.sndUna;
    const flightBefore = seqDiff(this.v.sndNxt, una0);
    const wndBefore = this.v.sndWnd;
    const sackedBefore = this.sb.sackedBytes;
    const lostEdgeBefore = this.lostEdge;
    const lostRetransmitsBefore = this.lostRetransmits;
    let dataAcked = 0;
    const advanced = seqGt(seg.ack, una0);
    if (seqGt(seg.ack, this.v.sndNxt)) this.snd.takeAckBeyondSndNxt(seg.ack);
    if (advanced) {
      this.prevUna = una0;
      dataAcked = this.snd.ackAdvance(seg);
      const probe = this.snd.mtuProbe;
      if (probe !== undefined && seqGe(this.v.sndUna, probe.end)) {
        this.snd.pmtu.succeeded(this.v.now); // RFC 4821 §7.6.1, Linux tcp_mtup_probe_success
        this.sink.count?.('TCPMTUPSuccess');
        syncMss(this.v, this.cfg, this.snd.pmtu, this.snd.cc);
      }
    }
    let newlySacked = 0;
    const blocks = seg.options.sack;
    if (this.v.sackOk && blocks !== undefined && blocks.length > 0 && seqLt(this.v.sndUna, this.v.sndNxt)) {
      if (this.sb === NO_SACKS) this.sb = new SackScoreboard();
      newlySacked = this.sb.update(blocks, this.v.sndUna, this.v.sndNxt);
      // A SACKed segment that was never retransmitted is as good an RTT sample as a cumulative ACK (as Linux).
      if (newlySacked > 0 && this.snd.rttSeq !== undefined && this.sb.isSacked(seqAdd(this.snd.rttSeq, -1))) {
        this.snd.rttSample(this.v.now - this.snd.rttStart);
        this.snd.rttSeq = undefined;
      }
    }
    const dsack = this.v.sackOk && blocks !== undefined ? findDsack(blocks, seg.ack) : undefined;
    if (dsack !== undefined) this.dsackReceived(dsack, una0);
    if (!this.sb.isEmpty || advanced) this.lostEdge = this.sb.isEmpty ? this.v.sndUna : this.sb.lostEdge(this.v.sndUna, this.v.sndMss, this.cfg.dupThresh);
    const lostBelowProbe = this.tlp.onAck(this.v.sndUna, this.sb);
    if (lostBelowProbe !== undefined && seqGt(lostBelowProbe, this.lostEdge)) this.lostEdge = lostBelowProbe;
    if (this.rackOn() && this.rack) {
      const a = this.rackInputs();
      a.blocks = blocks;
      a.echoedAt = this.echoedAt(seg);
      this.rack.onAck(a);
      // No sample from SND.UNA's advance (Karn, or a stale TSecr): a newly SACKed segment sent once gives one,
      // and with it the RTO leaves its backoff (RFC 6298 §5.7; Linux sack_rtt_us in tcp_ack_update_rtt).
      const sentAt = this.rack.sackedSentAt;
      if (this.ackRtt === undefined && sentAt !== undefined) this.snd.rttSample(this.v.now - sentAt);
    }
    if (newlySacked > 0) this.detectLostRetransmit();
    this.snd.updateWindow(seg, false, advanced);
    this.snd.afterWindowUpdate();

    // RFC 5681 §2 duplicate ACK: no data, no SYN/FIN, SEG.ACK = SND.UNA (an older ACK is no duplicate: counted,
    // spoofed or reordered old ACKs would trigger fast retransmits), same window, data outstanding.
    // RFC 6675 §2 adds ACKs that SACK new data. A zero window is the persist timer's business.
    const isDup =
      !advanced &&
      flightBefore > 0 &&
      ((seg.ack === una0 && seg.payload.length === 0 && !(seg.flags & (SYN | FIN)) && this.v.sndWnd === wndBefore && this.v.sndWnd > 0) || newlySacked > 0);

    if (this.snd.ecn.isEcho(seg.flags)) this.onEcnEcho(dataAcked + newlySacked, flightBefore);
    const ecr = this.v.tsOk ? seg.options.ts?.ecr : undefined; // for Eifel detection (undo.ts)
    // RFC 9937 DeliveredData: the advance of SND.UNA plus the change in SACKed octets; without SACK a
    // duplicate ACK stands for one segment that left the network (as Linux, tcp_add_reno_sack).
    const delivered = this.v.sackOk ? dataAcked + this.sb.sackedBytes - sackedBefore : isDup ? this.v.sndMss : dataAcked;
    const newLoss = seqGt(this.lostEdge, seqMax(lostEdgeBefore, this.v.sndUna)) || this.lostRetransmits > lostRetransmitsBefore;
    switch (this.caState) {
      case 'open':
      case 'disorder':
        if (advanced) {
          this.dupAcks = 0;
          this.snd.growCwnd(dataAcked, flightBefore);
        } else if (isDup) {
          this.dupAcks++;
        }
        this.caState = this.dupAcks > 0 || !this.sb.isEmpty ? 'disorder' : 'open';
        // D-SACKs for every retransmission of a recovery already over: it was spurious (Linux tcp_try_undo_dsack).
        if (this.undo.allDsacked) this.undoReduction('TCPDSACKUndo');
        if (this.lossDetected()) this.enterRecovery(delivered, this.sb.sackedBytes - newlySacked, dataAcked);
        return;
      case 'recovery':
        if (seqGe(this.v.sndUna, this.recoverPoint)) {
          // Full ACK: recovery is over (RFC 6582 §3.2 step 3, RFC 6675 §5) — undone if it proved spurious (Linux tcp_try_undo_recovery).
          if (this.undo.mayUndo(ecr)) this.undoReduction('TCPFullUndo');
          else {
            this.snd.cc.onRecoveryEnd(this.v.now); // cwnd = ssthresh (RFC 9937: no burst, PRR brought pipe there)
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
        if (!this.v.sackOk) {
          // Without SACK, `inflation` counts the segments duplicate ACKs showed delivered above SND.UNA (Linux's
          // sacked_out for Reno), and PRR sets cwnd from it as from a scoreboard (RFC 9937, as Linux).
          const mss = this.v.sndMss;
          const flight = seqDiff(this.v.sndNxt, this.v.sndUna);
          if (advanced) {
            // Partial ACK (RFC 6582 §3.2 step 5): one segment filled the hole, the rest had drawn duplicate ACKs
            // (Linux tcp_remove_reno_sacks). The next hole is lost: PRR's share first, then its retransmission.
            const dlv = Math.max(dataAcked - this.inflation, Math.min(dataAcked, mss));
            this.inflation = Math.max(0, this.inflation - Math.max(0, dataAcked - mss));
            this.ownPrr().onAck(dlv, flight - this.inflation - mss, false); // a new loss: no PRR-SSRB (as Linux)
            this.retransmitFirst();
            if (!this.partialAckSeen) {
              this.partialAckSeen = true; // "impatient" variant: only the first partial ACK restarts the timer
              this.snd.armRtx();
            }
          } else if (isDup && this.inflation + mss < flight) {
            this.inflation += mss; // RFC 6582 §3.2 step 4 / RFC 5681 step 4: one more segment has left the network
            this.ownPrr().onAck(mss, flight - this.inflation, false);
          }
        } else {
          // With SACK, PRR sets the window for this ACK; output() then sends by the pipe (RFC 6675 §5 step C).
          this.ownPrr().onAck(delivered, this.sackPipe(), advanced && !newLoss);
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
          this.snd.growCwnd(dataAcked, flightBefore);
          // Duplicate ACKs counted below stood for segments this ACK now covers (Linux tcp_remove_reno_sacks).
          this.dupAcks = Math.max(0, this.dupAcks - (Math.ceil(dataAcked / this.v.sndMss) - 1));
          if (seqGe(this.v.sndUna, this.recoverPoint)) {
            this.rack?.onRecoveryEnd();
            this.caState = this.sb.isEmpty ? 'open' : 'disorder';
            this.dupAcks = 0;
            this.undo.settle();
          }
        } else if (isDup && !this.v.sackOk) {
          // Without SACK a duplicate ACK is one segment that left the network (Linux tcp_add_reno_sack, which
          // also runs in the Loss state): the go-back-N pass and then new data may go on by one segment
          // (renoPipe). Without this, a retransmission lost again stalls the pass until the next, backed-off,
          // RTO — and when every segment ACKed is a retransmission, Karn's rule leaves the backoff in place
          // (fuzz case 2243436146: 120 s RTOs for the rest of the transfer).
          this.dupAcks++;
        }
        return;
    }
  }

  /** The retransmission timer expired with data outstanding and an open window (RFC 6298 §5.4–5.6, RFC 5681 §3.1). */
  onRetransmitTimeout(): void {
    this.rtoExpirations++;
    if (this.snd.mtuProbe !== undefined) this.mtuProbeLost(); // RFC 4821 §7.5: a probe lost to a timeout
    // A timeout that follows the last one here, nothing acknowledged between, goes on with its stall; any other starts one.
    if (this.stallTimeouts === 0 || this.timers.rtxCount !== this.stallTimeouts + 1) this.stallStart = this.v.now;
    this.stallTimeouts = this.timers.rtxCount;
    if (this.snd.pmtu.onTimeout(this.v.now - this.stallStart, this.v.now)) syncMss(this.v, this.cfg, this.snd.pmtu, this.snd.cc); // black hole? (pmtu.ts)
    this.snd.dropPlainPmtu();
    // RFC 5681 §3.1 / RFC 6298 §5.4–5.6: collapse cwnd, go back to SND.UNA, skipping what is SACKed.
    // A new undo episode, unless this RTO strikes one already running: a backed-off RTO, or one during
    // fast recovery (as Linux tcp_enter_loss re-arms undo only outside recovery or on a first timeout).
    if (this.caState === 'open' || this.caState === 'disorder' || seqGe(this.v.sndUna, this.recoverPoint) || (this.caState === 'loss' && this.timers.rtxCount === 1)) {
      this.ownUndo().begin(this.v.sndUna, this.snd.cc.cwnd, this.snd.cc.ssthresh, true);
    } else this.undo.timedOut();
    this.snd.cc.onRto(seqDiff(this.v.sndNxt, this.v.sndUna), this.v.now);
    this.prr.end();
    this.snd.ecn.endReduction();
    this.snd.ecn.cwrAfterReduction(); // RFC 3168 §6.1.2: the next new data says the window was cut
    this.caState = 'loss';
    this.recoverPoint = this.v.sndNxt;
    this.pastRecover = false;
    this.dupAcks = 0;
    this.inflation = 0;
    this.forgetSacksIfReneged();
    this.rack?.onRto();
    this.lostEdge = this.v.sndUna;
    this.highRxt = this.v.sndUna;
    this.rtxNxt = this.v.sndUna;
    this.rtxPassMark = this.v.sndNxt;
    this.snd.output(true);
    this.snd.armRtx();
  }

  /**
   * The SACK scoreboard across an RTO. RFC 2018 §8 says the sender SHOULD forget it, as the receiver may have
   * reneged; but a receiver reports at most 3–4 islands per ACK, so a forgotten island that is not reported
   * again is resent although the peer holds it — on a reordering path that was the whole window, D-SACKed
   * back. Linux (tcp_timeout_mark_lost) keeps the SACK marks unless the first unacknowledged segment is
   * itself marked SACKed, which a receiver that kept its data would have acknowledged cumulatively: that is
   * the evidence of reneging (TCPSACKReneging) on which the scoreboard goes. We do the same.
   */
  private forgetSacksIfReneged(): void {
    if (this.sb.isEmpty || !this.sb.isSacked(this.v.sndUna)) return;
    this.sink.count?.('TCPSACKReneging');
    this.sb.clear();
  }

  /** This connection's own undo state, made on its first change (idle connections share NO_UNDO, never changed). */
  private ownUndo(): SpuriousUndo {
    if (this.undo === NO_UNDO) this.undo = new SpuriousUndo();
    return this.undo;
  }

  /** This connection's own PRR state, made when it first recovers (idle connections share NO_PRR, never changed). */
  private ownPrr(): ProportionalRateReduction {
    if (this.prr === NO_PRR) this.prr = new ProportionalRateReduction();
    return this.prr;
  }

  /** SND.NXT went back to SND.UNA (a zero window refused the data: flow control, not congestion): nothing is lost or in recovery. */
  onRewind(una: number): void {
    this.rtxNxt = una;
    this.highRxt = una;
    this.lostEdge = una;
    this.sb.clear();
    this.caState = 'open';
    this.prr.end();
    this.dupAcks = 0;
    this.inflation = 0;
    this.pastRecover = true;
    this.rack?.clear();
  }

  /** SND.UNA advanced to `ack`: the recovery pointers below it move up with it, the scoreboard forgets what it covers. */
  onUnaAdvance(ack: number): void {
    this.stallTimeouts = 0;
    if (seqGt(ack, this.recoverPoint)) this.pastRecover = true;
    if (seqLt(this.rtxNxt, ack)) this.rtxNxt = ack;
    if (seqLt(this.highRxt, ack)) this.highRxt = ack;
    if (seqLt(this.rtxPassMark, ack)) this.rtxPassMark = ack;
    this.sb.advance(ack);
    if (this.sb.isEmpty) this.sb = NO_SACKS;
  }

  /** [seq, end) went out on a RACK connection (RFC 8985 §6.1): RACK, made with the first one, records it. */
  rackSent(seq: number, end: number, fin: boolean): void {
    this.snd.makeRack().onSend(seq, end, this.v.now, fin);
  }
}

/**
 * What an idle connection points at instead of its own SACK scoreboard, loss-probe, undo and PRR state:
 * shared instances in their initial state, only ever read or given calls that leave that state as it is
 * (each connection creates its own before the first change).
 */
export const NO_SACKS = new SackScoreboard();
const NO_PROBE = new TailLossProbe();
const NO_UNDO = new SpuriousUndo();
const NO_PRR = new ProportionalRateReduction();

const RACK_INPUTS = new RackInputs();
