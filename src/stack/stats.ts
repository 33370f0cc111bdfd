import type { ConnCounter } from '../tcp/events.js';
import type { TcpState } from '../tcp/state.js';

/**
 * Counters named as RFC 4022's TCP-MIB and Linux `nstat` name them: the Tcp
 * group (MIB objects, nstat "Tcp…"), the TcpExt group (Linux extensions,
 * nstat "TcpExt…", counted where and as Linux counts them), plus a few
 * synack-only ones (see SYNACK_KEYS).
 */
export interface StackStats {
  // ── Tcp (RFC 4022) ──
  ActiveOpens: number;
  PassiveOpens: number;
  AttemptFails: number;
  EstabResets: number;
  CurrEstab: number;
  InSegs: number;
  OutSegs: number;
  RetransSegs: number;
  InErrs: number;
  InCsumErrors: number;
  OutRsts: number;

  // ── TcpExt (Linux) ──
  /** SYNs (and handshake-completing ACKs) a listener dropped: accept queue full, or SYN queue full without cookies. Not SYNs answered with a cookie (as Linux: tcp_listendrop runs only on the drop paths). */
  ListenDrops: number;
  /** Times the accept queue was full when a SYN or the handshake's last ACK arrived (always also a ListenDrop). */
  ListenOverflows: number;
  /** SYN queue full, so the SYN was answered with a SYN cookie (tcp_syn_flood_action with syncookies on). */
  TCPReqQFullDoCookies: number;
  /** SYN queue full and SYN cookies off: the SYN was dropped. */
  TCPReqQFullDrop: number;
  /** SYN cookies sent, valid cookie ACKs received, invalid ones. */
  SyncookiesSent: number;
  SyncookiesRecv: number;
  SyncookiesFailed: number;
  /** Retransmission-timer expiries, SYN and SYN-ACK timeouts included (Linux tcp_retransmit_timer, tcp_syn_ack_timeout). */
  TCPTimeouts: number;
  /** Tail loss probes sent (RFC 8985 §7, src/tcp/tail-loss-probe.ts). */
  TCPLossProbes: number;
  /** Slow starts left by HyStart's delay detection (HyStart++, RFC 9406: into CSS; src/tcp/hystart.ts) / by Linux's ACK-train detection, which synack does not have (always 0). */
  TCPHystartDelayDetect: number;
  TCPHystartTrainDetect: number;
  /** Fast recoveries entered with SACK / without (NewReno). */
  TCPSackRecovery: number;
  TCPRenoRecovery: number;
  /** ACKs whose SACK information showed reordering: a never-retransmitted segment delivered below one delivered before (RFC 8985 §6.2 step 3, Linux tcp_check_sack_reordering). */
  TCPSACKReorder: number;
  /** RTOs that found the first unacknowledged segment SACKed — the receiver reneged on SACKed data (RFC 2018 §8), so the scoreboard was forgotten (Linux tcp_timeout_mark_lost). */
  TCPSACKReneging: number;
  /** Retransmissions RACK found lost in their turn (RFC 8985 §6.2 step 5, src/tcp/rack.ts). */
  TCPLostRetransmit: number;
  /** Segments retransmitted outside RTO recovery (fast retransmit and SACK/NewReno recovery), as Linux counts them. */
  TCPFastRetrans: number;
  /**
   * RTOs found spurious afterwards and undone (src/tcp/undo.ts). Linux counts here only what F-RTO
   * (RFC 5682) detects; synack has no F-RTO and counts the RTOs that Eifel (RFC 3522) or D-SACK showed spurious.
   */
  TCPSpuriousRTOs: number;
  /** Recoveries undone (src/tcp/undo.ts, Linux tcp_undo_cwnd_reduction): at the full ACK, at a partial ACK (the hole was filled by the original), by D-SACKs for every retransmission, after an RTO. */
  TCPFullUndo: number;
  TCPPartialUndo: number;
  TCPDSACKUndo: number;
  TCPLossUndo: number;
  /** D-SACKs sent (RFC 2883): for data below RCV.NXT, for data duplicating the out-of-order queue. */
  TCPDSACKOldSent: number;
  TCPDSACKOfoSent: number;
  /** D-SACKs received: below the cumulative ACK, within the second SACK block. */
  TCPDSACKRecv: number;
  TCPDSACKOfoRecv: number;
  /** D-SACKs below SND.UNA of no use: older than the episode that could be undone, or with no episode to undo. */
  TCPDSACKIgnoredOld: number;
  TCPDSACKIgnoredNoUndo: number;
  /** D-SACKs ignored as implausible: longer than the largest window, or more duplicates than retransmissions. */
  TCPDSACKIgnoredDubious: number;
  /** Resets because data arrived after the application closed. (Linux also counts a SO_LINGER-0 close here, as synack counts resetAndDestroy() / abort() when no unread data was tossed.) */
  TCPAbortOnData: number;
  /** Resets because the application closed with unread data (RFC 2525 §2.17). */
  TCPAbortOnClose: number;
  /** Connections given up after their retransmission, persist or keepalive retries ran out (ETIMEDOUT). */
  TCPAbortOnTimeout: number;
  /** Resets when an orphan's FIN_WAIT_2 linger ran out with tcp_linger2 < 0. Always 0: synack's FIN_WAIT_2 timeout closes silently, as Linux's default. */
  TCPAbortOnLinger: number;
  /** TIME_WAIT entries not created because tcp_max_tw_buckets were in use (Linux tcp_time_wait). */
  TCPTimeWaitOverflow: number;
  /** Orphans reset because there were more than tcp_max_orphans (Linux tcp_close, tcp_too_many_orphans). */
  TCPAbortOnMemory: number;
  /** Challenge ACKs sent (RFC 5961 §§3–5), after the rate limit. */
  TCPChallengeACK: number;
  /** Segments dropped by PAWS in a synchronized state (RFC 7323 §5). */
  PAWSEstab: number;
  /** Data segments put in the out-of-order queue. */
  TCPOFOQueue: number;
  /** Out-of-order segments dropped because the out-of-order queue had no room. */
  TCPOFODrop: number;
  /** Segments dropped because the socket backlog was full. Always 0: synack processes each segment at once, it has no backlog. */
  TCPBacklogDrop: number;
  /** In-order data dropped because the receive window was zero. */
  TCPZeroWindowDrop: number;
  /** Segments newly delivered (acknowledged or SACKed) by ACKs carrying ECN-Echo (RFC 3168; Linux tcp_newly_delivered). */
  TCPDeliveredCE: number;

