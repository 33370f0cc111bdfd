import { seqDiff } from './seq.js';

/**
 * The RTT an ACK's TSecr measures (RFC 7323 §4.1 RTTM: the TSval clock now
 * less the TSval echoed), or undefined when `ecr` cannot be the echo of a
 * TSval this connection sent: before its first one (`tsFirst`) or after now
 * (`tsNow`), in the TSval clock's modulo-2^32 order. Such a TSecr comes from
 * a middlebox that rewrites it, or a spoofed segment: as an RTT it reads up
 * to 2^31 ms, and SRTT, RTTVAR and the RTO (pinned at its maximum) would need
 * hundreds of good samples to recover (fuzz cases 1118446931, 2488605185).
 * Linux measures from its own send times and uses TSecr only without one
 * ("broken middle-boxes or peers may corrupt TS-ECR fields",
 * tcp_ack_update_rtt), and then only an age below 2^31 µs (tcp_rtt_tsopt_us).
 */
export function tsEchoRtt(ecr: number, tsNow: number, tsFirst: number): number | undefined {
  const age = seqDiff(tsNow, ecr);
  return age >= 0 && age <= seqDiff(tsNow, tsFirst) ? age : undefined;
}
