/**
 * The ECN field of IP (RFC 3168 §5): the low two bits of the IPv4 TOS octet
 * and of the IPv6 Traffic Class. Read it from a parsed header, and CE-mark a
 * packet in place (what a congested router does, RFC 3168 §5/§6.1.1).
 */
import { setU16 } from './bytes.js';
import { finishChecksum, onesSumRange } from './checksum.js';
import type { IpHeader } from './ip.js';

/** Not ECN-Capable Transport. */
export const NOT_ECT = 0b00;
/** ECN-Capable Transport, ECT(1) (RFC 3168; L4S uses it, RFC 9331). */
export const ECT1 = 0b01;
/** ECN-Capable Transport, ECT(0): what RFC 3168 TCP sets on data. */
export const ECT0 = 0b10;
/** Congestion Experienced, set by a router instead of dropping. */
export const CE = 0b11;

export type EcnCodepoint = typeof NOT_ECT | typeof ECT1 | typeof ECT0 | typeof CE;

/** The ECN codepoint of a parsed IPv4 or IPv6 header. */
export function ipEcn(ip: IpHeader): EcnCodepoint {
  return ((ip.version === 4 ? ip.tos : ip.trafficClass) & 0b11) as EcnCodepoint;
}

/** How tcpdump names a codepoint ("ECT(0)", "CE"); Not-ECT is the empty string. */
export function ecnName(cp: number): '' | 'ECT(1)' | 'ECT(0)' | 'CE' {
  switch (cp & 0b11) {
    case ECT1:
      return 'ECT(1)';
    case ECT0:
      return 'ECT(0)';
    case CE:
      return 'CE';
    default:
      return '';
  }
}

/**
 * Set CE on an ECN-capable IPv4 or IPv6 packet, in place (the IPv4 header
 * checksum is recomputed), as a congested router does instead of dropping it.
 * Returns true when the packet now carries CE (it was ECT, or CE already);
 * false, changing nothing, when it is Not-ECT (a router must drop it instead,
 * RFC 3168 §5) or not a well-formed IP header. Never throws.
 */
export function markCe(packet: Uint8Array): boolean {
  if (packet.length < 1) return false;
  const version = packet[0]! >>> 4;
  if (version === 4) {
    const ihl = (packet[0]! & 0x0f) * 4;
    if (ihl < 20 || packet.length < ihl) return false;
    const cp = packet[1]! & 0b11;
    if (cp === NOT_ECT) return false;
    if (cp === CE) return true;
    packet[1] = packet[1]! | CE;
    setU16(packet, 10, 0);
    setU16(packet, 10, finishChecksum(onesSumRange(packet, 0, ihl)));
    return true;
  }
  if (version === 6) {
    if (packet.length < 40) return false;
    // Traffic Class spans the low nibble of byte 0 and the high nibble of byte 1: its ECN bits are byte 1's 0x30.
    const cp = (packet[1]! >>> 4) & 0b11;
    if (cp === NOT_ECT) return false;
    if (cp === CE) return true;
    packet[1] = packet[1]! | (CE << 4);
    return true;
  }
  return false;
}

