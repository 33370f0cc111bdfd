/** Numeric keys and the hash of a 4-tuple (interface, remote address, local and remote port), shared by the stack's lookup tables. */

/** Both ports in one number: localPort << 16 | remotePort. */
export function portsKey(localPort: number, remotePort: number): number {
  return ((localPort << 16) | remotePort) >>> 0;
}

/** The interface and the address family in one number: iface << 1 | (1 for IPv6). */
export function familyKey(iface: number, remote: Uint8Array): number {
  return ((iface << 1) | (remote.length === 4 ? 0 : 1)) >>> 0;
}

/** The IPv4 address as a number, or a 32-bit hash (FNV-1a) of an IPv6 one, whose tables compare the whole address too. */
export function addrKey(a: Uint8Array): number {
  if (a.length === 4) return ((a[0]! << 24) | (a[1]! << 16) | (a[2]! << 8) | a[3]!) >>> 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < a.length; i++) h = Math.imul(h ^ a[i]!, 0x01000193);
  return h >>> 0;
}

/**
 * A 30-bit mix of the three keys (murmur3's finalizer, top bits dropped): callers mask it to a table
 * index, and a value below 2^30 is a small integer, where a 32-bit one returned from a call V8 does not
 * inline is a heap number — an allocation per lookup, so per packet.
 */
export function tupleHash(addr: number, ports: number, family: number): number {
  let h = Math.imul(addr ^ Math.imul(ports, 0x85ebca6b) ^ Math.imul(family, 0x27d4eb2f), 0xcc9e2d51);
  h ^= h >>> 15;
  h = Math.imul(h, 0x1b873593);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0x3fffffff;
}
