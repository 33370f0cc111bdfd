/**
 * Name resolution for connect() and listen(): node:net's `lookup` option,
 * with `dns.lookup`'s signature, and a default that knows this stack.
 *
 * The default resolves "localhost" (and any name under ".localhost", RFC 6761
 * §6.3) to this stack's own addresses — a synack stack has no 127.0.0.1, and
 * a connection to one of its own addresses loops back inside the stack, which
 * is what a Node user means by localhost. Every other name goes to
 * `dns.lookup` (the host's resolver: /etc/hosts, then DNS), as node:net does.
 * `family` (0, 4, 6, 'IPv4', 'IPv6') and `all` are honoured for localhost;
 * `hints` are passed on to dns.lookup and have no effect on localhost.
 */
import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { Stack } from '../stack/stack.js';
import { ERR_INVALID_ARG_VALUE, lookupError } from './errors.js';

/** `dns.lookup`'s shape, as node:net's `lookup` option takes it. */
export type { LookupFunction, LookupOptions };

/** Node's socketToDnsFamily: 'IPv4' → 4, 'IPv6' → 6, anything else as given. */
export function dnsFamily(family: unknown): unknown {
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return family;
}

export function isLocalhost(name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return n === 'localhost' || n.endsWith('.localhost');
}

/** The default `lookup` of a stack's sockets and servers. */
export function stackLookup(stack: Stack): LookupFunction {
  return (hostname, options, callback) => {
    if (!isLocalhost(hostname)) {
      dns.lookup(hostname, options as dns.LookupAllOptions, callback as never);
      return;
    }
    const family = dnsFamily(options.family ?? 0) ?? 0;
    if (family !== 0 && family !== 4 && family !== 6) {
      throw ERR_INVALID_ARG_VALUE('options.family', options.family, 'must be one of: 0, 4, 6');
    }
    const found: LookupAddress[] = stack.addresses
      .map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
      .filter((a) => family === 0 || a.family === family);
    // dns.lookup always answers asynchronously.
    process.nextTick(() => {
      if (found.length === 0) callback(lookupError(hostname), options.all ? [] : '', undefined);
      else if (options.all) callback(null, found);
      else callback(null, found[0]!.address, found[0]!.family);
    });
  };
}
