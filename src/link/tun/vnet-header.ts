/**
 * struct virtio_net_hdr (linux/virtio_net.h, virtio spec §5.1.6), the header
 * a TUN device opened with IFF_VNET_HDR puts before every packet read and
 * expects before every packet written:
 *
 *   u8 flags; u8 gso_type; le16 hdr_len; le16 gso_size; le16 csum_start; le16 csum_offset
 *
 * 10 bytes. synack uses this basic form, the TUN default (TUNSETVNETHDRSZ is
 * never called): the 12-byte form only adds num_buffers, which counts the
 * receive buffers a mergeable-buffer virtio NIC spread one packet over — a
 * TUN read(2) always returns one packet in one buffer, so it would always be
 * 1. Fields are little-endian (tun(4) on a little-endian host, and every
 * host with TUNSETVNETLE-era kernels that did not ask for big-endian).
 *
 * Meaning, for a packet the kernel hands us (tun_put_user →
 * virtio_net_hdr_from_skb) and for one we hand it (tun_get_user →
 * virtio_net_hdr_to_skb):
 * - NEEDS_CSUM: the transport checksum is partial — the field at
 *   csum_start + csum_offset holds only the pseudo-header sum; whoever puts
 *   the packet on a real wire computes the rest over [csum_start, end).
 * - DATA_VALID: the checksum was verified (or the data is local).
 * - gso_type TCPV4 / TCPV6 with gso_size: a TSO/GSO super-packet, one IP
 *   and TCP header over up to 64 KB of payload, to be cut into segments of
 *   gso_size payload bytes (TCP flags, IP ids and checksums fixed up per
 *   segment by the kernel). hdr_len is the length of the IP + TCP headers.
 *
 * No Node APIs: plain byte arithmetic over a Uint8Array, no allocation.
 */

export const VNET_HDR_LEN = 10;

export const VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
export const VIRTIO_NET_HDR_F_DATA_VALID = 2;

export const VIRTIO_NET_HDR_GSO_NONE = 0;
export const VIRTIO_NET_HDR_GSO_TCPV4 = 1;
export const VIRTIO_NET_HDR_GSO_UDP = 3;
export const VIRTIO_NET_HDR_GSO_TCPV6 = 4;
export const VIRTIO_NET_HDR_GSO_UDP_L4 = 5;
/** Bit or-ed into gso_type: the TCP stream uses ECN (CWR on the first segment only). */
export const VIRTIO_NET_HDR_GSO_ECN = 0x80;

/** Offset of the checksum field inside a TCP header (RFC 9293 §3.1). */
export const TCP_CSUM_OFFSET = 16;

export interface VnetHeader {
  flags: number;
  gsoType: number;
  hdrLen: number;
  gsoSize: number;
  csumStart: number;
  csumOffset: number;
}

const u16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
}

/** Decode the header at `at` (tests and diagnostics; the receive path reads single fields with the accessors below). */
export function readVnetHeader(b: Uint8Array, at = 0): VnetHeader {
  if (at < 0 || at + VNET_HDR_LEN > b.length) throw new RangeError(`virtio_net_hdr: needs ${VNET_HDR_LEN} bytes at ${at}, buffer has ${b.length}`);
  return { flags: b[at]!, gsoType: b[at + 1]!, hdrLen: u16(b, at + 2), gsoSize: u16(b, at + 4), csumStart: u16(b, at + 6), csumOffset: u16(b, at + 8) };
}

/** Encode `h` at `at`. Throws RangeError on a field out of range or a buffer too short. */
export function writeVnetHeader(b: Uint8Array, at: number, h: VnetHeader): void {
  if (at < 0 || at + VNET_HDR_LEN > b.length) throw new RangeError(`virtio_net_hdr: needs ${VNET_HDR_LEN} bytes at ${at}, buffer has ${b.length}`);
  for (const k of ['hdrLen', 'gsoSize', 'csumStart', 'csumOffset'] as const) {
    if (!Number.isInteger(h[k]) || h[k] < 0 || h[k] > 0xffff) throw new RangeError(`virtio_net_hdr: ${k} must be an integer in 0..65535, got ${h[k]}`);
  }
  for (const k of ['flags', 'gsoType'] as const) {
    if (!Number.isInteger(h[k]) || h[k] < 0 || h[k] > 0xff) throw new RangeError(`virtio_net_hdr: ${k} must be an integer in 0..255, got ${h[k]}`);
  }
  b[at] = h.flags;
  b[at + 1] = h.gsoType;
  put16(b, at + 2, h.hdrLen);
  put16(b, at + 4, h.gsoSize);
  put16(b, at + 6, h.csumStart);
  put16(b, at + 8, h.csumOffset);
}

/** The flags byte of the header at `at`. */
export function vnetFlags(b: Uint8Array, at: number): number {
  return b[at]!;
}

/** gso_type without the ECN bit. */
export function vnetGsoType(b: Uint8Array, at: number): number {
  return b[at + 1]! & ~VIRTIO_NET_HDR_GSO_ECN;
}

export function vnetCsumStart(b: Uint8Array, at: number): number {
  return u16(b, at + 6);
}

export function vnetCsumOffset(b: Uint8Array, at: number): number {
  return u16(b, at + 8);
}

/**
 * The header for writing the IP packet `packet` (IPv4 or IPv6 carrying TCP
 * right after the fixed header, as synack builds them) whose TCP checksum
 * field holds only the pseudo-header sum: NEEDS_CSUM over the TCP segment,
 * and, when its payload is longer than `segmentSize` (> 0), TSO: gso_type
 * TCPV4 / TCPV6 with gso_size = segmentSize. Written at `at` of `out`.
 * Returns false (nothing written) when the packet is not such a packet.
 */
export function writeTcpOffloadHeader(out: Uint8Array, at: number, packet: Uint8Array, segmentSize: number): boolean {
  if (packet.length < 20) return false;
  const version = packet[0]! >>> 4;
  let l3: number;
  if (version === 4) {
    l3 = (packet[0]! & 0x0f) * 4;
    if (packet[9] !== 6) return false;
  } else if (version === 6) {
    l3 = 40;
    if (packet[6] !== 6) return false;
  } else {
    return false;
  }
  if (packet.length < l3 + 20) return false;
  const l4 = (packet[l3 + 12]! >>> 4) * 4;
  const hdrLen = l3 + l4;
  const payload = packet.length - hdrLen;
  const gso = segmentSize > 0 && payload > segmentSize;
  out[at] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
  // CWR set: say the stream uses ECN, so the cutter keeps CWR on the first segment only (virtio GSO_ECN).
  const ecn = (packet[l3 + 13]! & 0x80) !== 0 ? VIRTIO_NET_HDR_GSO_ECN : 0;
  out[at + 1] = gso ? (version === 4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6) | ecn : VIRTIO_NET_HDR_GSO_NONE;
  put16(out, at + 2, hdrLen);
  put16(out, at + 4, gso ? segmentSize : 0);
  put16(out, at + 6, l3);
  put16(out, at + 8, TCP_CSUM_OFFSET);
  return true;
}
