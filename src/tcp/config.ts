import type { MtuProbing } from './pmtu.js';

/**
 * Tunables of one connection. Defaults follow Linux where users would expect
 * Linux (DESIGN.md principle 3); each says which knob it mirrors.
 */
export interface TcpConfig {
  /** MSS we advertise: link MTU − 40 for IPv4 (RFC 9293 §3.7.1). */
  mss: number;
  /**
   * Largest payload of one segment handed to the link when the link segments
   * itself (TSO, a TUN device with offloads: the stack sets it from the link);
   * 0 = never above the MSS. Linux sizes its TSO segments the same way, up to
   * the device's gso_max_size (tcp_tso_autosize).
   */
  tsoMax: number;
  /** MSS assumed when the peer sends none: 536 for IPv4, 1220 for IPv6 (RFC 9293 §3.7.1). */
  defaultPeerMss: number;
  /**
   * SO_SNDBUF: a fixed send buffer in bytes. Set, it turns send-buffer autotuning off for this
   * connection (Linux SOCK_SNDBUF_LOCK); unset, the buffer starts at `wmem[1]` and grows with cwnd.
   * (Linux doubles the value given to setsockopt for its bookkeeping overhead; synack's buffers hold
   * payload only, so the value is the payload capacity.)
   */
  sendBufferSize?: number;
  /**
   * SO_RCVBUF: a fixed receive buffer in bytes; the advertised window is its free space. Set, it turns
   * receive-buffer autotuning off (Linux SOCK_RCVBUF_LOCK) and the window scale is chosen for it;
   * unset, the buffer starts at `rmem[1]` and grows with what the application reads (buffer-autotune.ts).
   */
  recvBufferSize?: number;
  /** net.ipv4.tcp_rmem: [min, default, max] receive buffer of an autotuned connection, bytes. */
  rmem: readonly [number, number, number];
  /** net.ipv4.tcp_wmem: [min, default, max] send buffer of an autotuned connection, bytes. */
  wmem: readonly [number, number, number];
  /** net.ipv4.tcp_moderate_rcvbuf: grow the receive buffer with what the application reads (dynamic right-sizing). */
  moderateRcvbuf: boolean;
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
  /** Report duplicate segments with D-SACK (RFC 2883; Linux net.ipv4.tcp_dsack = 1). Only on connections that negotiated SACK. */
  dsack: boolean;
  /**
   * ECN (RFC 3168), as Linux's net.ipv4.tcp_ecn: 'off' = 0 (never), 'passive' = 2 (the default: accept
   * when the peer's SYN asks, never ask), 'on' = 1 (also ask on active opens). See tcp/ecn.ts.
   */
  ecn: EcnMode;
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
  /**
   * HyStart++ (RFC 9406) in the initial slow start, for either controller: leave slow start when the RTT
   * rises, before the queue overflows (tcp_cubic's hystart=1 is Linux's own variant; see hystart.ts).
   */
  hystart: boolean;
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
  /**
   * Out-of-order islands kept for reassembly per 64 KiB of receive window held (at least this many):
   * the limit scales with the window, as Linux bounds its out-of-order queue by memory only
   * (tcp_prune_ofo_queue); data that would open one island more is dropped (TCPOFODrop). The
   * default, 64, is one island per KiB: a real path's islands always fit, a peer sending 1-byte
   * islands is held to a bounded count (TCP-BEHAVIOR R9; see reassembly.ts).
   */
  oooMaxBlocks: number;
  /**
   * Packetization-layer path MTU discovery (RFC 4821), as net.ipv4.tcp_mtu_probing: 0 off, 1 after a
   * black hole is suspected (repeated timeouts), 2 always. Default 1 (Linux's default is 0). See pmtu.ts.
   */
  mtuProbing: MtuProbing;
  /**
   * TEST ONLY: use this initial send sequence number instead of the RFC 6528
   * one the stack computes (e.g. to force a sequence-number wrap). Never set it
   * in production: a predictable ISN defeats RFC 6528.
   */
  issOverride?: number;
}

import { ECN_MODES, type EcnMode } from './ecn.js';

export type CongestionControlName = 'cubic' | 'newreno';

export const CONGESTION_CONTROLS: readonly CongestionControlName[] = ['cubic', 'newreno'];

export const DEFAULT_TCP_CONFIG: Readonly<TcpConfig> = Object.freeze({
  mss: 1460,
  tsoMax: 0,
  defaultPeerMss: 536,
  // Linux 6.18 defaults (sysctl net.ipv4.tcp_rmem / tcp_wmem on the kernel we test against).
  rmem: Object.freeze([4096, 131072, 32 * 1024 * 1024]) as readonly [number, number, number],
  wmem: Object.freeze([4096, 16384, 4 * 1024 * 1024]) as readonly [number, number, number],
  moderateRcvbuf: true,
  windowScaling: true,
  sack: true,
  timestamps: true,
  tlp: true,
  dsack: true,
  ecn: 'passive',
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
  hystart: true,
  delayedAck: true,
  delayedAckMs: 40,
  delayedAckOnFin: true,
  dupThresh: 3,
  slowStartAfterIdle: true,
  oooMaxBlocks: 64,
  mtuProbing: 1,
});

/** Configurations resolved once for many connections (`sharedConfig`), each with the maker of its connections' own ones. */
const SHARED = new WeakMap<object, new (tsOffset: number) => TcpConfig>();

