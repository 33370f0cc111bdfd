/** The eleven TCP states (RFC 9293 §3.3.2), spelled as every synack output spells them. */
export const TCP_STATES = [
  'CLOSED',
  'LISTEN',
  'SYN_SENT',
  'SYN_RCVD',
  'ESTABLISHED',
  'FIN_WAIT_1',
  'FIN_WAIT_2',
  'CLOSE_WAIT',
  'CLOSING',
  'LAST_ACK',
  'TIME_WAIT',
] as const;

export type TcpState = (typeof TCP_STATES)[number];

/** States in which both sequence spaces are synchronized (RFC 9293 §3.5, RFC 5961). */
export function isSynchronized(s: TcpState): boolean {
  return s !== 'CLOSED' && s !== 'LISTEN' && s !== 'SYN_SENT' && s !== 'SYN_RCVD';
}
