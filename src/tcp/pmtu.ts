/**
 * Path MTU of one connection, as the largest segment (MSS, TCP options not
 * subtracted) the path carries: lowered by ICMP "fragmentation needed" /
 * "Packet Too Big" (RFC 1191, RFC 8201, validated by the caller per RFC
 * 5927), and searched by Packetization Layer PMTUD (RFC 4821) as Linux does
 * with net.ipv4.tcp_mtu_probing:
 *
 * - 0: off — only ICMP lowers the MSS.
 * - 1 (Linux's default is 0; synack's default is 1, the choice): off
 *   until a black hole is suspected — retransmission timeouts with nothing
 *   acknowledged for as long as tcp_retries1 (3) backoffs from a 200 ms RTO
 *   take (3 s) — then the MSS drops to tcp_base_mss (1024), halves on each
 *   further timeout (down to tcp_mtu_probe_floor, 48), and probes upward
 *   with larger segments (Linux tcp_mtu_probing, tcp_mtu_probe).
 * - 2: always on: connections start at tcp_base_mss and probe upward.
 *
 * Linux works in MTUs; this works in MSS units (MTU − IP − 20), so the same
 * numbers serve IPv4 and IPv6. Pure bookkeeping: the Connection decides when
 * a probe may go and what an ACK or a loss means for it.
 */

export type MtuProbing = 0 | 1 | 2;

/** Linux's sysctl defaults (net/ipv4/tcp_ipv4.c, include/net/tcp.h). */
export const BASE_MSS = 1024; // tcp_base_mss
export const PROBE_FLOOR_MSS = 48; // tcp_mtu_probe_floor (and tcp_min_snd_mss)
export const PROBE_THRESHOLD = 8; // tcp_probe_threshold: stop once the search range is narrower
export const PROBE_INTERVAL_MS = 600_000; // tcp_probe_interval: search again upward after 10 min
/**
 * A stall this long suspects a black hole: Linux retransmits_timed_out(tcp_retries1 = 3) compares the time
 * since the first retransmission with tcp_model_timeout, ((2 << 3) − 1) × TCP_RTO_MIN (200 ms) = 3 s.
 */
export const BLACK_HOLE_STALL_MS = 3000;

/** Larger than any MSS (at most 65495), and a small integer. */
const NO_ICMP_LIMIT = 0x3fffffff;

export interface MtuProbe {
  /** MSS (without options) the probe tests. */
  size: number;
  /** Sequence space of the probe segment. */
  start: number;
  end: number;
}

export class PathMtu {
  /**
   * MSS the path is known to carry from ICMP (NO_ICMP_LIMIT until an ICMP says otherwise). A small
   * integer rather than Infinity, which V8 would box in a HeapNumber of 16 B per connection.
   */
  private icmpMss = NO_ICMP_LIMIT;
  /** Linux icsk_mtup.enabled: the MSS is held at searchLow and probed upward. */
  enabled: boolean;
  /** Largest MSS known to work, and smallest known (or assumed) not to + 1. */
  searchLow: number;
  searchHigh: number;
  /** The probe in flight, if any. */
  probe: MtuProbe | undefined;
  private probeStamp: number;

  constructor(
    readonly mode: MtuProbing,
    private maxMss: number,
    now: number,
  ) {
    this.enabled = mode === 2;
    this.searchLow = Math.min(BASE_MSS, maxMss);
    this.searchHigh = maxMss;
    this.probeStamp = now;
  }

  /** The largest MSS this side and the peer allow (setMax; the configured MSS before it). */
  get maxSegment(): number {
    return this.maxMss;
  }

  /**
   * Nothing learned and nothing to do: not probing (modes 0 and 1 until a black hole is suspected), no
   * ICMP limit, no probe out, the search range where setMax put it. Such a PathMtu is made again, the
   * same, from the mode, the configured MSS and `maxSegment` (new PathMtu, then setMax): an idle
   * connection keeps only that number (sender.ts).
   */
  get plain(): boolean {
    return !this.enabled && this.mode !== 2 && this.icmpMss === NO_ICMP_LIMIT && this.probe === undefined && this.searchHigh === this.maxMss && this.searchLow === Math.min(BASE_MSS, this.maxMss);
  }