  // ── IpExt (Linux ip_rcv_core): IP packets received, by ECN codepoint (RFC 3168 §5); IPv4 and IPv6 alike here
  // (Linux counts IPv6 in Ip6In…Pkts), every packet that parsed as TCP. ──
  InNoECTPkts: number;
  InECT1Pkts: number;
  InECT0Pkts: number;
  InCEPkts: number;
  /** ICMP errors whose quoted sequence number lay outside SND.UNA..SND.NXT (RFC 5927 §4.1.1), ignored. */
  OutOfWindowIcmps: number;
  /** RFC 4821 MTU probes acknowledged / lost (Linux tcp_mtup_probe_success, tcp_mtup_probe_failed). */
  TCPMTUPSuccess: number;
  TCPMTUPFail: number;

  // ── Icmp, Icmp6 (RFC 4293's ICMP statistics; nstat names, kept whole since they repeat Tcp's InErrors, InCsumErrors) ──
  /** ICMP messages received, bad ones included (Linux ICMP_MIB_INMSGS). */
  IcmpInMsgs: number;
  /** Bad ICMP messages (checksum, length, quote), and errors quoting no connection of ours (Linux tcp_v4_err: ICMP_MIB_INERRORS). */
  IcmpInErrors: number;
  IcmpInCsumErrors: number;
  /** Destination unreachable messages (fragmentation needed included), valid ones. */
  IcmpInDestUnreachs: number;
  Icmp6InMsgs: number;
  Icmp6InErrors: number;
  Icmp6InCsumErrors: number;
  Icmp6InDestUnreachs: number;
  Icmp6InPktTooBigs: number;

  // ── synack only ──
  /** TIME_WAIT entries ended early by an acceptable new SYN (RFC 6191). */
  TimeWaitReopens: number;
  /** Segments for an address that is not ours, or not TCP. */
  InDiscards: number;
  /** Exceptions caught on the packet or timer path; each aborted the one connection it came from (R10). */
  PacketExceptions: number;
}

/** The Tcp group (nstat "Tcp" prefix), in /proc/net/snmp order. */
export const TCP_KEYS = ['ActiveOpens', 'PassiveOpens', 'AttemptFails', 'EstabResets', 'CurrEstab', 'InSegs', 'OutSegs', 'RetransSegs', 'InErrs', 'OutRsts', 'InCsumErrors'] as const;

