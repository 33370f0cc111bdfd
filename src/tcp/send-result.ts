/** What one attempt to send a segment found (sender.ts, recovery.ts). */
export type SendResult = 0 | 1 | 2 | 3;
export const SENT: SendResult = 0;
/** Nothing to send, or Nagle holds it. */
export const NOTHING: SendResult = 1;
/** The peer's window (or sender SWS avoidance) holds data back. */
export const WINDOW_BLOCKED: SendResult = 2;
export const CWND_BLOCKED: SendResult = 3;
/** Recovery has no retransmission to make now: new data may go (Recovery.sendRetransmission). */
export const NO_RETRANSMISSION = 4;