  /** The MSS the handshake allows (ours and the peer's): the top of the search (Linux tcp_mtup_init after the SYN). */
  setMax(maxMss: number): void {
    this.maxMss = maxMss;
    this.searchHigh = Math.min(maxMss, this.icmpMss);
    this.searchLow = Math.min(this.searchLow, this.searchHigh);
  }

  /** The largest segment (without options) to send now. */
  get mss(): number {
    const path = Math.min(this.maxMss, this.icmpMss);
    return this.enabled ? Math.min(path, this.searchLow) : path;
  }

  /**
   * ICMP says the path carries at most `mss` (already floored by the caller).
   * True when that lowers the MSS in use (Linux tcp_v4_mtu_reduced acts only
   * when the new PMTU is below the one the socket uses).
   */
  lowerTo(mss: number): boolean {
    const before = this.mss;
    if (mss >= Math.min(this.maxMss, this.icmpMss)) return false;
    this.icmpMss = mss;
    if (this.searchHigh > mss) this.searchHigh = mss; // Linux tcp_sync_mss
    if (this.searchLow > mss) this.searchLow = mss;
    return this.mss < before;
  }

  /**
   * A retransmission timeout, `stalledMs` after the first timeout of this stall (nothing acknowledged since;
   * 0 on that first one). True when the MSS changed (Linux tcp_write_timeout → tcp_mtu_probing). Linux times
   * from the stall's first retransmission; a stall that began with a fast retransmit is timed from its first
   * timeout here, which suspects a black hole no sooner than Linux. It is time, not a count of timeouts: at
   * a 200 ms RTO the 5th timeout is the first 3 s after the first, at 1 s the 3rd. (Three timeouts in a row
   * are common on a lossy path: a count halved the MSS of connections that had merely lost a few
   * retransmissions or their ACKs.)
   */
  onTimeout(stalledMs: number, now: number): boolean {
    if (this.mode === 0 || stalledMs < BLACK_HOLE_STALL_MS) return false;
    const before = this.mss;
    if (!this.enabled) {
      this.enabled = true; // the MSS falls to searchLow = tcp_base_mss
      this.probeStamp = now;
    } else {
      this.searchLow = Math.max(Math.min(BASE_MSS, this.searchLow >> 1), PROBE_FLOOR_MSS);
    }
    this.probe = undefined;
    return this.mss !== before;
  }

  /**
   * The MSS to probe with now, or undefined (Linux tcp_mtu_probe): midway
   * between what works and what does not, while the range is still wider
   * than tcp_probe_threshold; after tcp_probe_interval the search starts
   * over from the MSS in use (tcp_mtu_check_reprobe).
   */
  probeSize(now: number): number | undefined {
    if (!this.enabled || this.probe !== undefined) return undefined;
    if (now - this.probeStamp >= PROBE_INTERVAL_MS) {
      this.searchHigh = Math.min(this.maxMss, this.icmpMss);
      this.searchLow = this.mss;
      this.probeStamp = now;
    }
    const size = (this.searchHigh + this.searchLow) >> 1;
    if (this.searchHigh - this.searchLow < PROBE_THRESHOLD || size <= this.mss) return undefined;
    return size;
  }

  sent(size: number, start: number, end: number): void {
    this.probe = { size, start, end };
  }

  /** The probe was acknowledged: its size works (Linux tcp_mtup_probe_success). */
  succeeded(now: number): void {
    if (!this.probe) return;
    this.searchLow = this.probe.size;
    this.probe = undefined;
    this.probeStamp = now;
  }

  /** The probe was lost: its size does not work (Linux tcp_mtup_probe_failed). */
  failed(): void {
    if (!this.probe) return;
    this.searchHigh = this.probe.size - 1;
    this.probe = undefined;
  }
}
