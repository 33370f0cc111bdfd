/** Whole IP+TCP packets: what the stack sends and receives over a Link. */
import { pseudoHeaderSum } from './checksum.js';
import { err, ok, type ParseResult } from './errors.js';
import { readIp, type IpHeader } from './ip.js';
import { writeIpv4Header } from './ipv4.js';
import { writeIpv6 } from './ipv6.js';
import { tcpOptionsLength } from './tcp-options.js';
import { readTcp, writeTcpSized, type TcpHeader, type TcpSegmentOut } from './tcp.js';

export const PROTO_TCP = 6;
/** IPv6 Fragment extension header (RFC 8200 §4.5). */
export const IPV6_FRAGMENT = 44;

/**
 * Build a complete IPv4 (4-byte addresses) or IPv6 (16-byte addresses)
 * packet carrying `seg`, in one allocation, with both checksums filled.
 * `opts.ttl` is the IPv4 TTL or IPv6 hop limit (default 64); `opts.id` the
 * IPv4 identification (default 0, DF set); `opts.csumPartial` leaves the TCP
 * checksum field holding the pseudo-header sum only, for a link that completes
 * it (checksum offload); `opts.ecn` the ECN codepoint (ecn.ts: the low 2 bits
 * of the IPv4 TOS / IPv6 Traffic Class, default Not-ECT); `opts.into` a
 * buffer to build the packet in when it is large enough (the result is then a
 * view of its start; a link's reusable transmit buffer saves a fresh
 * allocation per packet, which for 64 KB TSO segments cost more than the copy).
 * Throws RangeError on mismatched address sizes or an oversized packet.
 */
export function buildTcpPacket(
  src: Uint8Array,
  dst: Uint8Array,
  seg: TcpSegmentOut,
  opts?: { ttl?: number; id?: number; csumPartial?: boolean; ecn?: number; into?: Uint8Array },
): Uint8Array {
  const optLen = seg.options ? tcpOptionsLength(seg.options) : 0;
  const tcpLength = 20 + optLen + (seg.payload ? seg.payload.length : 0);
  const pseudo = pseudoHeaderSum(src, dst, PROTO_TCP, tcpLength); // validates address sizes
  const ttl = opts?.ttl ?? 64;
  const ecn = (opts?.ecn ?? 0) & 0b11;
  if (src.length === 4) {
    const buf = packetBuffer(20 + tcpLength, 20 + 20 + optLen, opts?.into);
    writeIpv4Header(buf, 0, src, dst, PROTO_TCP, tcpLength, ttl, opts?.id ?? 0, ecn, true);
    writeTcpSized(buf, 20, seg, optLen, pseudo, opts?.csumPartial);
    return buf;
  }
  const buf = packetBuffer(40 + tcpLength, 40 + 20 + optLen, opts?.into);
  writeIpv6(buf, 0, { src, dst, nextHeader: PROTO_TCP, payloadLength: tcpLength, hopLimit: ttl, trafficClass: ecn });
  writeTcpSized(buf, 40, seg, optLen, pseudo, opts?.csumPartial);
  return buf;
}

/** `length` bytes to build a packet in: the start of `into` (its first `headerBytes` zeroed, as a fresh buffer's) if it is large enough, else a new buffer. */
function packetBuffer(length: number, headerBytes: number, into: Uint8Array | undefined): Uint8Array {
  if (into === undefined || into.length < length) return new Uint8Array(length);
  into.fill(0, 0, headerBytes);
  return into.subarray(0, length);
}

/**
 * Why `ip` does not carry one whole TCP segment, or undefined when it does:
 * an IPv4 fragment (MF set or offset ≠ 0) or an IPv6 Fragment header is
 * 'ip-fragment' (no reassembly); any other protocol / next header than 6 is
 * 'not-tcp' (IPv6 extension headers are not walked).
 */
export function notWholeTcp(ip: IpHeader): 'ip-fragment' | 'not-tcp' | undefined {
  if (ip.version === 4) {
    if (ip.moreFragments || ip.fragmentOffset !== 0) return 'ip-fragment';
    return ip.protocol === PROTO_TCP ? undefined : 'not-tcp';
  }
  if (ip.nextHeader === IPV6_FRAGMENT) return 'ip-fragment';
  return ip.nextHeader === PROTO_TCP ? undefined : 'not-tcp';
}

/**
 * Parse an IP packet carrying TCP. Never throws. IP errors propagate; IPv4
 * fragments (MF set or offset ≠ 0) and IPv6 packets whose next header is
 * Fragment are 'ip-fragment' (no reassembly); any other protocol / next
 * header than 6 is 'not-tcp' (IPv6 extension headers are not walked); then
 * the segment is parsed with its pseudo-header checksum verified (unless
 * `verifyChecksum` is false: the link vouches for it, see RX_CSUM_TRUSTED).
 */
export function parseTcpPacket(bytes: Uint8Array, verifyChecksum = true): ParseResult<{ ip: IpHeader; tcp: TcpHeader }> {
  const ip = readIp(bytes);
  if (typeof ip === 'string') return err(ip);
  const notTcp = notWholeTcp(ip);
  if (notTcp !== undefined) return err(notTcp);
  const tcp = readTcp(ip.payload, verifyChecksum ? pseudoHeaderSum(ip.src, ip.dst, PROTO_TCP, ip.payload.length) : undefined);
  if (typeof tcp === 'string') return err(tcp);
  return ok({ ip, tcp });
}
