import type { TcpState } from './state.js';
import type { OutSegment } from './segment.js';
import type { DsackSentCounter } from './dsack.js';
import type { DsackRecvCounter, UndoCounter } from './undo.js';

/** Errors a connection reports to its application, named as POSIX/Node name them. */
/** ECONNABORTED is never raised by a Connection: the stack reports it when it aborts one whose code threw (R10). */
/** EHOSTUNREACH, ENETUNREACH and ENOPROTOOPT come from ICMP errors (icmp-error.ts), at once in SYN_SENT, else on timeout. */
export type TcpErrorCode = 'ECONNREFUSED' | 'ECONNRESET' | 'ETIMEDOUT' | 'EPIPE' | 'ECONNABORTED' | 'EHOSTUNREACH' | 'ENETUNREACH' | 'ENOPROTOOPT';

export type ConnEvent =
  /** The TCB moved between two of the 11 states. */
  | { type: 'state'; from: TcpState; to: TcpState }
  /** In-order data is waiting in the receive queue: call `read()`. */
  | { type: 'readable' }
  /** The peer's FIN was received in order: no more data will arrive. */
  | { type: 'eof' }
  /** Send-buffer space became free after `send()` had accepted less than offered. */
  | { type: 'writable' }
  | { type: 'error'; code: TcpErrorCode; message: string }
  /** The TCB is gone; the owner should forget the connection. Always the last event. */
  | { type: 'closed' };

/**
 * Things a connection counts for the stack's MIB, named as Linux's TcpExt
 * counters (nstat TcpExt…): see src/stack/stats.ts for what each means.
 */
export type ConnCounter =
  | 'TCPTimeouts'
  | 'TCPSackRecovery'
  | 'TCPRenoRecovery'
  | 'TCPFastRetrans'
  | 'TCPSACKReorder'
  | 'TCPSACKReneging'
  | 'TCPLostRetransmit'
  | 'TCPLossProbes'
  | 'TCPHystartDelayDetect'
  | 'TCPAbortOnData'
  | 'TCPAbortOnClose'
  | 'TCPAbortOnTimeout'
  | 'TCPChallengeACK'
  | 'PAWSEstab'
  | 'TCPOFOQueue'
  | 'TCPOFODrop'
  | 'TCPZeroWindowDrop'
  | 'TCPSpuriousRTOs'
  | DsackSentCounter
  | DsackRecvCounter
  | UndoCounter
  | 'TCPMTUPFail'
  | 'TCPMTUPSuccess'
  | 'TCPDeliveredCE';

/** Where a Connection puts its output. The calls are synchronous and must not re-enter the Connection. */
export interface ConnectionSink {
  /** `seg`, its options and its payload view are valid only during the call (out-segment.ts reuses them): keep `copyOutSegment(seg)`. */
  transmit(seg: OutSegment): void;
  event(ev: ConnEvent): void;
  /** Count a MIB event, `n` times (default 1; optional: a sink without it counts nothing). */
  count?(counter: ConnCounter, n?: number): void;
}

/** Events without payload are shared, immutable objects (one per data segment would be garbage). */
export const READABLE: ConnEvent = Object.freeze({ type: 'readable' });
export const WRITABLE: ConnEvent = Object.freeze({ type: 'writable' });
export const EOF: ConnEvent = Object.freeze({ type: 'eof' });
