/**
 * TCP-BEHAVIOR R6: "Any malformed packet (short header, bad data offset, bad
 * checksum, bad option length, truncated IP) is counted and dropped; it never
 * throws." Fuzz every parser with random bytes and with mutations of valid
 * packets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import {
  buildTcpPacket,
  parseIp,
  parseIpv4,
  parseIpv6,
  parseTcp,
  parseTcpOptions,
  parseTcpPacket,
  type ParseResult,
} from '../../src/wire/index.js';
import { WIRE_ERRORS } from './helpers.js';
import { addrPair, segmentArb } from './arbitraries.js';

function wellFormed(r: ParseResult<unknown>): void {
  assert.equal(typeof r.ok, 'boolean');
  if (!r.ok) assert.ok(WIRE_ERRORS.includes(r.error), `unknown error ${String(r.error)}`);
}

function parseAll(bytes: Uint8Array, pseudo: number): void {
  wellFormed(parseIp(bytes));
  wellFormed(parseIpv4(bytes));
  wellFormed(parseIpv6(bytes));
  wellFormed(parseTcp(bytes));
  wellFormed(parseTcp(bytes, pseudo));
  wellFormed(parseTcpOptions(bytes));
  wellFormed(parseTcpPacket(bytes));
}

/** Random bytes, often starting like an IPv4/IPv6/TCP header so the parsers get past the first checks. */
const randomPacket = fc
  .tuple(fc.uint8Array({ maxLength: 120 }), fc.constantFrom(-1, 0x45, 0x46, 0x4f, 0x60, 0x50))
  .map(([bytes, first]) => {
    if (first >= 0 && bytes.length > 0) bytes[0] = first;
    return bytes;
  });

test('property: no parser throws on random bytes, and every rejection is a known WireError', () => {
  fc.assert(
    fc.property(randomPacket, fc.nat(0xffff), fc.nat(7), (bytes, pseudo, off) => {
      const big = new Uint8Array(bytes.length + off);
      big.set(bytes, off);
      parseAll(big.subarray(off), pseudo);
    }),
    { numRuns: 3000 },
  );
});

const validPacket = fc
  .tuple(addrPair, segmentArb)
  .map(([[src, dst], seg]) => buildTcpPacket(src, dst, seg));

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'ihl'; value: number }
  | { kind: 'ip-length'; value: number }
  | { kind: 'data-offset'; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.nat(255) }),
  fc.record({ kind: fc.constant('ihl' as const), value: fc.nat(15) }),
  fc.record({ kind: fc.constant('ip-length' as const), value: fc.nat(0xffff) }),
  fc.record({ kind: fc.constant('data-offset' as const), value: fc.nat(15) }),
);

function mutate(pkt: Uint8Array, m: Mutation): Uint8Array {
  const p = pkt.slice();
  const ipLen = p[0] >> 4 === 4 ? 20 : 40;
  switch (m.kind) {
    case 'truncate':
      return p.subarray(0, m.at % (p.length + 1));
    case 'flip':
      p[m.at % p.length] ^= 1 << m.bit;
      return p;
    case 'byte':
      p[m.at % p.length] = m.value;
      return p;
    case 'ihl':
      p[0] = (p[0] & 0xf0) | m.value;
      return p;
    case 'ip-length':
      // (writes past the end of a truncated packet are no-ops on a typed array)
      p[ipLen === 20 ? 2 : 4] = m.value >> 8;
      p[ipLen === 20 ? 3 : 5] = m.value & 0xff;
      return p;
    case 'data-offset':
      p[ipLen + 12] = (m.value << 4) | (p[ipLen + 12] & 0x0f);
      return p;
  }
}

test('property: no parser throws on mutated valid packets (truncation, bit flips, bad IHL/length/data offset)', () => {
  fc.assert(
    fc.property(validPacket, fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.nat(0xffff), (pkt, ms, pseudo) => {
      let p = pkt;
      for (const m of ms) if (p.length > 0) p = mutate(p, m);
      parseAll(p, pseudo);
      parseAll(p.subarray(20), pseudo); // also feed the TCP part (and garbage) to the TCP parsers directly
    }),
    { numRuns: 1000 },
  );
});

test('property: a single flipped bit in a valid IPv4 packet is always rejected (header or TCP checksum)', () => {
  fc.assert(
    fc.property(
      fc.tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), segmentArb),
      fc.nat(),
      fc.nat(7),
      ([src, dst, seg], at, bit) => {
        const pkt = buildTcpPacket(src, dst, seg);
        pkt[at % pkt.length] ^= 1 << bit;
        assert.equal(parseTcpPacket(pkt).ok, false);
      },
    ),
    { numRuns: 1000 },
  );
});

test('property: a single flipped bit in any valid packet is rejected or parses to something different', () => {
  fc.assert(
    fc.property(validPacket, fc.nat(), fc.nat(7), (pkt, at, bit) => {
      const before = parseTcpPacket(pkt);
      assert.ok(before.ok);
      const flipped = pkt.slice();
      flipped[at % pkt.length] ^= 1 << bit;
      const after = parseTcpPacket(flipped);
      if (after.ok) assert.ok(!isDeepStrictEqual(after.value, before.value), 'bit flip went unnoticed');
    }),
    { numRuns: 1000 },
  );
});