/** Resolve a configuration once for the many connections that use it (see `connectionConfig`). */
export function sharedConfig(partial: Partial<TcpConfig> = {}): Readonly<TcpConfig> {
  const cfg = resolveConfig(partial);
  // A constructor per shared configuration, with it as the prototype: V8 sizes the instances to the fields
  // the constructor sets (40 bytes where Object.create gave 56).
  const ConnectionConfig = function (this: { tsOffset: number }, tsOffset: number): void {
    this.tsOffset = tsOffset;
  } as unknown as new (tsOffset: number) => TcpConfig;
  ConnectionConfig.prototype = cfg;
  SHARED.set(cfg, ConnectionConfig);
  return cfg;
}

/**
 * One connection's configuration over a shared one, without copying its ~35
 * fields: reads fall through to `shared` (its prototype), and it holds its
 * TSval offset. The connection keeps the offset and `shared` itself
 * (tcpConfigBase), and makes a copy of its own over `shared` only when it
 * changes a setting (writableConfig): copy on write, so the shared
 * configuration and the other connections never see it.
 */
export function connectionConfig(shared: Readonly<TcpConfig>, tsOffset: number): TcpConfig {
  const Own = SHARED.get(shared);
  if (Own === undefined) throw new TypeError('connectionConfig: the configuration was not made by sharedConfig');
  return new Own(tsOffset);
}

/**
 * The configuration a connection keeps for resolved `cfg`: the shared one under a connectionConfig (whose
 * only own field, the TSval offset, the connection keeps apart: tcp-vars.ts), else `cfg` itself.
 */
export function tcpConfigBase(cfg: TcpConfig): TcpConfig {
  const proto = Object.getPrototypeOf(cfg) as TcpConfig;
  return SHARED.has(proto) ? proto : cfg;
}

/**
 * `cfg` ready for a connection to change a setting (SO_KEEPALIVE, TCP_NODELAY, SO_SNDBUF...): a shared
 * configuration gets a copy of the connection's own over it (an assignment never writes through to a
 * prototype), made once; any other one is the connection's already.
 */
export function writableConfig(cfg: TcpConfig): TcpConfig {
  return SHARED.has(cfg) ? (Object.create(cfg) as TcpConfig) : cfg;
}

/** Fill missing fields with the defaults and reject values that make no sense. */
export function resolveConfig(partial: Partial<TcpConfig> = {}): TcpConfig {
  if (SHARED.has(Object.getPrototypeOf(partial) as object)) return partial as TcpConfig; // a connectionConfig: resolved already
  const cfg: TcpConfig = { ...DEFAULT_TCP_CONFIG, ...stripUndefined(partial) };
  const positive: Array<keyof TcpConfig> = ['mss', 'defaultPeerMss', 'msl', 'rtoInitial', 'rtoMin', 'rtoMax', 'initialCwnd', 'delayedAckMs', 'dupThresh', 'oooMaxBlocks'];
  for (const k of positive) {
    const v = cfg[k] as number;
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`TCP option ${k} must be a positive number, got ${String(v)}`);
  }
  const nonNegative: Array<keyof TcpConfig> = ['tsoMax', 'keepIdle', 'keepInterval', 'keepCount', 'finTimeout', 'synRetries', 'synAckRetries', 'retries2', 'orphanRetries', 'challengeAckLimit'];
  for (const k of nonNegative) {
    const v = cfg[k] as number;
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`TCP option ${k} must be a non-negative number, got ${String(v)}`);
  }
  for (const k of ['sendBufferSize', 'recvBufferSize'] as const) {
    const v = cfg[k];
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new RangeError(`TCP option ${k} must be a positive number, got ${String(v)}`);
  }
  for (const k of ['rmem', 'wmem'] as const) {
    const [min, def, max] = Array.isArray(cfg[k]) ? cfg[k] : [];
    if (!(Number.isFinite(min) && Number.isFinite(def) && Number.isFinite(max) && min! > 0 && min! <= def! && def! <= max!)) {
      throw new RangeError(`TCP option ${k} must be [min, default, max] with 0 < min <= default <= max, got ${JSON.stringify(cfg[k])}`);
    }
  }
  if (cfg.mss > 65535 - 40) throw new RangeError(`TCP option mss must be at most 65495, got ${cfg.mss}`);
  if (cfg.rtoMin > cfg.rtoMax) throw new RangeError('rtoMin must not exceed rtoMax');
  if (!CONGESTION_CONTROLS.includes(cfg.congestionControl)) {
    throw new RangeError(`TCP option congestionControl must be one of ${CONGESTION_CONTROLS.join(', ')}, got ${String(cfg.congestionControl)}`);
  }
  if (!ECN_MODES.includes(cfg.ecn)) throw new RangeError(`TCP option ecn must be one of ${ECN_MODES.join(', ')}, got ${String(cfg.ecn)}`);
  if (cfg.delayedAckMs >= 500) throw new RangeError(`TCP option delayedAckMs must be below 500 ms (RFC 1122 §4.2.3.2), got ${cfg.delayedAckMs}`);
  if (cfg.mtuProbing !== 0 && cfg.mtuProbing !== 1 && cfg.mtuProbing !== 2) throw new RangeError(`TCP option mtuProbing must be 0, 1 or 2, got ${String(cfg.mtuProbing)}`);
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
