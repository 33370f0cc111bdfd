/**
 * The stack's side of ICMP errors (RFC 5927): count each message as Linux's
 * icmp_rcv / icmpv6_rcv do, and turn a packet-too-big's MTU into the MSS a
 * connection may use, floored as Linux floors a route's PMTU. Routing to the
 * connection is Stack.icmpInput; what the connection does is tcp/icmp-error.ts.
 */
import type { IcmpError } from '../wire/icmp.js';
import type { WireError } from '../wire/errors.js';
import type { StackStats } from './stats.js';

/**
 * Lowest IPv4 path MTU taken from an ICMP: Linux's net.ipv4.route.min_pmtu
 * (552). RFC 791 would allow 68; Linux refuses to go below 552 (a smaller
 * claim sets the PMTU to 552), and so does synack.
 */
export const MIN_PMTU_V4 = 552;
/** IPv6: every link carries 1280 (RFC 8200 §5); a smaller Packet Too Big is raised to it (RFC 8201 §4, as Linux). */
export const MIN_PMTU_V6 = 1280;

/** The largest TCP segment (header options not subtracted) a path MTU leaves: MTU − IP header − 20. */
export function mssForPathMtu(version: 4 | 6, mtu: number): number {
  return version === 4 ? Math.max(mtu, MIN_PMTU_V4) - 40 : Math.max(mtu, MIN_PMTU_V6) - 60;
}

/** Count a received ICMP message (valid or not) in the Icmp / Icmp6 group. */
export function countIcmp(s: StackStats, version: 4 | 6, r: IcmpError | WireError): void {
  const v6 = version === 6;
  if (v6) s.Icmp6InMsgs++;
  else s.IcmpInMsgs++;
  if (typeof r === 'string') {
    if (r === 'icmp-not-error') return; // a valid message of a type synack does not act on (echo, redirect, …)
    if (v6) s.Icmp6InErrors++;
    else s.IcmpInErrors++;
    if (r === 'bad-icmp-checksum') {
      if (v6) s.Icmp6InCsumErrors++;
      else s.IcmpInCsumErrors++;
    }
    return;
  }
  if (v6) {
    if (r.kind === 'packet-too-big') s.Icmp6InPktTooBigs++;
    else s.Icmp6InDestUnreachs++;
  } else {
    s.IcmpInDestUnreachs++;
  }
}

/** An ICMP error that names no connection of ours: Linux tcp_v4_err / tcp_v6_err count it as an ICMP InError. */
export function countIcmpUnmatched(s: StackStats, version: 4 | 6): void {
  if (version === 6) s.Icmp6InErrors++;
  else s.IcmpInErrors++;
}
