/**
 * Congestion control behind one small interface, so NewReno (RFC 5681,
 * RFC 6582) and CUBIC (RFC 9438) can be swapped. All sizes are in bytes.
 */
export interface CongestionControl {
  readonly name: string;
  /** Congestion window, bytes. */
  readonly cwnd: number;
  /** Slow-start threshold, bytes. */
  readonly ssthresh: number;
  /** `acked` bytes were newly acknowledged at `now`. */
  onAck(acked: number, now: number): void;
  /** The retransmission timer expired with `inFlight` bytes outstanding (RFC 5681 §3.1 eq. 4). */
  onRto(inFlight: number, now: number): void;
  /** Loss detected by duplicate ACKs or SACK (RFC 5681 §3.2 step 2). */
  onLoss(inFlight: number, now: number): void;
  /** Recovery ended (RFC 6582 §3.2 step 3 "full ACK"). */
  onRecoveryEnd(now: number): void;
  /** The sender was idle longer than an RTO (RFC 5681 §4.1). */
  onIdleRestart(now: number): void;
  /** The MSS changed (after the handshake). */
  setMss(mss: number): void;
}

/** NewReno: slow start, congestion avoidance by appropriate byte counting (RFC 3465 L=2). */
export class NewReno implements CongestionControl {
  readonly name = 'newreno';
  cwnd: number;
  ssthresh = Number.MAX_SAFE_INTEGER;
  private mss: number;
  private caAcc = 0;

  constructor(
    mss: number,
    private readonly initialSegments = 10,
  ) {
    this.mss = mss;
    this.cwnd = this.initialWindow();
  }

  private initialWindow(): number {
    return this.initialSegments * this.mss; // RFC 6928
  }

  setMss(mss: number): void {
    const segs = this.cwnd / this.mss;
    this.mss = mss;
    this.cwnd = Math.max(mss, Math.round(segs * mss));
  }

  onAck(acked: number): void {
    if (this.cwnd < this.ssthresh) {
      this.cwnd += Math.min(acked, 2 * this.mss); // slow start, RFC 3465 limit L = 2*SMSS
      return;
    }
    this.caAcc += acked; // congestion avoidance: +1 MSS per cwnd of data acked
    if (this.caAcc >= this.cwnd) {
      this.caAcc -= this.cwnd;
      this.cwnd += this.mss;
    }
  }

  onRto(inFlight: number): void {
    this.ssthresh = Math.max(Math.floor(inFlight / 2), 2 * this.mss);
    this.cwnd = this.mss; // loss window, RFC 5681 §3.1
    this.caAcc = 0;
  }

  onLoss(inFlight: number): void {
    this.ssthresh = Math.max(Math.floor(inFlight / 2), 2 * this.mss);
    this.cwnd = this.ssthresh;
    this.caAcc = 0;
  }

  onRecoveryEnd(): void {
    this.cwnd = this.ssthresh;
  }

  onIdleRestart(): void {
    this.cwnd = Math.min(this.cwnd, this.initialWindow());
  }
}
