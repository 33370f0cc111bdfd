/** Wire formats: IPv4, IPv6, TCP, ICMP errors and the Internet checksum. Pure TypeScript over Uint8Array, no Node APIs. */
export * from './errors.js';
export * from './flags.js';
export * from './checksum.js';
export * from './ipv4.js';
export * from './ipv6.js';
export * from './ip.js';
export * from './tcp-options.js';
export * from './tcp.js';
export * from './packet.js';
export * from './icmp.js';
export * from './ecn.js';
export * from './rx-packet.js';
export * from './tcp-template.js';
