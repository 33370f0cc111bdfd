import type { ConnCounter } from './events.js';
import { seqGe } from './seq.js';

/** RFC 9406 §4.3 constants. */
export const N_RTT_SAMPLE = 8;
export const MIN_RTT_THRESH = 4; // ms
export const MAX_RTT_THRESH = 16; // ms
export const MIN_RTT_DIVISOR = 8;
export const CSS_GROWTH_DIVISOR = 4;
export const CSS_ROUNDS = 5;

/** What one ACK tells HyStart++: where the cumulative ACK and SND.NXT stand, and the RTT sample it gave (ms), if any. */
export interface AckSample {
  ack: number;
  sndNxt: number;
  rtt: number | undefined;
}

export type HyStartPhase = 'slow-start' | 'css' | 'done';

/**
 * HyStart++ (RFC 9406): leave slow start before the queue it builds
 * overflows. Per round trip (a round ends when SND.NXT at its start is
 * acknowledged) the least of the first N_RTT_SAMPLE RTT samples is compared
 * with the last round's; a rise of RttThresh = clamp(lastRoundMinRTT/8, 4 ms,
 * 16 ms) means a queue is growing, and slow start gives way to Conservative
 * Slow Start (CSS): growth divided by CSS_GROWTH_DIVISOR for CSS_ROUNDS
 * rounds, then congestion avoidance with ssthresh = cwnd. Should the RTT fall
 * back below the baseline during CSS, the rise was noise and slow start
 * resumes (§4.2). Used only in the initial slow start (ssthresh still
 * unset), as §4.3 recommends: later slow starts stop at the ssthresh a
 * congestion event left. The growth per ACK keeps the controllers' RFC 3465
 * limit L = 2·SMSS (RFC 9406 allows L = 8 for an unpaced sender).
 *
 * synack does not pace: slow start goes out in bursts at twice the
 * bottleneck rate, a queue builds and drains within each round while cwnd is
 * below the path's BDP, and the round minimum follows the drained part; so
 * on a shallow queue (≤ ½ BDP) the rise is seen too late to save the round
 * that overflows it (bench/slow-start.ts measures it).
 *
 * Linux's cubic does not implement RFC 9406 but its own HyStart
 * (tcp_cubic.c, hystart_detect = 3): ACK-train detection (the ACKs of a
 * round keep coming for longer than minRTT/2) and delay detection (the least
 * of the first 8 samples of a round above the connection's *overall* min RTT
 * plus clamp(minRTT/8, 4 ms, 16 ms) — the RFC's thresholds come from it);
 * either sets ssthresh = cwnd at once, with no CSS and no way back, and it
 * runs in every slow start once cwnd ≥ 16. Here the delay rule is the
 * RFC's, and its detection is counted as Linux counts its delay detection
 * (TCPHystartDelayDetect); there is no ACK-train rule, so TCPHystartTrainDetect
 * never counts.
 */
export class HyStartPlusPlus {
  phase: HyStartPhase = 'slow-start';
  private windowEnd: number | undefined; // SND.NXT when the current round began
  private lastRoundMinRtt = Infinity;
  private currentRoundMinRtt = Infinity;
  private rttSampleCount = 0;
  private cssBaselineMinRtt = Infinity;
  private cssRounds = 0;

  constructor(private readonly count?: (c: ConnCounter) => void) {}

  /** Growth in CSS is this fraction of slow start's (1 in slow start). */
  get growthDivisor(): number {
    return this.phase === 'css' ? CSS_GROWTH_DIVISOR : 1;
  }

  /**
   * One ACK during the initial slow start (or CSS), before cwnd grows.
   * Returns true when CSS has run its CSS_ROUNDS rounds: the caller enters
   * congestion avoidance with ssthresh = cwnd.
   */
  onAck(s: AckSample): boolean {
    if (this.phase === 'done') return false;
    if (this.windowEnd === undefined || seqGe(s.ack, this.windowEnd)) {
      // A new round (§4.2): the last one's minimum becomes the reference.
      this.windowEnd = s.sndNxt;
      this.lastRoundMinRtt = this.currentRoundMinRtt;
      this.currentRoundMinRtt = Infinity;
      this.rttSampleCount = 0;
      if (this.phase === 'css' && ++this.cssRounds >= CSS_ROUNDS) {
        this.phase = 'done';
        return true;
      }
    }
    if (s.rtt === undefined) return false;
    if (s.rtt < this.currentRoundMinRtt) this.currentRoundMinRtt = s.rtt;
    this.rttSampleCount++;
    if (this.rttSampleCount < N_RTT_SAMPLE) return false;
    if (this.phase === 'slow-start') {
      if (this.lastRoundMinRtt === Infinity || this.currentRoundMinRtt === Infinity) return false;
      const thresh = Math.max(MIN_RTT_THRESH, Math.min(this.lastRoundMinRtt / MIN_RTT_DIVISOR, MAX_RTT_THRESH));
      if (this.currentRoundMinRtt >= this.lastRoundMinRtt + thresh) {
        this.cssBaselineMinRtt = this.currentRoundMinRtt;
        this.phase = 'css';
        this.cssRounds = 0;
        this.count?.('TCPHystartDelayDetect');
      }
    } else if (this.currentRoundMinRtt < this.cssBaselineMinRtt) {
      // The RTT came back down: the exit was spurious, slow start resumes (§4.2).
      this.cssBaselineMinRtt = Infinity;
      this.phase = 'slow-start';
    }
    return false;
  }

  /** A congestion event (loss, RTO, ECN) ended the initial slow start: HyStart++ has no more to do. */
  onCongestion(): void {
    this.phase = 'done';
  }
}
