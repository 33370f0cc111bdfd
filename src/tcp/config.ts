/**
 * Tunables of one connection. Defaults follow Linux where users would expect
 * Linux (DESIGN.md principle 3); each says which knob it mirrors.
 */
export interface TcpConfig {
  /** MSS we advertise: link MTU − 40 for IPv4 (RFC 9293 §3.7.1). */
  mss: number;
  /** MSS assumed when the peer sends none: 536 for IPv4, 1220 for IPv6 (RFC 9293 §3.7.1). */
  defaultPeerMss: number;
  /** Send buffer in bytes (SO_SNDBUF). */
  sendBufferSize: number;
  /** Receive buffer in bytes (SO_RCVBUF); the advertised window is its free space. */
  recvBufferSize: number;
  /** Offer window scaling (RFC 7323 §2). */
  windowScaling: boolean;
  /** Offer SACK (RFC 2018). */
  sack: boolean;
  /** Offer timestamps (RFC 7323 §3). */
  timestamps: boolean;
  /**
   * Tail loss probes (RFC 8985 §7; Linux net.ipv4.tcp_early_retrans = 3, the default): probe a
   * silent flight after ~2·SRTT instead of waiting for the RTO. Only on connections that negotiated SACK.
   */
  tlp: boolean;
  /**
   * RACK time-based loss detection (RFC 8985 §6; Linux net.ipv4.tcp_recovery = 1, the default): a segment is
   * lost once one sent after it is delivered and RACK.rtt + reo_wnd has passed. Only on connections that
   * negotiated SACK; off, or without SACK, DupThresh decides (RFC 6675 / RFC 5681, RFC 6582).
   */
  rack: boolean;
  /** Maximum segment lifetime, ms; TIME_WAIT lasts 2×MSL. Linux's TIME_WAIT is 60 s, so 30 s. */
  msl: number;
  /** Orphaned FIN_WAIT_2 lifetime, ms (net.ipv4.tcp_fin_timeout, 60 s). */
  finTimeout: number;
  /** SYN retransmissions before ETIMEDOUT (net.ipv4.tcp_syn_retries, 6). */
  synRetries: number;
  /** SYN-ACK retransmissions before a half-open connection is dropped (tcp_synack_retries, 5). */
  synAckRetries: number;
  /** Retransmissions of data/FIN before the connection is aborted (tcp_retries2, 15). */
  retries2: number;
  /** Retransmissions for a connection the application has closed (tcp_orphan_retries; 0 there means 8). */
  orphanRetries: number;
  /** Initial RTO, ms (RFC 6298 §2.1: 1 s). */
  rtoInitial: number;
  /** Lower bound of the RTO, ms (Linux TCP_RTO_MIN, 200 ms). */
  rtoMin: number;
  /** Upper bound of the RTO, ms (Linux TCP_RTO_MAX, 120 s). */
  rtoMax: number;
  /** Challenge ACKs (RFC 5961 §7) and out-of-window dup-ACKs allowed per second per connection. */
  challengeAckLimit: number;
  /** Disable Nagle's algorithm (TCP_NODELAY). */
  noDelay: boolean;
  /** Send keepalive probes on an idle connection (SO_KEEPALIVE). */
  keepAlive: boolean;
  /** Idle time before the first keepalive probe, ms (tcp_keepalive_time, 2 h). */
  keepIdle: number;
  /** Interval between unanswered keepalive probes, ms (tcp_keepalive_intvl, 75 s). */
  keepInterval: number;
  /** Unanswered probes before the connection is dropped with ETIMEDOUT (tcp_keepalive_probes, 9). */
  keepCount: number;
  /** Initial congestion window in segments (RFC 6928: 10). */
  initialCwnd: number;
  /** Added to the millisecond clock to form TSval (RFC 7323 §5.4 suggests a random offset). */
  tsOffset: number;
  /** Congestion controller (net.ipv4.tcp_congestion_control): CUBIC (RFC 9438, Linux's default) or NewReno (RFC 5681/6582). */
  congestionControl: CongestionControlName;
  /** Delay ACKs of in-order data (RFC 1122 §4.2.3.2, RFC 5681 §4.2): at least every second full-sized segment is ACKed at once. */
  delayedAck: boolean;
  /** Longest an ACK is delayed, ms (Linux TCP_DELACK_MIN, 40 ms; RFC 1122 requires < 500 ms). */
  delayedAckMs: number;
  /**
   * Delay the ACK of a FIN that arrives in ESTABLISHED, as Linux does (tcp_fin enters "pingpong"
   * mode): an application that closes at EOF then sends its FIN on the same segment (FIN,ACK),
   * and C4 (FIN_WAIT_1 → TIME_WAIT) happens between two stacks as it does with Linux. Only with
   * `delayedAck`; off, the FIN is ACKed at once. A FIN that fills a hole is always ACKed at once.
   */
  delayedAckOnFin: boolean;
  /** Duplicate ACKs (or SACKed segments) that signal a loss (RFC 5681 §3.2 / RFC 6675 DupThresh, 3). */
  dupThresh: number;
  /** Reset the congestion window after an idle period longer than the RTO (net.ipv4.tcp_slow_start_after_idle, RFC 5681 §4.1). */
  slowStartAfterIdle: boolean;
  /** Out-of-order intervals kept for reassembly; further islands are dropped (bounded by construction). */
  oooMaxBlocks: number;
  /**
   * TEST ONLY: use this initial send sequence number instead of the RFC 6528
   * one the stack computes (e.g. to force a sequence-number wrap). Never set it
   * in production: a predictable ISN defeats RFC 6528.
   */
  issOverride?: number;
}

