import type { CongestionControl } from './congestion.js';

/**
 * NewReno's window arithmetic (RFC 5681 §3.1): slow start with appropriate
 * byte counting (RFC 3465, L = 2·SMSS), congestion avoidance of one SMSS per
 * cwnd of data acknowledged, ssthresh = max(FlightSize/2, 2·SMSS) on loss.
 * Fast recovery's window inflation (RFC 6582 §3.2) is the Connection's.
 */
export class NewReno implements CongestionControl {
  readonly name: string = 'newreno';
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
    return this.initialSegments * this.mss; // RFC 6928 (Linux: 10 segments)
  }

  setMss(mss: number): void {
    const segs = this.cwnd / this.mss;
    this.mss = mss;
    this.cwnd = Math.max(mss, Math.round(segs * mss));
  }

  onAck(acked: number, _now?: number, _srtt?: number): void {
    if (this.cwnd < this.ssthresh) {
      this.cwnd += Math.min(acked, 2 * this.mss); // slow start, RFC 3465 limit L = 2*SMSS
      return;
    }
    this.caAcc += acked; // congestion avoidance: +1 MSS per cwnd of data acked (RFC 5681 §3.1, eq. 3 by bytes)
    if (this.caAcc >= this.cwnd) {
      this.caAcc -= this.cwnd;
      this.cwnd += this.mss;
    }
  }

  onRto(inFlight: number, _now?: number): void {
    this.ssthresh = Math.max(Math.floor(inFlight / 2), 2 * this.mss); // RFC 5681 eq. 4
    this.cwnd = this.mss; // loss window, RFC 5681 §3.1
    this.caAcc = 0;
  }

  onLoss(inFlight: number, _now?: number): void {
    this.ssthresh = Math.max(Math.floor(inFlight / 2), 2 * this.mss);
    this.cwnd = this.ssthresh;
    this.caAcc = 0;
  }

  onRecoveryEnd(_now?: number): void {
    this.cwnd = this.ssthresh; // RFC 6582 §3.2 step 3 (deflate)
  }

  undo(prior: { cwnd: number; ssthresh: number }): void {
    this.cwnd = Math.max(this.cwnd, prior.cwnd); // Linux tcp_reno_undo_cwnd
    this.ssthresh = Math.max(this.ssthresh, prior.ssthresh);
    this.caAcc = 0;
  }

  onIdleRestart(_now?: number): void {
    this.cwnd = Math.min(this.cwnd, this.initialWindow()); // RFC 5681 §4.1: RW = min(IW, cwnd)
  }
}