/** The TcpExt group (nstat "TcpExt" prefix), in /proc/net/netstat order. */
export const TCPEXT_KEYS = [
  'SyncookiesSent',
  'SyncookiesRecv',
  'SyncookiesFailed',
  'PAWSEstab',
  'ListenOverflows',
  'ListenDrops',
  'TCPRenoRecovery',
  'TCPSackRecovery',
  'TCPFullUndo',
  'TCPPartialUndo',
  'TCPDSACKUndo',
  'TCPLossUndo',
  'TCPSACKReorder',
  'TCPSACKReneging',
  'TCPLostRetransmit',
  'TCPFastRetrans',
  'TCPTimeouts',
  'TCPLossProbes',
  'TCPDSACKOldSent',
  'TCPDSACKOfoSent',
  'TCPDSACKRecv',
  'TCPDSACKOfoRecv',
  'TCPAbortOnData',
  'TCPAbortOnClose',
  'TCPAbortOnMemory',
  'TCPAbortOnTimeout',
  'TCPAbortOnLinger',
  'TCPDSACKIgnoredOld',
  'TCPDSACKIgnoredNoUndo',
  'TCPSpuriousRTOs',
  'TCPBacklogDrop',
  'TCPTimeWaitOverflow',
  'TCPReqQFullDoCookies',
  'TCPReqQFullDrop',
  'TCPOFOQueue',
  'TCPOFODrop',
  'TCPChallengeACK',
  'TCPZeroWindowDrop',
  'TCPDSACKIgnoredDubious',
  'OutOfWindowIcmps',
  'TCPMTUPFail',
  'TCPMTUPSuccess',
  'TCPHystartTrainDetect',
  'TCPHystartDelayDetect',
  'TCPDeliveredCE',
] as const;

/** The Icmp and Icmp6 groups, under their full nstat names (/proc/net/snmp and /proc/net/snmp6 order). */
export const ICMP_KEYS = ['IcmpInMsgs', 'IcmpInErrors', 'IcmpInCsumErrors', 'IcmpInDestUnreachs', 'Icmp6InMsgs', 'Icmp6InErrors', 'Icmp6InCsumErrors', 'Icmp6InDestUnreachs', 'Icmp6InPktTooBigs'] as const;

/** The IpExt group (nstat "IpExt" prefix), in /proc/net/netstat order; indexed by the ECN codepoint. */
export const IPEXT_KEYS = ['InNoECTPkts', 'InECT1Pkts', 'InECT0Pkts', 'InCEPkts'] as const;

/** synack's own counters (nstat has no name for them; shown with a "Synack" prefix). */
export const SYNACK_KEYS = ['TimeWaitReopens', 'InDiscards', 'PacketExceptions'] as const;

export function emptyStats(): StackStats {
  const s = {} as Record<keyof StackStats, number>;
  for (const k of [...TCP_KEYS, ...TCPEXT_KEYS, ...ICMP_KEYS, ...IPEXT_KEYS, ...SYNACK_KEYS]) s[k] = 0;
  // A copy: keys added one by one leave V8 a slow dictionary object, and the packet path bumps several counters a packet.
  return { ...s };
}

/** A connection-level event counted in the stack's MIB (Connection reports it through its sink). */
export function countConnEvent(s: StackStats, counter: ConnCounter, n = 1): void {
  s[counter] += n;
}

const ESTABLISHED_LIKE = new Set<TcpState>(['ESTABLISHED', 'CLOSE_WAIT']);

/** Update the MIB counters that RFC 4022 defines in terms of state transitions. */
export function countTransition(s: StackStats, from: TcpState, to: TcpState): void {
  if (from === 'CLOSED' && to === 'SYN_SENT') s.ActiveOpens++;
  if (from === 'LISTEN' && to === 'SYN_RCVD') s.PassiveOpens++;
  if ((from === 'SYN_SENT' || from === 'SYN_RCVD') && (to === 'CLOSED' || to === 'LISTEN')) s.AttemptFails++;
  if (ESTABLISHED_LIKE.has(from) && to === 'CLOSED') s.EstabResets++;
  if (!ESTABLISHED_LIKE.has(from) && ESTABLISHED_LIKE.has(to)) s.CurrEstab++;
  if (ESTABLISHED_LIKE.has(from) && !ESTABLISHED_LIKE.has(to)) s.CurrEstab--;
}
