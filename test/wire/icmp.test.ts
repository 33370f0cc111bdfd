/**
 * ICMP / ICMPv6 error parsing (src/wire/icmp.ts): RFC 792 / RFC 1191 §4
 * destination unreachable and "fragmentation needed", RFC 4443 §§3.1–3.2
 * destination unreachable and Packet Too Big, checksums, the quoted header.
 * TCP-BEHAVIOR P6 and R6 (never throws).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildIcmpError, buildTcpPacket, parseIcmpPacket, parseIpv4, readIcmpPacket, writeIpv4Header, type IcmpKind, type ParseResult } from '../../src/wire/index.js';
import { addrPair, segmentArb, v4Addr } from './arbitraries.js';
import { WIRE_ERRORS, hex, naiveChecksum } from './helpers.js';

const ROUTER_V4 = new Uint8Array([192, 0, 2, 1]);
const ROUTER_V6 = new Uint8Array([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
const A = new Uint8Array([10, 0, 0, 1]);
const B = new Uint8Array([10, 0, 0, 2]);

function tcpV4(seq = 0x11223344, payload = 1448): Uint8Array {
  return buildTcpPacket(A, B, { srcPort: 40000, dstPort: 80, seq, ack: 7, flags: 0x18, window: 500, payload: new Uint8Array(payload) });
}

/** The same message as a router would write it, assembled by hand: type 3 code 4, MTU 1280, IP header + 8 bytes quoted. */
function handMadeFragNeeded(original: Uint8Array): Uint8Array {
  const quote = original.subarray(0, 28);
  const msg = new Uint8Array(8 + quote.length);
  msg[0] = 3;
  msg[1] = 4;
  msg[6] = 1280 >> 8;
  msg[7] = 1280 & 0xff;
  msg.set(quote, 8);
  const c = naiveChecksum(msg); // the independent RFC 1071 reference
  msg[2] = c >> 8;
  msg[3] = c & 0xff;
  const pkt = new Uint8Array(20 + msg.length);
  writeIpv4Header(pkt, 0, ROUTER_V4, A, 1, msg.length, 64, 0, 0, false);
  pkt.set(msg, 20);
  return pkt;
}

test('RFC 1191 §4: a hand-made "fragmentation needed" (type 3 code 4, MTU 1280, 28 bytes quoted) parses to its fields', () => {
  const r = parseIcmpPacket(handMadeFragNeeded(tcpV4()));
  assert.ok(r.ok, JSON.stringify(r));
  const e = r.value;
  assert.equal(e.version, 4);
  assert.deepEqual([e.type, e.code, e.kind, e.mtu], [3, 4, 'packet-too-big', 1280]);
  assert.deepEqual([...e.from], [...ROUTER_V4]);
  assert.deepEqual([...e.to], [...A]);
  assert.deepEqual([...e.quote.src], [...A]);
  assert.deepEqual([...e.quote.dst], [...B]);
  assert.deepEqual([e.quote.srcPort, e.quote.dstPort, e.quote.seq], [40000, 80, 0x11223344]);
});

test('buildIcmpError writes the same message bytes as the hand-made one when it quotes only 28 bytes', () => {
  const original = tcpV4(0x11223344, 0);
  const built = buildIcmpError(ROUTER_V4, original.subarray(0, 28), 'packet-too-big', 1280);
  const hand = handMadeFragNeeded(original);
  assert.deepEqual([...built.subarray(20)], [...hand.subarray(20)], 'ICMP message, checksum included');
  assert.ok(parseIpv4(built).ok);
  assert.equal(parseIpv4(built).ok && parseIpv4(built).ok && built[1], 0xc0, 'TOS internetwork control');
});

test('RFC 792 / RFC 1122 §4.2.3.9: destination-unreachable codes map to kinds (0 net, 1 host, 2 protocol, 3 port, 4 too big, 13 prohibited)', () => {
  const original = tcpV4();
  const kinds: Array<[number, IcmpKind]> = [[0, 'net-unreachable'], [1, 'host-unreachable'], [2, 'protocol-unreachable'], [3, 'port-unreachable'], [4, 'packet-too-big'], [5, 'unreachable'], [6, 'net-unreachable'], [7, 'host-unreachable'], [13, 'admin-prohibited']];
  for (const [code, kind] of kinds) {
    const pkt = buildIcmpError(ROUTER_V4, original, 'unreachable');
    setCode(pkt, 20, code);
    const r = parseIcmpPacket(pkt);
    assert.ok(r.ok, `code ${code}`);
    assert.equal(r.value.kind, kind, `code ${code}`);
    assert.equal(r.value.mtu, 0, 'the MTU field is read only for packet-too-big (here unused, 0)');
  }
});

