/**
 * A link carries whole IP packets (no link-layer header) between a stack and
 * something else: another in-memory stack, or the kernel through TUN.
 */
export interface Link {
  /** Largest IP packet, in bytes, this link carries. */
  readonly mtu: number;
  /** What the link does for the stack (TSO, checksums); absent: nothing, every packet goes out as handed over. */
  readonly offload?: LinkOffload;
  /**
   * Hand one IP packet to the link. The packet is valid only during the call (issue 11, "Link
   * contract"): the stack builds every packet in one reused buffer, so a link that sends later, or
   * keeps the bytes (a queue, a capture, an in-memory wire), copies them before it returns — as a
   * real link copies into its device (MemoryLink and TunLink do; pcap's tap copies what it records).
   * A wrapper passes the packet on within the call.
   * Only on a link with `offload`: `csumPartial` says the TCP checksum field holds just the
   * pseudo-header sum (the link completes it), and a TCP payload longer than `segmentSize` (> 0)
   * is a TSO super-segment the link cuts into segments of `segmentSize` payload bytes (up to
   * `offload.tsoMaxBytes` of IP packet).
   */
  send(packet: Uint8Array, segmentSize?: number, csumPartial?: boolean): void;
  /**
   * A buffer the sender may build its next packet in and hand to `send` (as a
   * view of its start), saving the copy into the link's own buffer: TunLink
   * lends the space after its virtio header, so a packet goes to write(2) as
   * built. The link may write into it between sends (the stack rewrites every
   * byte of each packet it builds there). Absent on most links and on
   * wrappers, which do not pass it on; the stack then builds in its own buffer.
   */
  readonly txScratch?: Uint8Array;
  /**
   * Register the single receiver of packets arriving from the link. A delivered packet is valid only
   * during the call (issue 11, "Link contract"): a link may deliver every packet from one reused buffer
   * and write the next one there once the handler returns, so the receiver copies whatever it keeps (the
   * stack copies every payload octet into its receive queue, and a packet it takes later, segment.ts).
   * A wrapper passes the packet on within the call, or copies it. A link that gives each packet away
   * (a buffer of its own, never written again) says so with RX_OWNED.
   * `flags` (RX_* below, 0 or absent for none) tells what the link knows about the packet.
   */
  onPacket(handler: (packet: Uint8Array, flags?: number) => void): void;
  /** Stop delivering and release resources. Idempotent. */
  close(): void;
}

/** Offloads a link performs (a TUN device with IFF_VNET_HDR and TUNSETOFFLOAD). */
export interface LinkOffload {
  /** Largest IP packet a TSO super-segment may be (the link cuts it to the MTU). */
  readonly tsoMaxBytes: number;
}

/**
 * Receive flag: the transport checksum needs no verification — the packet
 * comes from the local kernel, which vouches for it (virtio NEEDS_CSUM or
 * DATA_VALID). With NEEDS_CSUM the TCP checksum field holds only the
 * pseudo-header sum, so verifying it would fail. A packet with this flag may
 * also be a GSO super-packet: one TCP segment longer than the MTU.
 */
export const RX_CSUM_TRUSTED = 1;

/**
 * Receive flag: the packet is the receiver's to keep — the link gave it a
 * buffer of its own and never writes there again (MemoryLink's copies) — an
 * exception to "valid only during the call". The receive queue then takes a
 * large payload that fills the packet as a page without copying it
 * (receive-queue.ts `adoptable`). A link that delivers from a reused buffer,
 * and a wrapper that cannot vouch for its inner link, leave it off.
 */
export const RX_OWNED = 2;
