import type { TcpOptions } from '../wire/tcp-options.js';
import { FIN, SYN } from '../wire/flags.js';

/**
 * A TCP segment as the Connection sees it: no ports or addresses (the stack
 * demultiplexes), `window` is the raw 16-bit header field (unscaled).
 */
export interface Segment {
  seq: number;
  ack: number;
  flags: number;
  window: number;
  options: TcpOptions;
  payload: Uint8Array;
  /** The IP ECN codepoint (RFC 3168 §5: 0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE) it arrived with, or is to be sent with; absent = Not-ECT. */
  ecn?: number;
}

/**
 * A segment the Connection wants sent. `rtx` marks a retransmission (RFC 4022 tcpRetransSegs).
 * `segmentSize`, on a TSO super-segment only (payload above it, see TcpConfig.tsoMax): the
 * payload bytes of each wire segment the link cuts it into.
 *
 * Ownership (ConnectionSink.transmit): valid only during the call. Data and ACK segments are built
 * in records the Sender reuses (out-segment.ts). The stack's sink consumes one synchronously
 * (stack.ts transmitWith writes the packet from the connection's template and keeps nothing, not
 * even the payload view); the SYN-cookie replay's and TIME_WAIT's forwarding sinks pass it on within
 * the call; a sink that keeps segments (the tests' scripted peers) keeps `copyOutSegment(seg)`.
 */
export interface OutSegment extends Segment {
  rtx?: boolean;
  segmentSize?: number;
}

/** SEG.LEN: payload octets plus one for SYN and one for FIN (RFC 9293 §3.4). */
export function segLen(seg: Segment): number {
  return seg.payload.length + (seg.flags & SYN ? 1 : 0) + (seg.flags & FIN ? 1 : 0);
}

export const EMPTY = new Uint8Array(0);