export type CongestionControlName = 'cubic' | 'newreno';

export const CONGESTION_CONTROLS: readonly CongestionControlName[] = ['cubic', 'newreno'];

export const DEFAULT_TCP_CONFIG: Readonly<TcpConfig> = Object.freeze({
  mss: 1460,
  defaultPeerMss: 536,
  sendBufferSize: 256 * 1024,
  recvBufferSize: 256 * 1024,
  windowScaling: true,
  sack: true,
  timestamps: true,
  tlp: true,
  rack: true,
  msl: 30_000,
  finTimeout: 60_000,
  synRetries: 6,
  synAckRetries: 5,
  retries2: 15,
  orphanRetries: 8,
  rtoInitial: 1000,
  rtoMin: 200,
  rtoMax: 120_000,
  challengeAckLimit: 10,
  noDelay: false,
  keepAlive: false,
  keepIdle: 7_200_000,
  keepInterval: 75_000,
  keepCount: 9,
  initialCwnd: 10,
  tsOffset: 0,
  congestionControl: 'cubic',
  delayedAck: true,
  delayedAckMs: 40,
  delayedAckOnFin: true,
  dupThresh: 3,
  slowStartAfterIdle: true,
  oooMaxBlocks: 64,
});

/** Fill missing fields with the defaults and reject values that make no sense. */
export function resolveConfig(partial: Partial<TcpConfig> = {}): TcpConfig {
  const cfg: TcpConfig = { ...DEFAULT_TCP_CONFIG, ...stripUndefined(partial) };
  const positive: Array<keyof TcpConfig> = ['mss', 'defaultPeerMss', 'sendBufferSize', 'recvBufferSize', 'msl', 'rtoInitial', 'rtoMin', 'rtoMax', 'initialCwnd', 'delayedAckMs', 'dupThresh', 'oooMaxBlocks'];
  for (const k of positive) {
    const v = cfg[k] as number;
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`TCP option ${k} must be a positive number, got ${String(v)}`);
  }
  const nonNegative: Array<keyof TcpConfig> = ['keepIdle', 'keepInterval', 'keepCount', 'finTimeout', 'synRetries', 'synAckRetries', 'retries2', 'orphanRetries', 'challengeAckLimit'];
  for (const k of nonNegative) {
    const v = cfg[k] as number;
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`TCP option ${k} must be a non-negative number, got ${String(v)}`);
  }
  if (cfg.mss > 65535 - 40) throw new RangeError(`TCP option mss must be at most 65495, got ${cfg.mss}`);
  if (cfg.rtoMin > cfg.rtoMax) throw new RangeError('rtoMin must not exceed rtoMax');
  if (!CONGESTION_CONTROLS.includes(cfg.congestionControl)) {
    throw new RangeError(`TCP option congestionControl must be one of ${CONGESTION_CONTROLS.join(', ')}, got ${String(cfg.congestionControl)}`);
  }
  if (cfg.delayedAckMs >= 500) throw new RangeError(`TCP option delayedAckMs must be below 500 ms (RFC 1122 §4.2.3.2), got ${cfg.delayedAckMs}`);
  if (cfg.issOverride !== undefined && !(Number.isInteger(cfg.issOverride) && cfg.issOverride >= 0 && cfg.issOverride <= 0xffffffff)) {
    throw new RangeError(`TCP option issOverride must be a 32-bit unsigned integer, got ${String(cfg.issOverride)}`);
  }
  return cfg;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
