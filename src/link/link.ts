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
   * Hand one IP packet to the link. The link may keep a reference: callers must not reuse the buffer.
   * Only on a link with `offload`: `csumPartial` says the TCP checksum field holds just the
   * pseudo-header sum (the link completes it), and a TCP payload longer than `segmentSize` (> 0)
   * is a TSO super-segment the link cuts into segments of `segmentSize` payload bytes (up to
   * `offload.tsoMaxBytes` of IP packet).
   */
  send(packet: Uint8Array, segmentSize?: number, csumPartial?: boolean): void;
  /**
   * A buffer the sender may build its next packet in and hand to `send` (as a
   * view of its start): a link that offers one copies the packet out before
   * `send` returns, so the buffer is free again at once. Absent on links that
   * keep packets (and on wrappers, which do not pass it on).
   */
  readonly txScratch?: Uint8Array;
  /**
   * Register the single receiver of packets arriving from the link. The receiver owns each packet it is given (it may keep views into it): a link never reuses a delivered buffer.
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
