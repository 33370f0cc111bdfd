/**
 * Proportional Rate Reduction (RFC 9937, which obsoletes the experimental
 * RFC 6937), as Linux's tcp_cwnd_reduction: how much may be sent on each
 * ACK of a fast recovery, so that the data in flight falls smoothly from
 * where it was to ssthresh — no half-RTT silence (RFC 6675 waits until pipe
 * drops below the halved cwnd) and no burst when recovery ends.
 *
 *   - While pipe > ssthresh, the proportional part: for every DeliveredData
 *     the peer reports, send ssthresh/RecoverFS of it.
 *   - Once pipe ≤ ssthresh (heavy loss took more than the reduction), the
 *     reduction bound: send what was delivered (PRR-CRB, packet
 *     conservation), plus one SMSS on an ACK that advanced SND.UNA without
 *     showing a new loss (PRR-SSRB, a slow start back up to ssthresh), never
 *     past ssthresh.
 *
 * The connection feeds it one `onAck` per ACK during recovery (the ACK that
 * starts it too) and one `onSend` per transmission; it sets cwnd = pipe +
 * sndcnt, and at recovery's end cwnd = ssthresh (the controller's
 * onRecoveryEnd). Sizes are bytes. Linux counts packets; so that a fraction
 * of a segment never holds a segment back, the proportional share is rounded
 * up to whole segments of `mss`, which is Linux's arithmetic for full-sized
 * segments.
 */
export class ProportionalRateReduction {
  /** Data the peer reported delivered since recovery began (prr_delivered), bytes. */
  delivered = 0;
  /** Data sent since recovery began, retransmissions included (prr_out), bytes. */
  out = 0;
  /** The flight the reduction is spread over (RecoverFS), bytes. */
  recoverFs = 0;
  /** The target the flight is reduced to, bytes. */
  ssthresh = 0;
  /** The window PRR allows until the next ACK: pipe + sndcnt, bytes. */
  cwnd = 0;
  /** Between `start` and `end`. */
  active = false;
  private mss = 1;

  /**
   * Recovery starts. RFC 9937 takes RecoverFS as the data whose delivery
   * recovery can still see: the flight (SND.NXT − SND.UNA after this ACK)
   * less what was SACKed before this ACK, plus what this ACK acknowledged
   * cumulatively (this ACK's delivery is counted by the first `onAck`).
   * Linux uses the cwnd at entry (prior_cwnd) instead; the two agree on a
   * cwnd-limited flight.
   */
  start(a: { flight: number; sackedEarlier: number; cumAcked: number; pipe: number; ssthresh: number; mss: number }): void {
    this.active = true;
    this.delivered = 0;
    this.out = 0;
    this.mss = Math.max(1, a.mss);
    this.ssthresh = a.ssthresh;
    this.recoverFs = Math.max(this.mss, a.flight - a.sackedEarlier + a.cumAcked);
    this.cwnd = a.pipe; // until an ACK reports a delivery, the flight stays where it is
  }

  /**
   * One ACK during recovery. `delivered` is DeliveredData: the advance of
   * SND.UNA plus the change in SACKed bytes (RFC 9937); `pipe` the RFC 6675
   * estimate after the ACK; `safe` says SND.UNA advanced and no new loss was
   * marked (RFC 9937 safeACK, Linux FLAG_SND_UNA_ADVANCED && !newly_lost).
   * An ACK that delivered nothing changes nothing.
   */
  onAck(delivered: number, pipe: number, safe: boolean): void {
    if (!this.active || delivered <= 0) return;
    this.delivered += delivered;
    let sndcnt: number;
    if (pipe > this.ssthresh) {
      // Proportional part: ⌈prr_delivered · ssthresh / RecoverFS⌉ − prr_out, in whole segments.
      const share = Math.ceil((this.delivered * this.ssthresh) / this.recoverFs / this.mss) * this.mss;
      sndcnt = share - this.out;
    } else {
      // Reduction bound: CRB, and SSRB's extra segment on a safe ACK.
      sndcnt = Math.max(this.delivered - this.out, delivered);
      if (safe) sndcnt += this.mss;
      sndcnt = Math.min(this.ssthresh - pipe, sndcnt);
    }
    sndcnt = Math.max(0, sndcnt);
    if (this.out === 0 && sndcnt === 0) sndcnt = this.mss; // the fast retransmit goes whatever the share says
    this.cwnd = pipe + sndcnt;
  }

  /** `bytes` went out (new data or a retransmission) during recovery. */
  onSend(bytes: number): void {
    if (this.active) this.out += bytes;
  }

  /** Recovery is over (full ACK, RTO, or undone): cwnd is the controller's again. */
  end(): void {
    this.active = false;
  }
}
