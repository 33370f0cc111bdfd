/**
 * What a connection does with an ICMP error quoting one of its segments
 * (RFC 5927 §§4–5, RFC 1122 §4.2.3.9, as Linux's tcp_v4_err / tcp_v6_err and
 * tcp_req_err). The stack parses and routes the message (src/wire/icmp.ts);
 * this file decides; the Connection carries the decision out.
 */
import type { IcmpKind } from '../wire/icmp.js';
import type { TcpErrorCode } from './events.js';
import type { TcpState } from './state.js';

/** An ICMP error as a connection sees it. */
export interface IcmpNotice {
  kind: IcmpKind;
  /** Sequence number of the quoted segment. */
  seq: number;
  /** packet-too-big: the MSS (MTU − IP − TCP headers) the path carries, already floored by the stack. */
  mss?: number;
}

/** What became of it (the stack counts 'out-of-window' as Linux's OutOfWindowIcmps). */
export type IcmpVerdict = 'ignored' | 'out-of-window' | 'mtu-lowered' | 'aborted' | 'soft-error' | 'request-dropped';

export type IcmpAction = 'ignore' | 'out-of-window' | 'lower-mtu' | 'abort' | 'soft-error' | 'drop-request';

/**
 * The errno each kind reports, as Linux's icmp_err_convert / icmpv6_err_convert
 * (administratively prohibited is EHOSTUNREACH over IPv4, EACCES over IPv6:
 * synack reports EHOSTUNREACH for both).
 */
export function icmpErrno(kind: IcmpKind): TcpErrorCode {
  switch (kind) {
    case 'net-unreachable':
      return 'ENETUNREACH';
    case 'protocol-unreachable':
      return 'ENOPROTOOPT';
    case 'port-unreachable':
      return 'ECONNREFUSED';
    default:
      return 'EHOSTUNREACH';
  }
}

/**
 * The decision, in Linux's order:
 * - TIME_WAIT, CLOSED, LISTEN: ignored (Linux finds no socket that takes it).
 * - A passive SYN_RCVD (Linux's request sock, tcp_req_err): the quoted
 *   sequence number must be our ISS, else out of window; net or host
 *   unreachable drop the embryonic connection (back to LISTEN, a ListenDrop);
 *   anything else is ignored.
 * - Otherwise the quoted sequence number must lie in SND.UNA..SND.NXT (RFC
 *   5927 §4.1.1; Linux `between(seq, snd_una, snd_nxt)`), else out of window.
 * - packet-too-big lowers the path MTU (RFC 1191 / RFC 8201) in any of those states.
 * - In SYN_SENT and an active SYN_RCVD any other error aborts the connection
 *   attempt with its errno, as Linux does (RFC 1122 §4.2.3.9 asks this for
 *   the hard errors; Linux treats net/host unreachable the same way there).
 * - In a synchronized state every error is soft (RFC 1122 §4.2.3.9, RFC 5927
 *   §4.1; Linux without IP_RECVERR): kept, and reported instead of ETIMEDOUT
 *   if the connection later times out (sk_err_soft).
 */
export function icmpAction(n: IcmpNotice, state: TcpState, passive: boolean, seqInWindow: boolean, seqIsIss: boolean): IcmpAction {
  if (state === 'TIME_WAIT' || state === 'CLOSED' || state === 'LISTEN') return 'ignore';
  if (state === 'SYN_RCVD' && passive) {
    if (!seqIsIss) return 'out-of-window';
    return n.kind === 'net-unreachable' || n.kind === 'host-unreachable' ? 'drop-request' : 'ignore';
  }
  if (!seqInWindow) return 'out-of-window';
  if (n.kind === 'packet-too-big') return n.mss === undefined ? 'ignore' : 'lower-mtu';
  if (state === 'SYN_SENT' || state === 'SYN_RCVD') return 'abort';
  return 'soft-error';
}
