/**
 * A bounded free list of small send rings, shared by every SendBuffer in the
 * process (as Linux keeps skbs in a slab cache rather than returning each to
 * the page allocator).
 *
 * A request/response connection empties its send ring on every full ACK; an
 * idle connection must then hold no send memory (issue 11, "buffers on
 * demand"), yet allocating and zeroing a fresh ring for the next 1-byte write
 * is what short connections spent their time on. Rings of the one small size
 * go back here instead and the next write takes one: idle connections still
 * hold nothing, busy ones stop churning, and what the list pins is bounded by
 * `MAX_POOLED` rings whatever the number of connections. Larger rings (bulk
 * senders) are left to the garbage collector: keeping them would pin
 * megabytes for the sake of a rare reallocation.
 *
 * A pooled ring's old bytes are never read: a SendBuffer only returns bytes it
 * wrote since it took the ring.
 */

/** Bytes of a pooled ring (ring plus mirror area): the first ring a SendBuffer allocates. */
export const POOLED_RING_BYTES = 4096;
/** At most this many rings wait here (256 KiB). */
const MAX_POOLED = 64;

const free: Uint8Array[] = [];

/** A ring of `POOLED_RING_BYTES`, reused when one is free. */
export function takeSmallRing(): Uint8Array {
  return free.pop() ?? new Uint8Array(POOLED_RING_BYTES);
}

/** Hand back a ring of `POOLED_RING_BYTES` no longer in use; dropped when the list is full. */
export function giveSmallRing(ring: Uint8Array): void {
  if (ring.byteLength === POOLED_RING_BYTES && free.length < MAX_POOLED) free.push(ring);
}
