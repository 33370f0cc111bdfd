/**
 * ICMP and ICMPv6 error messages about TCP segments (RFC 792, RFC 1191 §4,
 * RFC 4443 §§3.1–3.2, RFC 5927): parse the outer packet, verify the ICMP
 * checksum, classify type and code, and read the quoted IP header and the
 * first 8 bytes of the quoted TCP header (ports and sequence number), which
 * is all RFC 792 promises. Never throws; anything else is a typed rejection.
 */
import { getU16, getU32, setU16, setU32 } from './bytes.js';
import { finishChecksum, onesSum, pseudoHeaderSum } from './checksum.js';
import { wrap, type ParseResult, type WireError } from './errors.js';
import { readIp } from './ip.js';
import { writeIpv4Header } from './ipv4.js';
import { writeIpv6 } from './ipv6.js';

export const PROTO_ICMP = 1;
export const PROTO_ICMPV6 = 58;
const PROTO_TCP = 6;

/** What the error says, independent of the IP version. */
export type IcmpKind =
  /** ICMP type 3 code 0 (also codes 6, 9, 11), ICMPv6 type 1 code 0: no route. */
  | 'net-unreachable'
  /** ICMP type 3 code 1 (also 7, 10, 12), ICMPv6 type 1 code 3 (and 2, beyond scope). */
  | 'host-unreachable'
  /** ICMP type 3 code 2 (IPv6 reports this as a Parameter Problem, not handled). */
  | 'protocol-unreachable'
  /** ICMP type 3 code 3, ICMPv6 type 1 code 4. */
  | 'port-unreachable'
  /** ICMP type 3 code 4 "fragmentation needed and DF set" (RFC 1191), ICMPv6 type 2 "Packet Too Big" (RFC 8201). */
  | 'packet-too-big'
  /** ICMP type 3 code 13 (and 9, 10 are net/host above), ICMPv6 type 1 codes 1, 5, 6: administratively prohibited. */
  | 'admin-prohibited'
  /** Any other destination-unreachable code (source route failed, host precedence …). */
  | 'unreachable';

/** The fields of the quoted (our own) packet that identify a connection and a segment. */
export interface IcmpQuote {
  /** 4 or 16 bytes: our address, as the quoted packet had it. */
  src: Uint8Array;
  dst: Uint8Array;
  srcPort: number;
  dstPort: number;
  seq: number;
}

export interface IcmpError {
  version: 4 | 6;
  type: number;
  code: number;
  kind: IcmpKind;
  /** Next-hop MTU of a packet-too-big (0 when an old IPv4 router leaves it out, RFC 1191 §4); 0 for other kinds. */
  mtu: number;
  /** The ICMP message's sender (a router or the peer) and destination (us). */
  from: Uint8Array;
  to: Uint8Array;
  quote: IcmpQuote;
}

/**
 * Parse an IP packet carrying an ICMP (IPv4, protocol 1) or ICMPv6 (next
 * header 58, no extension headers) error about a TCP segment. Rejections:
 * the outer IP errors; 'not-icmp' (another protocol, or an IPv4 fragment);
 * 'short-icmp' (under 8 bytes); 'bad-icmp-checksum'; 'icmp-not-error' (echo,
 * redirect, time exceeded … or a type synack does not act on);
 * 'bad-icmp-quote' (the quote is not an IP header of the same version with
 * at least 8 bytes of TCP after it).
 */
export function parseIcmpPacket(bytes: Uint8Array): ParseResult<IcmpError> {
  return wrap(readIcmpPacket(bytes));
}

/** parseIcmpPacket without the result wrapper: the error message, or why not. */
export function readIcmpPacket(bytes: Uint8Array): IcmpError | WireError {
  const ip = readIp(bytes);
  if (typeof ip === 'string') return ip;
  const msg = ip.payload;
  let sum: number;
  if (ip.version === 4) {
    if (ip.protocol !== PROTO_ICMP || ip.moreFragments || ip.fragmentOffset !== 0) return 'not-icmp';
    if (msg.length < 8) return 'short-icmp';
    sum = onesSum(msg); // RFC 792: the checksum covers the ICMP message only
  } else {
    if (ip.nextHeader !== PROTO_ICMPV6) return 'not-icmp';
    if (msg.length < 8) return 'short-icmp';
    sum = onesSum(msg, pseudoHeaderSum(ip.src, ip.dst, PROTO_ICMPV6, msg.length)); // RFC 4443 §2.3
  }
  if (finishChecksum(sum) !== 0) return 'bad-icmp-checksum';
  const type = msg[0]!;
  const code = msg[1]!;
  const kind = ip.version === 4 ? kindV4(type, code) : kindV6(type, code);
  if (kind === undefined) return 'icmp-not-error';
  const mtu = kind !== 'packet-too-big' ? 0 : ip.version === 4 ? getU16(msg, 6) : getU32(msg, 4);
  const quote = readQuote(msg.subarray(8), ip.version);
  if (quote === undefined) return 'bad-icmp-quote';
  return { version: ip.version, type, code, kind, mtu, from: ip.src, to: ip.dst, quote };
}

