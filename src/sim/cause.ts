import type { TcpState } from '../tcp/state.js';
import { ACK, FIN, RST, SYN } from '../wire/flags.js';

/** What was running when a state changed: a segment being received, an application call, or a timer. */
export type CauseContext = { kind: 'rcv'; flags: number; len: number } | { kind: 'app' } | { kind: 'timer' };

/** Transitions only an application call makes, whatever else is running (a handler may close inside a receive). */
const USER_CALLS: Record<string, string> = {
  'CLOSED>LISTEN': 'passive OPEN',
  'CLOSED>SYN_SENT': 'active OPEN',
  'LISTEN>CLOSED': 'CLOSE',
  'SYN_RCVD>FIN_WAIT_1': 'CLOSE',
  'ESTABLISHED>FIN_WAIT_1': 'CLOSE',
  'CLOSE_WAIT>LAST_ACK': 'CLOSE',
};

/**
 * Name the cause of a transition the way RFC 9293 Figure 5 labels its arcs
 * ("rcv SYN", "rcv ACK of FIN", "CLOSE", "timeout=2MSL"), so the state
 * diagram can tick the arc that was really taken; transitions the figure
 * does not draw get "rcv RST", "timeout", "ABORT" or the like.
 */
export function transitionCause(from: TcpState, to: TcpState, ctx: CauseContext): string {
  const user = USER_CALLS[`${from}>${to}`];
  if (user !== undefined) return user;
  if (ctx.kind === 'rcv') return receiveCause(from, to, ctx.flags, ctx.len);
  if (ctx.kind === 'timer') {
    if (from === 'TIME_WAIT') return 'timeout=2MSL';
    if (from === 'FIN_WAIT_2') return 'timeout (tcp_fin_timeout)';
    return 'timeout';
  }
  if (from === 'SYN_SENT' && to === 'CLOSED') return 'CLOSE';
  return to === 'CLOSED' ? 'ABORT' : 'CLOSE';
}

function receiveCause(from: TcpState, to: TcpState, flags: number, len: number): string {
  if (flags & RST) return 'rcv RST';
  if (flags & SYN) {
    if (from === 'SYN_SENT' && to === 'ESTABLISHED') return 'rcv SYN,ACK';
    if (from === 'TIME_WAIT') return 'rcv SYN (RFC 6191 reuse)';
    return 'rcv SYN';
  }
  if (flags & FIN) {
    if (from === 'FIN_WAIT_1' && to === 'TIME_WAIT') return 'rcv FIN,ACK of FIN';
    if (to === 'CLOSED' && len > 0) return 'rcv data after close';
    return 'rcv FIN';
  }
  // A FIN that arrived out of order takes effect when the segment filling the hole before it arrives.
  if (to === 'CLOSE_WAIT' || to === 'CLOSING' || (from === 'FIN_WAIT_2' && to === 'TIME_WAIT')) return 'rcv FIN';
  if (from === 'FIN_WAIT_1' && to === 'TIME_WAIT') return 'rcv FIN,ACK of FIN';
  if (flags & ACK) {
    if (from === 'SYN_RCVD' && to === 'ESTABLISHED') return 'rcv ACK of SYN';
    if (from === 'LISTEN' && to === 'SYN_RCVD') return 'rcv ACK with a valid SYN cookie';
    if (to === 'CLOSED' && len > 0) return 'rcv data after close';
    if (from === 'FIN_WAIT_1' || from === 'CLOSING' || from === 'LAST_ACK') return 'rcv ACK of FIN';
  }
  return 'rcv segment';
}
