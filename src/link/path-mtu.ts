/**
 * A narrower hop somewhere along an emulated path (MemoryLink's `pathMtu`):
 * an IP packet bigger than that hop's MTU which may not be fragmented — IPv4
 * with DF set (RFC 1191), any IPv6 packet (RFC 8200 §5) — is dropped there,
 * and the router may answer with ICMP "fragmentation needed" / ICMPv6
 * "Packet Too Big" carrying the hop's MTU. (IPv4 without DF would be
 * fragmented by a real router; the emulation passes it unchanged.)
 */
import { buildIcmpError } from '../wire/icmp.js';

/** The router's address in its ICMP errors: documentation addresses (RFC 5737 TEST-NET-1, RFC 3849). */
export const ROUTER_V4 = new Uint8Array([192, 0, 2, 1]);
export const ROUTER_V6 = new Uint8Array([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);

/** True when a hop of `mtu` bytes drops `packet`: too big and not to be fragmented. */
export function tooBigForHop(packet: Uint8Array, mtu: number): boolean {
  if (packet.length <= mtu || packet.length === 0) return false;
  const version = packet[0]! >> 4;
  if (version === 6) return true;
  return version === 4 && packet.length >= 20 && (packet[6]! & 0x40) !== 0;
}

/** The ICMP error the hop's router sends back to the packet's source. */
export function hopIcmpError(packet: Uint8Array, mtu: number): Uint8Array {
  return buildIcmpError(packet[0]! >> 4 === 6 ? ROUTER_V6 : ROUTER_V4, packet, 'packet-too-big', mtu);
}
