/** Version dispatch for IP packets, plus the address helpers (re-exported from address.ts). */
import { err, type ParseResult } from './errors.js';
import { parseIpv4, type Ipv4Header } from './ipv4.js';
import { parseIpv6, type Ipv6Header } from './ipv6.js';

export { formatAddress, parseAddress, addressFamily } from './address.js';

export type IpHeader = Ipv4Header | Ipv6Header;

/** Parse an IPv4 or IPv6 packet by its version nibble. Never throws. */
export function parseIp(bytes: Uint8Array): ParseResult<IpHeader> {
  if (bytes.length === 0) return err('short-packet');
  switch (bytes[0] >>> 4) {
    case 4:
      return parseIpv4(bytes);
    case 6:
      return parseIpv6(bytes);
    default:
      return err('bad-ip-version');
  }
}
