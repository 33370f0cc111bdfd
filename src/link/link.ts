/**
 * A link carries whole IP packets (no link-layer header) between a stack and
 * something else: another in-memory stack, or the kernel through TUN.
 */
export interface Link {
  /** Largest IP packet, in bytes, this link carries. */
  readonly mtu: number;
  /** Hand one IP packet to the link. The link may keep a reference: callers must not reuse the buffer. */
  send(packet: Uint8Array): void;
  /** Register the single receiver of packets arriving from the link. The receiver owns each packet it is given (it may keep views into it): a link never reuses a delivered buffer. */
  onPacket(handler: (packet: Uint8Array) => void): void;
  /** Stop delivering and release resources. Idempotent. */
  close(): void;
}