test('RFC 4443: ICMPv6 type 1 code 4 is port-unreachable, type 2 Packet Too Big carries a 32-bit MTU; the pseudo-header is in the checksum', () => {
  const src = new Uint8Array(16).fill(0xfd, 0, 1);
  src[15] = 1;
  const dst = src.slice();
  dst[15] = 2;
  const original = buildTcpPacket(src, dst, { srcPort: 1234, dstPort: 443, seq: 0xfffffff0, ack: 0, flags: 0x10, window: 1, payload: new Uint8Array(1400) });
  const ptb = parseIcmpPacket(buildIcmpError(ROUTER_V6, original, 'packet-too-big', 1280));
  assert.ok(ptb.ok);
  assert.deepEqual([ptb.value.version, ptb.value.type, ptb.value.code, ptb.value.kind, ptb.value.mtu], [6, 2, 0, 'packet-too-big', 1280]);
  assert.deepEqual([ptb.value.quote.srcPort, ptb.value.quote.dstPort, ptb.value.quote.seq], [1234, 443, 0xfffffff0]);
  const port = parseIcmpPacket(buildIcmpError(ROUTER_V6, original, 'port-unreachable'));
  assert.ok(port.ok);
  assert.deepEqual([port.value.type, port.value.code, port.value.kind], [1, 4, 'port-unreachable']);
  // The same bytes with another destination address fail the pseudo-header checksum.
  const moved = buildIcmpError(ROUTER_V6, original, 'packet-too-big', 1280);
  moved[39] ^= 1;
  assert.deepEqual(parseIcmpPacket(moved), { ok: false, error: 'bad-icmp-checksum' });
});

test('typed rejections: bad checksum, not ICMP, not an error (echo), short message, quote without 8 bytes of TCP', () => {
  const original = tcpV4();
  const bad = buildIcmpError(ROUTER_V4, original, 'packet-too-big', 1280);
  bad[30] ^= 0x40;
  assert.deepEqual(parseIcmpPacket(bad), { ok: false, error: 'bad-icmp-checksum' });
  assert.deepEqual(parseIcmpPacket(original), { ok: false, error: 'not-icmp' });
  const echo = hex('4500001c 0000 4000 4001 0000 c0000201 0a000001  0800 f7ff 0000 0000');
  fixIcmp(echo);
  assert.deepEqual(parseIcmpPacket(echo), { ok: false, error: 'icmp-not-error' });
  const short = hex('4500001a 0000 4000 4001 0000 c0000201 0a000001  0304 0000 0000');
  fixIcmp(short);
  assert.deepEqual(parseIcmpPacket(short), { ok: false, error: 'short-icmp' });
  const shortQuote = buildIcmpError(ROUTER_V4, original.subarray(0, 27), 'packet-too-big', 1280);
  assert.deepEqual(parseIcmpPacket(shortQuote), { ok: false, error: 'bad-icmp-quote' });
  const udpQuote = original.slice(0, 28);
  udpQuote[9] = 17;
  assert.deepEqual(parseIcmpPacket(buildIcmpError(ROUTER_V4, udpQuote, 'port-unreachable')), { ok: false, error: 'bad-icmp-quote' });
  assert.deepEqual(parseIcmpPacket(new Uint8Array(0)), { ok: false, error: 'short-packet' });
  assert.throws(() => buildIcmpError(ROUTER_V6, original, 'packet-too-big', 1280), RangeError);
});

const KINDS: IcmpKind[] = ['net-unreachable', 'host-unreachable', 'protocol-unreachable', 'port-unreachable', 'packet-too-big', 'admin-prohibited', 'unreachable'];

