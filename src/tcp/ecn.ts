/**
 * Explicit Congestion Notification for one connection (RFC 3168 §6.1), as
 * Linux does it (tcp_ecn.h): the handshake that turns it on, ECT(0) on new
 * data, the receiver's ECE latch, and the sender's once-per-window reaction
 * with CWR. The Connection calls these hooks; the cwnd reduction itself goes
 * through its congestion controller, like a loss without the retransmission.
 */
import { CWR, ECE, SYN } from '../wire/flags.js';
import { seqGt } from './seq.js';

/**
 * Whether a connection uses ECN, as Linux's net.ipv4.tcp_ecn:
 * 'off' = 0 (never), 'on' = 1 (ask on active opens, accept when asked),
 * 'passive' = 2 (Linux's default: accept when the peer asks, never ask).
 */
export type EcnMode = 'off' | 'passive' | 'on';

export const ECN_MODES: readonly EcnMode[] = ['off', 'passive', 'on'];

/** IP ECN codepoints (the same values as wire/ecn.ts; tcp/ keeps its own copy of these two numbers). */
const IP_NOT_ECT = 0b00;
const IP_ECT0 = 0b10;
const IP_CE = 0b11;

export class Ecn {
  /** ECN was negotiated (Linux TCP_ECN_OK). */
  ok = false;
  /** A CE mark arrived: every ACK carries ECE until the peer's CWR (TCP_ECN_DEMAND_CWR, RFC 3168 §6.1.3). */
  demandCwr = false;
  /** The window was reduced: the next new data segment carries CWR (TCP_ECN_QUEUE_CWR, RFC 3168 §6.1.2). */
  private queueCwr = false;
  /** An ECT or CE data segment arrived (TCP_ECN_SEEN: `ss` shows "ecnseen"). */
  seen = false;
  /** While SND.UNA has not passed this, an ECE changes nothing (one reduction per window; Linux's CWR state, high_seq). */
  private reducedUntil: number | undefined;

  /** TCP flags our first SYN carries: ECE+CWR asks for ECN (RFC 3168 §6.1.1), only with mode 'on'. */
  synFlags(mode: EcnMode, retransmission: boolean): number {
    if (mode !== 'on') return 0;
    // As Linux (tcp_ecn_clear_syn with tcp_ecn_fallback = 1): a retransmitted SYN does not ask, in case
    // a middlebox drops ECN-setup SYNs (RFC 3168 §6.1.1.1). A SYN-ACK with ECE still turns ECN on.
    if (retransmission) return 0;
    this.ok = true; // tentatively, as Linux: onSynAck confirms or clears it
    return ECE | CWR;
  }

  /**
   * A SYN-ACK arrived in SYN_SENT. ECN is on only when it has ECE and not CWR:
   * a SYN-ACK with both is a reflected ECN-setup SYN from a broken peer
   * (RFC 3168 §6.1.1; Linux tcp_ecn_rcv_synack).
   */
  onSynAck(flags: number): void {
    if (this.ok && (!(flags & ECE) || flags & CWR)) this.ok = false;
  }

  /**
   * A SYN in SYN_SENT (simultaneous open): ECN stays on only if it asked too
   * (ECE and CWR, Linux tcp_ecn_rcv_syn).
   */
  onSimultaneousSyn(flags: number): void {
    if (this.ok && (!(flags & ECE) || !(flags & CWR))) this.ok = false;
  }

  /**
   * A listener's SYN (Linux tcp_ecn_create_request): ECN is accepted when the
   * SYN asks with both ECE and CWR (a SYN with ECE alone does not, RFC 3168
   * §6.1.1), the SYN itself is Not-ECT (an ECT SYN hints at a broken path or
   * peer), and the mode is not 'off'.
   */
  onSyn(mode: EcnMode, flags: number, ipEcn: number | undefined): void {
    this.ok = mode !== 'off' && (flags & (ECE | CWR)) === (ECE | CWR) && (ipEcn ?? IP_NOT_ECT) === IP_NOT_ECT;
  }

  /** Flags for our SYN-ACK: ECE when ECN was accepted (never CWR, RFC 3168 §6.1.1; Linux tcp_ecn_make_synack). */
  synAckFlags(): number {
    return this.ok ? ECE : 0;
  }

  /**
   * The peer's segment reaches the receive path with `payload` octets and IP
   * codepoint `ipEcn` (RFC 3168 §6.1.3; Linux tcp_ecn_accept_cwr, then
   * tcp_ecn_check_ce). CWR clears the ECE latch (before this segment's own
   * CE can set it again). Returns true when the ACK must not be delayed: the
   * first CE (the sender may have a tiny window), a CWR on data, or a
   * Not-ECT data segment after ECT ones (probably a retransmission), as
   * Linux enters quick-ACK mode for each.
   */
  onData(flags: number, payload: number, ipEcn: number | undefined): boolean {
    if (!this.ok || payload === 0) return false;
    let ackNow = false;
    if (flags & CWR) {
      this.demandCwr = false;
      ackNow = true;
    }
    const cp = ipEcn ?? IP_NOT_ECT;
    if (cp === IP_NOT_ECT) return ackNow || this.seen;
    if (cp === IP_CE && !this.demandCwr) {
      this.demandCwr = true;
      ackNow = true;
    }
    this.seen = true;
    return ackNow;
  }

  /** ECE on our outgoing (non-SYN) segments while the latch is set (Linux tcp_ecn_send). */
  ackFlags(): number {
    return this.ok && this.demandCwr ? ECE : 0;
  }

  /** True when an ACK with these flags is an ECN-Echo to act on (never a SYN's ECE, RFC 3168 §6.1.1; Linux tcp_ecn_rcv_ecn_echo). */
  isEcho(flags: number): boolean {
    return this.ok && (flags & ECE) !== 0 && !(flags & SYN);
  }

  /** An ECN-Echo may reduce cwnd now: not again before SND.UNA has passed the data in flight at the last reduction. */
  mayReduce(sndUna: number): boolean {
    return this.reducedUntil === undefined || seqGt(sndUna, this.reducedUntil);
  }

  /** Inside a window whose cwnd was already cut for ECE (no growth then, no second cut for a loss, as Linux's CWR state). */
  reducing(sndUna: number): boolean {
    return this.reducedUntil !== undefined && !seqGt(sndUna, this.reducedUntil);
  }

  /** cwnd was cut for an ECN-Echo with SND.NXT at `sndNxt`: CWR goes on the next new data. */
  reduced(sndNxt: number): void {
    this.reducedUntil = sndNxt;
    this.cwrAfterReduction();
  }

  /** Loss recovery took over the window (it ends Linux's CWR state). */
  endReduction(): void {
    this.reducedUntil = undefined;
  }

  /** Any window reduction (ECE, fast retransmit, RTO) is announced with CWR when ECN is on (RFC 3168 §6.1.2). */
  cwrAfterReduction(): void {
    if (this.ok) this.queueCwr = true;
  }

  /**
   * What a segment we send carries: the IP codepoint (ECT(0) only on new data,
   * never on a retransmission or a window probe, RFC 3168 §6.1.5/§6.1.6) and
   * the CWR flag the first such segment after a reduction takes (Linux tcp_ecn_send).
   * `newData`: payload never sent before, not a zero-window probe.
   */
  dataCodepoint(newData: boolean): number {
    return this.ok && newData ? IP_ECT0 : IP_NOT_ECT;
  }

  /** CWR for a new data segment (consumed), else 0. */
  takeCwr(newData: boolean): number {
    if (!this.ok || !newData || !this.queueCwr) return 0;
    this.queueCwr = false;
    return CWR;
  }
}
