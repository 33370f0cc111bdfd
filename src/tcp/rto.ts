/**
 * Retransmission timeout per RFC 6298: SRTT/RTTVAR smoothing (§2.2–2.3),
 * bounds (§2.4–2.5, with Linux's 200 ms floor by default), exponential
 * backoff on expiry (§5.5). Karn's rule (§3) is the caller's: only sample
 * segments that were not retransmitted, or use timestamps (RFC 7323 §4).
 */
import { shown, UNSET } from './unset.js';

/** Clock granularity G (§2.2–2.3), ms: the connection's clock counts milliseconds. */
const G = 1;

/**
 * The RFC 6298 state and rules over bounds the subclass gives (`rtoMin`, `rtoMax`). A connection's Sender
 * is one (sender.ts), with the bounds read from its configuration: the four fields sit in the Sender, one
 * object header and a pointer less per connection than an estimator of its own (as TcpVars holds the Timers).
 */
export abstract class RetransmissionTimeout {
  /**
   * SRTT (ms), UNSET before the first sample: a number field, shown by `srtt` as undefined then (unset.ts: no heap
   * number per sample, issue 11).
   */
  private smoothed = UNSET;
  rttvar = 0;
  private base = 0; // a number from the start (set in the constructor): a double field V8 updates in place
  private shift = 0;

  /** The lower and upper bound of the RTO (§2.4–2.5), ms. */
  protected abstract get rtoMin(): number;
  protected abstract get rtoMax(): number;

  constructor(initial: number /* only the first RTO: not kept */) {
    this.base = initial;
  }

  /** The smoothed RTT (ms); undefined before the first sample. */
  get srtt(): number | undefined {
    return shown(this.smoothed);
  }

  /** Feed one round-trip measurement (ms). */
  sample(rtt: number): void {
    if (!(rtt >= 0)) return;
    if (Number.isNaN(this.smoothed)) {
      this.smoothed = rtt; // §2.2
      this.rttvar = rtt / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.smoothed - rtt); // §2.3, beta = 1/4
      this.smoothed = 0.875 * this.smoothed + 0.125 * rtt; // alpha = 1/8
    }
    this.base = this.smoothed + Math.max(G, 4 * this.rttvar);
    this.shift = 0; // a new sample after backoff restores the computed RTO (§5.7 note)
  }

  /** The timeout to arm now, with backoff and bounds applied. */
  get rto(): number {
    const max = this.rtoMax;
    const bounded = Math.min(max, Math.max(this.rtoMin, this.base));
    return Math.min(max, bounded * 2 ** this.shift);
  }

  /** §5.5: double the RTO after an expiry. */
  backoff(): void {
    if (this.rto < this.rtoMax) this.shift++;
  }

  resetBackoff(): void {
    this.shift = 0;
  }

  get backoffCount(): number {
    return this.shift;
  }

  /** §5.7: after a SYN timeout, the data RTO starts at 3 s if no sample arrived. */
  fallbackAfterSynLoss(): void {
    if (Number.isNaN(this.smoothed)) this.base = Math.max(this.base, 3000);
  }
}

/** An RTO estimator on its own, with fixed bounds. */
export class RtoEstimator extends RetransmissionTimeout {
  constructor(
    initial: number,
    private readonly min: number,
    private readonly max: number,
  ) {
    super(initial);
  }

  protected get rtoMin(): number {
    return this.min;
  }

  protected get rtoMax(): number {
    return this.max;
  }
}
