/**
 * Per-stack bounds on what peers and departed applications can pin (R9),
 * with Linux's defaults: tcp_max_orphans and tcp_max_tw_buckets are both half
 * the established-hash size, which Linux sizes at one bucket per 128 KiB of
 * memory rounded up to a power of two (alloc_large_system_hash), at least 128.
 */
export interface StackLimits {
  /** Orphaned connections (closed by the application, still closing) before new ones are reset (tcp_max_orphans). */
  maxOrphans: number;
  /** TIME_WAIT entries before a closing connection skips TIME_WAIT (tcp_max_tw_buckets). */
  maxTimeWait: number;
}

/** Memory assumed when the embedder does not say: 4 GiB. */
export const DEFAULT_MEMORY_BYTES = 4 * 2 ** 30;

/** Linux's tcp_max_orphans / tcp_max_tw_buckets for a host with `memoryBytes` of memory. */
export function linuxLikeLimit(memoryBytes: number): number {
  const buckets = 2 ** Math.ceil(Math.log2(Math.max(1, memoryBytes / (128 * 1024))));
  return Math.max(128, buckets / 2);
}

export function resolveLimits(o: { maxOrphans?: number; maxTimeWait?: number; memoryBytes?: number }): StackLimits {
  const dflt = linuxLikeLimit(o.memoryBytes ?? DEFAULT_MEMORY_BYTES);
  const limits = { maxOrphans: o.maxOrphans ?? dflt, maxTimeWait: o.maxTimeWait ?? dflt };
  for (const [k, v] of Object.entries(limits)) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`stack option ${k} must be a non-negative integer, got ${String(v)}`);
  }
  return limits;
}