function kindV4(type: number, code: number): IcmpKind | undefined {
  if (type !== 3) return undefined; // Destination Unreachable only (RFC 792)
  switch (code) {
    case 0:
    case 6:
    case 9:
    case 11:
      return 'net-unreachable';
    case 1:
    case 7:
    case 10:
    case 12:
      return 'host-unreachable';
    case 2:
      return 'protocol-unreachable';
    case 3:
      return 'port-unreachable';
    case 4:
      return 'packet-too-big';
    case 13:
      return 'admin-prohibited';
    default:
      return code <= 15 ? 'unreachable' : undefined;
  }
}

function kindV6(type: number, code: number): IcmpKind | undefined {
  if (type === 2) return 'packet-too-big'; // RFC 4443 §3.2 (code 0; others are ignored by receivers, so taken too)
  if (type !== 1) return undefined;
  switch (code) {
    case 0:
      return 'net-unreachable';
    case 2:
    case 3:
      return 'host-unreachable';
    case 4:
      return 'port-unreachable';
    case 1:
    case 5:
    case 6:
      return 'admin-prohibited';
    default:
      return 'unreachable';
  }
}

/** The quoted packet: an IP header of the same version carrying TCP, then at least 8 bytes of it. */
function readQuote(q: Uint8Array, version: 4 | 6): IcmpQuote | undefined {
  let tcpAt: number;
  let src: Uint8Array;
  let dst: Uint8Array;
  if (version === 4) {
    if (q.length < 20 || q[0]! >>> 4 !== 4) return undefined;
    tcpAt = (q[0]! & 0x0f) * 4;
    if (tcpAt < 20 || q[9] !== PROTO_TCP) return undefined;
    if ((getU16(q, 6) & 0x1fff) !== 0) return undefined; // a later fragment quotes no TCP header
    src = q.subarray(12, 16);
    dst = q.subarray(16, 20);
  } else {
    if (q.length < 40 || q[0]! >>> 4 !== 6 || q[6] !== PROTO_TCP) return undefined;
    tcpAt = 40;
    src = q.subarray(8, 24);
    dst = q.subarray(24, 40);
  }
  if (q.length < tcpAt + 8) return undefined;
  return { src, dst, srcPort: getU16(q, tcpAt), dstPort: getU16(q, tcpAt + 2), seq: getU32(q, tcpAt + 4) };
}

/** Type and code of an error of `kind` for each version (the code written by buildIcmpError). */
export function icmpTypeCode(kind: IcmpKind, version: 4 | 6): [number, number] {
  if (version === 4) {
    const codes: Record<IcmpKind, number> = { 'net-unreachable': 0, 'host-unreachable': 1, 'protocol-unreachable': 2, 'port-unreachable': 3, 'packet-too-big': 4, 'admin-prohibited': 13, unreachable: 5 };
    return [3, codes[kind]];
  }
  if (kind === 'packet-too-big') return [2, 0];
  const codes: Record<IcmpKind, number> = { 'net-unreachable': 0, 'host-unreachable': 3, 'protocol-unreachable': 3, 'port-unreachable': 4, 'packet-too-big': 0, 'admin-prohibited': 1, unreachable: 7 };
  return [1, codes[kind]];
}

/** Most of the offending packet an ICMP error carries: RFC 1812 §4.3.2.3 (576 bytes in all) and RFC 4443 §2.4 (c) (1280). */
const MAX_QUOTE_V4 = 576 - 20 - 8;
const MAX_QUOTE_V6 = 1280 - 40 - 8;

/**
 * Build the ICMP error a router (`from`) sends back about `original` (an IP
 * packet of the same version), to the original's source, quoting as much of
 * it as RFC 1812 / RFC 4443 allow. `mtu` is the next-hop MTU of a
 * packet-too-big. Throws RangeError if `original` is not an IP packet of the
 * version of `from` (a programming error: routers and tests call this).
 */
export function buildIcmpError(from: Uint8Array, original: Uint8Array, kind: IcmpKind, mtu = 0): Uint8Array {
  const v = from.length === 4 ? 4 : 6;
  if (original.length < (v === 4 ? 20 : 40) || original[0]! >>> 4 !== v) throw new RangeError(`buildIcmpError: the original is not an IPv${v} packet`);
  const to = v === 4 ? original.subarray(12, 16) : original.subarray(8, 24);
  const quote = original.subarray(0, Math.min(original.length, v === 4 ? MAX_QUOTE_V4 : MAX_QUOTE_V6));
  const msgLen = 8 + quote.length;
  const ipLen = v === 4 ? 20 : 40;
  const buf = new Uint8Array(ipLen + msgLen);
  if (v === 4) writeIpv4Header(buf, 0, from, to, PROTO_ICMP, msgLen, 64, 0, 0xc0, false); // TOS: internetwork control, as Linux's icmp_send
  else writeIpv6(buf, 0, { src: from, dst: to, nextHeader: PROTO_ICMPV6, payloadLength: msgLen, hopLimit: 64 });
  const msg = buf.subarray(ipLen);
  const [type, code] = icmpTypeCode(kind, v);
  msg[0] = type;
  msg[1] = code;
  if (kind === 'packet-too-big') {
    if (v === 4) setU16(msg, 6, mtu);
    else setU32(msg, 4, mtu);
  }
  msg.set(quote, 8);
  const pseudo = v === 4 ? 0 : pseudoHeaderSum(from, to, PROTO_ICMPV6, msgLen);
  setU16(msg, 2, finishChecksum(onesSum(msg, pseudo)));
  return buf;
}
