import type { TcpState } from '../tcp/state.js';

/**
 * Counters named as RFC 4022's TCP-MIB and Linux `nstat` name them
 * (Tcp* are MIB objects, TcpExt* are Linux extensions), plus link-level drops.
 */
export interface StackStats {
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
  /** SYNs dropped because a listener's SYN queue or accept queue was full. */
  ListenDrops: number;
  ListenOverflows: number;
  /** TIME_WAIT entries ended early by an acceptable new SYN (RFC 6191). */
  TimeWaitReopens: number;
  /** Segments for an address that is not ours, or not TCP. */
  InDiscards: number;
  /** SYN cookies sent, valid cookie ACKs received, invalid ones (nstat TcpExtSyncookies*). */
  SyncookiesSent: number;
  SyncookiesRecv: number;
  SyncookiesFailed: number;
  /** Exceptions caught on the packet or timer path; each aborted the one connection it came from (R10). */
  PacketExceptions: number;
  /** Orphans reset because there were more than tcp_max_orphans (nstat TcpExtTCPAbortOnMemory). */
  TCPAbortOnMemory: number;
  /** Connections that skipped TIME_WAIT because tcp_max_tw_buckets were in use (nstat TcpExtTCPTimeWaitOverflow). */
  TCPTimeWaitOverflow: number;
}

export function emptyStats(): StackStats {
  return {
    ActiveOpens: 0,
    PassiveOpens: 0,
    AttemptFails: 0,
    EstabResets: 0,
    CurrEstab: 0,
    InSegs: 0,
    OutSegs: 0,
    RetransSegs: 0,
    InErrs: 0,
    InCsumErrors: 0,
    OutRsts: 0,
    ListenDrops: 0,
    ListenOverflows: 0,
    TimeWaitReopens: 0,
    InDiscards: 0,
    SyncookiesSent: 0,
    SyncookiesRecv: 0,
    SyncookiesFailed: 0,
    PacketExceptions: 0,
    TCPAbortOnMemory: 0,
    TCPTimeWaitOverflow: 0,
  };
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
