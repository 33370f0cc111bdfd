/**
 * Congestion control behind one small interface, so NewReno (RFC 5681,
 * RFC 6582) and CUBIC (RFC 9438) can be swapped. All sizes are in bytes.
 *
 * The controller owns cwnd and ssthresh only. Loss recovery (fast
 * retransmit, NewReno's window inflation, the RFC 6675 pipe) lives in the
 * Connection: during recovery the Connection does not call `onAck`.
 */
import type { CongestionControlName } from './config.js';
import { Cubic } from './cubic.js';
import { NewReno } from './newreno.js';
import type { ConnCounter } from './events.js';
import { HyStartPlusPlus, type AckSample } from './hystart.js';

export interface CongestionControl {
  readonly name: string;
  /** Congestion window, bytes. */
  readonly cwnd: number;
  /** Slow-start threshold, bytes. */
  readonly ssthresh: number;
  /**
   * `acked` bytes were newly acknowledged at `now` (ms), outside loss recovery; `srtt` is the smoothed RTT in ms, if known;
   * `sample` what HyStart++ needs of this ACK (round and RTT sample).
   */
  onAck(acked: number, now: number, srtt?: number, sample?: AckSample): void;
  /** The retransmission timer expired with `inFlight` bytes outstanding (RFC 5681 §3.1 eq. 4). */
  onRto(inFlight: number, now: number): void;
  /** Loss detected by duplicate ACKs or SACK (RFC 5681 §3.2 step 2): ssthresh and cwnd go down once per recovery. */
  onLoss(inFlight: number, now: number): void;
  /** Recovery ended (RFC 6582 §3.2 step 3 "full ACK", RFC 6675 §5). */
  onRecoveryEnd(now: number): void;
  /**
   * The last reduction (onLoss/onRto) proved spurious (undo.ts): cwnd and ssthresh go back up to at
   * least `prior`, their values before it (Linux tcp_undo_cwnd_reduction; RFC 4015 §3).
   */
  undo(prior: { cwnd: number; ssthresh: number }): void;
  /** The sender was idle longer than an RTO (RFC 5681 §4.1). */
  onIdleRestart(now: number): void;
  /** The MSS changed (after the handshake). */
  setMss(mss: number): void;
}

export { NewReno } from './newreno.js';
export { Cubic } from './cubic.js';

/** The controller `name` selects (TcpConfig.congestionControl), with HyStart++ (TcpConfig.hystart) counting into `count`. */
export function createCongestionControl(
  name: CongestionControlName,
  mss: number,
  initialSegments: number,
  opts: { hystart?: boolean; count?: (c: ConnCounter) => void } = {},
): CongestionControl {
  const hs = opts.hystart ? new HyStartPlusPlus(opts.count) : undefined;
  return name === 'newreno' ? new NewReno(mss, initialSegments, hs) : new Cubic(mss, initialSegments, hs);
}

function notMadeYet(): never {
  throw new Error('the congestion controller is made on first use (sender.ts): this stand-in only takes the MSS');
}

/**
 * What the handshake's MSS negotiation (handshake.ts syncMss) is handed while a connection has not made
 * its controller yet (an idle connection has none, sender.ts): it takes the MSS and forgets it, as the
 * controller, when made, starts from the connection's MSS of that moment. Nothing else is ever asked of it.
 */
export const CONTROLLER_NOT_MADE: CongestionControl = {
  name: '',
  cwnd: 0,
  ssthresh: 0,
  onAck: notMadeYet,
  onRto: notMadeYet,
  onLoss: notMadeYet,
  onRecoveryEnd: notMadeYet,
  undo: notMadeYet,
  onIdleRestart: notMadeYet,
  setMss(): void {},
};

/** Slow start with appropriate byte counting, L = 2·SMSS (RFC 3465 §2.3, RFC 5681 §3.1). */
export function slowStartIncrease(acked: number, mss: number): number {
  return Math.min(acked, 2 * mss);
}
