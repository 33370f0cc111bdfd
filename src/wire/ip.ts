/** Version dispatch for IP packets, plus the address helpers (re-exported from address.ts). */
import { wrap, type ParseResult, type WireError } from './errors.js';
import { readIpv4, type Ipv4Header } from './ipv4.js';
import { readIpv6, type Ipv6Header } from './ipv6.js';

export { formatAddress, parseAddress, addressFamily } from './address.js';

export type IpHeader = Ipv4Header | Ipv6Header;

/** Parse an IPv4 or IPv6 packet by its version nibble. Never throws. */
export function parseIp(bytes: Uint8Array): ParseResult<IpHeader> {
  return wrap(readIp(bytes));
}

/** parseIp without the result wrapper: the header, or why not. */
export function readIp(bytes: Uint8Array): IpHeader | WireError {
  if (bytes.length === 0) return 'short-packet';
  switch (bytes[0]! >>> 4) {
    case 4:
      return readIpv4(bytes);
    case 6:
      return readIpv6(bytes);
    default:
      return 'bad-ip-version';
  }
}
