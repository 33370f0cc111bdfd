/**
 * Typed rejections for the wire parsers. No parse function in src/wire ever
 * throws on its input: anything malformed comes back as `{ ok: false, error }`
 * so the stack can count the reason and drop the packet (TCP-BEHAVIOR R6).
 *
 * Which reason is used for what:
 * - `short-packet`         fewer bytes than the fixed header (IPv4 20, IPv6 40, TCP 20; empty input to parseIp)
 * - `bad-ip-version`       version nibble is not the one expected (not 4 or 6 for parseIp)
 * - `bad-ip-header-length` IPv4 IHL < 5
 * - `bad-ip-total-length`  IPv4 total length smaller than the header length
 * - `truncated`            the IP header says there are more bytes than were received
 *                          (IPv4 header options or total length, IPv6 payload length)
 * - `bad-ip-checksum`      IPv4 header checksum does not verify
 * - `ip-fragment`          an IPv4 fragment, or an IPv6 packet whose next header is Fragment (44)
 * - `not-tcp`              IP protocol / IPv6 next header is not 6
 * - `bad-data-offset`      TCP data offset < 5 words or past the end of the segment
 * - `bad-option-length`    a TCP option's length is < 2, runs past the options, or is wrong for its kind
 * - `bad-tcp-checksum`     TCP checksum over pseudo-header + segment does not verify
 * - `not-icmp`             (ICMP parser) IP protocol is not 1 / IPv6 next header is not 58, or an IPv4 fragment
 * - `short-icmp`           an ICMP message shorter than its 8-byte header
 * - `bad-icmp-checksum`    ICMP (IPv4) or ICMPv6 (with its pseudo-header) checksum does not verify
 * - `icmp-not-error`       an ICMP message that is not an error synack acts on (echo, redirect, …)
 * - `bad-icmp-quote`       the quoted packet is not an IP header of the same version carrying ≥ 8 bytes of TCP
 */
export type WireError =
  | 'short-packet'
  | 'bad-ip-version'
  | 'bad-ip-header-length'
  | 'bad-ip-total-length'
  | 'bad-ip-checksum'
  | 'ip-fragment'
  | 'not-tcp'
  | 'truncated'
  | 'bad-data-offset'
  | 'bad-option-length'
  | 'bad-tcp-checksum'
  | 'not-icmp'
  | 'short-icmp'
  | 'bad-icmp-checksum'
  | 'icmp-not-error'
  | 'bad-icmp-quote';

export type ParseFailure = { ok: false; error: WireError };
export type ParseResult<T> = { ok: true; value: T } | ParseFailure;

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function err(error: WireError): ParseFailure {
  return { ok: false, error };
}

/** The result wrapper around a reader's value-or-reason (readers return the reason as a string). */
export function wrap<T extends object>(r: T | WireError): ParseResult<T> {
  return typeof r === 'string' ? err(r) : ok(r);
}
