/** What TunLink and its reader thread share (kept apart so importing it never starts the reader loop). */

export interface ReaderData {
  fd: number;
  wakeFd: number;
  /** Interface name, to name the thread. */
  name: string;
  /** Bytes of per-packet header before each packet read (virtio_net_hdr: 10; 0 without IFF_VNET_HDR). */
  headerBytes: number;
  /** The packet ring (ring.ts). */
  sab: SharedArrayBuffer;
  /** One Int32: who goes first, the reader starting or the link closing (see the constants below). */
  control: SharedArrayBuffer;
}

/** Messages from the reader thread: 0 = "packets in the ring, and you were idle". */
export type ReaderMessage = 0 | { t: 'ready' } | { t: 'error'; syscall: string; errno: number };

/** control[0]: the reader CASes NOT_STARTED → RUNNING before it touches an fd; close() CASes NOT_STARTED → CANCELLED. */
export const NOT_STARTED = 0;
export const RUNNING = 1;
export const CANCELLED = 2;
