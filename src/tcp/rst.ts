import { ACK, RST } from '../wire/flags.js';
import { EMPTY, segLen, type Segment } from './segment.js';

/**
 * The reset to send for a segment that belongs to no connection
 * (RFC 9293 §3.10.7.1, "If the state is CLOSED"):
 *   ACK set:   <SEQ=SEG.ACK><CTL=RST>
 *   ACK clear: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
 * Returns null for an incoming RST, which is never answered.
 */
export function resetFor(seg: Segment): Segment | null {
  if (seg.flags & RST) return null;
  if (seg.flags & ACK) {
    return { seq: seg.ack, ack: 0, flags: RST, window: 0, options: {}, payload: EMPTY };
  }
  return { seq: 0, ack: (seg.seq + segLen(seg)) >>> 0, flags: RST | ACK, window: 0, options: {}, payload: EMPTY };
}
