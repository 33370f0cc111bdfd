import type { CongestionControl } from './congestion.js';

/** RFC 9438 §5 constants. */
const C = 0.4;
const BETA = 0.7;
/** α_cubic = 3(1 − β)/(1 + β), the Reno-friendly additive increase (RFC 9438 §4.3). */
const ALPHA = (3 * (1 - BETA)) / (1 + BETA);

/**
 * CUBIC (RFC 9438). Windows are tracked in segments internally, as the RFC
 * writes them, and exposed in bytes. Time is the caller's clock in ms.
 *
 *   W_cubic(t) = C·(t − K)³ + W_max,   K = ∛((W_max − cwnd_epoch)/C)   (§4.2)
 *
 * Below W_max the curve is concave (fast, then flattening towards W_max),
 * above it convex (slow, then accelerating): the "plateau" around W_max.
 */
export class Cubic implements CongestionControl {
  readonly name: string = 'cubic';
  ssthresh = Number.MAX_SAFE_INTEGER;
  private mss: number;
  private w: number; // cwnd, segments (fractional)
  private wMax: number | undefined; // W_max, segments (§4.6); undefined before the first congestion event
  private cwndPrior: number | undefined; // cwnd before the last reduction, segments (§4.3)
  private epochStart: number | undefined; // start of the current congestion avoidance stage, ms
  private k = 0; // seconds
  private wEst = 0; // Reno-friendly estimate, segments (§4.3)
  private wMaxBefore: number | undefined; // W_max before the last reduction, for undo (§4.9)

  constructor(
    mss: number,
    private readonly initialSegments = 10,
  ) {
    this.mss = mss;
    this.w = initialSegments;
  }

  get cwnd(): number {
    return Math.floor(this.w * this.mss);
  }

  /** W_max in segments (for tests and `ss`). */
  get wmax(): number | undefined {
    return this.wMax;
  }

  /** K in seconds for the current epoch. */
  get kSeconds(): number {
    return this.k;
  }

  setMss(mss: number): void {
    this.mss = mss; // windows are in segments: nothing to rescale
  }

  onAck(acked: number, now: number, srtt?: number): void {
    const segs = acked / this.mss;
    if (this.cwnd < this.ssthresh) {
      this.w += Math.min(segs, 2); // slow start, RFC 3465 L = 2·SMSS (RFC 9438 §4.10)
      return;
    }
    if (this.epochStart === undefined) this.startEpoch(now);
    const t = (now - this.epochStart!) / 1000;
    const rtt = (srtt ?? 0) / 1000;
    // Reno-friendly region (§4.3): W_est grows like Reno with α_cubic until it reaches cwnd_prior.
    const alpha = this.cwndPrior !== undefined && this.wEst < this.cwndPrior ? ALPHA : 1;
    this.wEst += (alpha * segs) / this.w;
    if (this.wCubic(t) < this.wEst) {
      this.w = Math.max(this.w, this.wEst);
      return;
    }
    // Concave and convex regions (§4.4, §4.5): aim at W_cubic one RTT ahead, clamped to [cwnd, 1.5·cwnd].
    let target = this.wCubic(t + rtt);
    if (target < this.w) target = this.w;
    else if (target > 1.5 * this.w) target = 1.5 * this.w;
    this.w += ((target - this.w) / this.w) * segs;
  }

  /** W_cubic(t), segments (§4.2, Figure 1). */
  wCubic(t: number): number {
    const d = t - this.k;
    return C * d * d * d + (this.wMax ?? this.w);
  }

  private startEpoch(now: number): void {
    this.epochStart = now;
    const cwndEpoch = this.w;
    if (this.wMax === undefined || this.wMax <= cwndEpoch) {
      this.wMax = cwndEpoch; // §4.8 after a timeout / slow start without loss: K = 0, W_max = cwnd at the start
      this.k = 0;
    } else {
      this.k = Math.cbrt((this.wMax - cwndEpoch) / C);
    }
    this.wEst = cwndEpoch;
  }

  /** Multiplicative decrease (§4.6) with fast convergence (§4.7). */
  private reduce(inFlight: number): void {
    const cur = this.w;
    this.wMaxBefore = this.wMax;
    this.wMax = this.wMax !== undefined && cur < this.wMax ? (cur * (1 + BETA)) / 2 : cur;
    this.cwndPrior = cur;
    this.ssthresh = Math.max(Math.floor(inFlight * BETA), 2 * this.mss);
    this.epochStart = undefined;
  }

  onLoss(inFlight: number, _now?: number): void {
    this.reduce(inFlight);
    this.w = this.ssthresh / this.mss;
  }

  onRto(inFlight: number, _now?: number): void {
    this.reduce(inFlight);
    this.wMax = undefined; // §4.8: the first CA stage after a timeout starts with K = 0, W_max = cwnd at its start
    this.w = 1; // RFC 5681 loss window
  }

  onRecoveryEnd(_now?: number): void {
    this.w = this.ssthresh / this.mss;
  }

  /** RFC 9438 §4.9: a spurious congestion event is taken back — cwnd, ssthresh and W_max as before it; a new epoch starts. */
  undo(prior: { cwnd: number; ssthresh: number }): void {
    this.w = Math.max(this.w, prior.cwnd / this.mss); // Linux: cubic uses tcp_reno_undo_cwnd
    this.ssthresh = Math.max(this.ssthresh, prior.ssthresh);
    this.wMax = this.wMaxBefore;
    this.epochStart = undefined;
  }

  onIdleRestart(_now?: number): void {
    this.w = Math.min(this.w, this.initialSegments); // RFC 5681 §4.1
    this.epochStart = undefined;
  }
}