test('property: buildIcmpError → parseIcmpPacket round-trips the kind, the MTU and the quoted 4-tuple and sequence number', () => {
  fc.assert(
    fc.property(addrPair, segmentArb, fc.constantFrom(...KINDS), fc.integer({ min: 0, max: 0xffff }), (pair, seg, kind, mtu) => {
      const [src, dst] = pair;
      const original = buildTcpPacket(src, dst, seg);
      const router = src.length === 4 ? ROUTER_V4 : ROUTER_V6;
      const r = parseIcmpPacket(buildIcmpError(router, original, kind, mtu));
      assert.ok(r.ok, JSON.stringify(r));
      const e = r.value;
      // ICMPv6 has no protocol-unreachable code (RFC 4443 reports it as a Parameter Problem): the builder writes host-unreachable.
      assert.equal(e.kind, src.length === 16 && kind === 'protocol-unreachable' ? 'host-unreachable' : kind);
      assert.equal(e.mtu, kind === 'packet-too-big' ? mtu : 0);
      assert.deepEqual([...e.quote.src], [...src]);
      assert.deepEqual([...e.quote.dst], [...dst]);
      assert.deepEqual([e.quote.srcPort, e.quote.dstPort, e.quote.seq], [seg.srcPort, seg.dstPort, seg.seq]);
      assert.deepEqual([...e.to], [...src], 'the error goes back to the original sender');
    }),
    { numRuns: 500 },
  );
});

function wellFormed(r: ParseResult<unknown>): void {
  assert.equal(typeof r.ok, 'boolean');
  if (!r.ok) assert.ok(WIRE_ERRORS.includes(r.error), `unknown error ${String(r.error)}`);
}

test('property: parseIcmpPacket never throws on random bytes, and every rejection is a known WireError', () => {
  const randomPacket = fc.tuple(fc.uint8Array({ maxLength: 120 }), fc.constantFrom(-1, 0x45, 0x46, 0x60)).map(([b, first]) => {
    if (first >= 0 && b.length > 0) b[0] = first;
    if (b.length > 9 && b[0] === 0x45) b[9] = 1;
    if (b.length > 6 && b[0] === 0x60) b[6] = 58;
    return b;
  });
  fc.assert(fc.property(randomPacket, (b) => wellFormed(parseIcmpPacket(b))), { numRuns: 3000 });
});

test('property: truncated or bit-flipped ICMP errors never throw; a flipped bit in the ICMP message is rejected or reads differently', () => {
  const valid = fc.tuple(addrPair, segmentArb, fc.constantFrom(...KINDS), fc.nat(0xffff)).map(([[s, d], seg, kind, mtu]) => buildIcmpError(s.length === 4 ? ROUTER_V4 : ROUTER_V6, buildTcpPacket(s, d, seg), kind, mtu));
  fc.assert(
    fc.property(valid, fc.nat(), fc.nat(7), fc.nat(), (pkt, at, bit, cut) => {
      wellFormed(parseIcmpPacket(pkt.subarray(0, cut % (pkt.length + 1))));
      const before = readIcmpPacket(pkt);
      const flipped = pkt.slice();
      const i = at % pkt.length;
      flipped[i] ^= 1 << bit;
      const after = parseIcmpPacket(flipped);
      wellFormed(after);
      // (IPv6 traffic class, flow label and hop limit are covered by no checksum, as in any IPv6 packet.)
      if (after.ok && i >= (pkt[0]! >> 4 === 4 ? 20 : 40)) assert.notDeepEqual(after.value, before);
    }),
    { numRuns: 1000 },
  );
});

test('property (RFC 1191): every IPv4 packet buildTcpPacket writes has DF set, and never MF or a fragment offset', () => {
  fc.assert(
    fc.property(v4Addr, v4Addr, segmentArb, (src, dst, seg) => {
      const ip = parseIpv4(buildTcpPacket(src, dst, seg));
      assert.ok(ip.ok);
      assert.deepEqual([ip.value.dontFragment, ip.value.moreFragments, ip.value.fragmentOffset], [true, false, 0]);
    }),
    { numRuns: 300 },
  );
});

/** Set the ICMP code at `at` and refresh the (IPv4) ICMP checksum. */
function setCode(pkt: Uint8Array, at: number, code: number): void {
  pkt[at + 1] = code;
  fixIcmp(pkt);
}

/** Recompute the IPv4 header and ICMP checksums of a hand-made packet. */
function fixIcmp(pkt: Uint8Array): void {
  pkt[10] = pkt[11] = 0;
  const h = naiveChecksum(pkt.subarray(0, 20));
  pkt[10] = h >> 8;
  pkt[11] = h & 0xff;
  const msg = pkt.subarray(20);
  msg[2] = msg[3] = 0;
  const c = naiveChecksum(msg);
  msg[2] = c >> 8;
  msg[3] = c & 0xff;
}
