import type { CaState } from './info.js';
import type { NO_RETRANSMISSION, SendResult } from './send-result.js';
import type { Sender } from './sender.js';

/**
 * What the sender asks of loss recovery (recovery.ts), and nothing more: the
 * one interface between the two halves, as gVisor's sender calls its
 * `recovery`. Everything else they share goes through TcpVars.
 */
export interface LossRecovery {
  /** The congestion-avoidance state (Linux ca_state). */
  readonly caState: CaState;
  /**
   * The retransmission to send next, if recovery has one (RFC 6675 NextSeg() during SACK recovery,
   * go-back-N after an RTO); NO_RETRANSMISSION when new data may go under the plain cwnd rule.
   */
  sendRetransmission(room: number, cwnd: number, forced: boolean): SendResult | typeof NO_RETRANSMISSION;
  /** Octets in flight as the cwnd rule for new data counts them outside SACK recovery. */
  newDataPipe(): number;
  /** cwnd during fast recovery (PRR, RFC 9937), or undefined when the controller's applies. */
  recoveryCwnd(): number | undefined;
  /** NewReno recovery after its first partial ACK keeps the retransmission timer running (RFC 6582 §3.2 step 5, "impatient"). */
  holdsRtxTimer(): boolean;
  /** SND.UNA advanced to `ack`. */
  onUnaAdvance(ack: number): void;
  /** SND.NXT moves from `from` to `to` with new data or an ACK beyond it: the go-back-N pointer keeps pace. */
  onSndNxtAdvance(from: number, to: number): void;
  /** A retransmission went out; SND.NXT is `sndNxt` and its TSval `tsval`. */
  onRetransmitted(sndNxt: number, tsval: number): void;
  /** `len` octets of data are about to go out (PRR counts them during fast recovery). */
  onSending(len: number): void;
  /** [seq, end) went out (new or again), ending with the FIN if `fin`. */
  onSent(seq: number, end: number, fin: boolean): void;
  /** (Re)start the tail-loss probe timer if it applies (RFC 8985 §7.2). */
  armProbe(): void;
  /** SND.NXT went back to SND.UNA (a zero window refused the data). */
  onRewind(una: number): void;
}

/** What loss recovery asks of the sender: these members only. */
export type RecoverySender = Pick<
  Sender,
  | 'ackAdvance'
  | 'afterWindowUpdate'
  | 'armRtx'
  | 'cc'
  | 'dataUpTo'
  | 'dropPlainPmtu'
  | 'ecn'
  | 'emit'
  | 'growCwnd'
  | 'minRtt'
  | 'mtuProbe'
  | 'makeRack'
  | 'output'
  | 'pmtu'
  | 'rack'
  | 'rackIfKept'
  | 'rtt'
  | 'rttSample'
  | 'rttSeq'
  | 'rttStart'
  | 'segmentRoom'
  | 'sendBuf'
  | 'sendNew'
  | 'takeAckBeyondSndNxt'
  | 'totalRetrans'
  | 'updateWindow'
>;
