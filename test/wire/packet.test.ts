import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  buildTcpPacket,
  parseTcpPacket,
  parseAddress,
  tcpOptionsLength,
  SYN,
  ACK,
  type TcpOptions,
  type TcpSegmentOut,
} from '../../src/wire/index.js';
import { LINUX_SYN_V4, LINUX_SYN_V6, fixIpv4Checksum, fixTcpChecksum } from './helpers.js';
import { segmentArb, v4Addr, v6Addr } from './arbitraries.js';

const LINUX_SYN: TcpSegmentOut = {
  srcPort: 40000,
  dstPort: 80,
  seq: 0xd7a3c2e1,
  ack: 0,
  flags: SYN,
  window: 64240,
  options: { mss: 1460, sackPermitted: true, ts: { val: 0x0023e4b1, ecr: 0 }, wscale: 7 },
};

test('buildTcpPacket reproduces the hand-assembled Linux IPv4 SYN exactly (both checksums)', () => {
  const pkt = buildTcpPacket(Uint8Array.of(10, 0, 0, 1), Uint8Array.of(10, 0, 0, 2), LINUX_SYN, { id: 0x1c46 });
  assert.deepEqual(pkt, LINUX_SYN_V4);
  assert.equal(pkt.byteOffset, 0);
  assert.equal(pkt.buffer.byteLength, pkt.length); // one allocation, exactly sized
});

test('buildTcpPacket reproduces the IPv6 SYN (flow label aside, which it leaves 0)', () => {
  const pkt = buildTcpPacket(parseAddress('2001:db8::1')!, parseAddress('2001:db8::2')!, LINUX_SYN);
  const expected = LINUX_SYN_V6.slice();
  expected[1] = 0;
  expected[2] = 0;
  expected[3] = 0;
  assert.deepEqual(pkt, expected);
});

test('parseTcpPacket decodes the known-good IPv4 and IPv6 SYNs', () => {
  for (const bytes of [LINUX_SYN_V4, LINUX_SYN_V6]) {
    const r = parseTcpPacket(bytes);
    assert.ok(r.ok);
    assert.equal(r.value.tcp.srcPort, 40000);
    assert.equal(r.value.tcp.seq, 0xd7a3c2e1);
    assert.equal(r.value.tcp.flags, SYN);
    assert.equal(r.value.tcp.options.wscale, 7);
  }
});

test('buildTcpPacket: ttl sets the IPv4 TTL / IPv6 hop limit; mismatched address families throw RangeError', () => {
  const seg: TcpSegmentOut = { srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: ACK, window: 0 };
  const v4 = parseTcpPacket(buildTcpPacket(Uint8Array.of(1, 2, 3, 4), Uint8Array.of(5, 6, 7, 8), seg, { ttl: 7 }));
  assert.ok(v4.ok && v4.value.ip.version === 4 && v4.value.ip.ttl === 7 && v4.value.ip.dontFragment);
  const v6 = parseTcpPacket(buildTcpPacket(new Uint8Array(16), new Uint8Array(16), seg, { ttl: 9 }));
  assert.ok(v6.ok && v6.value.ip.version === 6 && v6.value.ip.hopLimit === 9);
  assert.throws(() => buildTcpPacket(new Uint8Array(4), new Uint8Array(16), seg), RangeError);
});

/** What parsing should give back for `seg`: SACK blocks beyond what fits are dropped. */
function expectedOptions(opts: TcpOptions | undefined): TcpOptions {
  if (!opts) return {};
  const fixed = (opts.mss !== undefined ? 4 : 0) + (opts.ts ? 12 : opts.sackPermitted ? 4 : 0) + (opts.wscale !== undefined ? 4 : 0);
  const out: TcpOptions = { ...opts };
  if (opts.sack) out.sack = opts.sack.slice(0, Math.floor((40 - fixed - 4) / 8));
  return out;
}

function checkRoundTrip(src: Uint8Array, dst: Uint8Array, seg: TcpSegmentOut, ttl: number): void {
  const pkt = buildTcpPacket(src, dst, seg, { ttl });
  const r = parseTcpPacket(pkt);
  assert.ok(r.ok, r.ok ? '' : r.error);
  const { ip, tcp } = r.value;
  assert.deepEqual(ip.src, src);
  assert.deepEqual(ip.dst, dst);
  if (ip.version === 4) {
    assert.equal(ip.protocol, 6);
    assert.equal(ip.ttl, ttl);
    assert.equal(ip.totalLength, pkt.length);
  } else {
    assert.equal(ip.nextHeader, 6);
    assert.equal(ip.hopLimit, ttl);
    assert.equal(ip.payloadLength, pkt.length - 40);
  }
  assert.equal(tcp.srcPort, seg.srcPort);
  assert.equal(tcp.dstPort, seg.dstPort);
  assert.equal(tcp.seq, seg.seq);
  assert.equal(tcp.ack, seg.ack);
  assert.equal(tcp.flags, seg.flags);
  assert.equal(tcp.window, seg.window);
  assert.equal(tcp.urgent, seg.urgent ?? 0);
  assert.equal(tcp.dataOffset, 20 + (seg.options ? tcpOptionsLength(seg.options) : 0));
  assert.deepEqual(tcp.options, expectedOptions(seg.options));
  assert.deepEqual(tcp.payload, seg.payload ?? new Uint8Array(0));
}

test('property: buildTcpPacket → parseTcpPacket round-trips any segment over IPv4', () => {
  fc.assert(
    fc.property(v4Addr, v4Addr, segmentArb, fc.integer({ min: 1, max: 255 }), checkRoundTrip),
    { numRuns: 400 },
  );
});

test('property: buildTcpPacket → parseTcpPacket round-trips any segment over IPv6', () => {
  fc.assert(
    fc.property(v6Addr, v6Addr, segmentArb, fc.integer({ min: 1, max: 255 }), checkRoundTrip),
    { numRuns: 400 },
  );
});

// --- rejections (TCP-BEHAVIOR R6) ---

const seg: TcpSegmentOut = { srcPort: 5, dstPort: 6, seq: 7, ack: 8, flags: ACK, window: 100, payload: Uint8Array.of(1, 2, 3) };
const v4 = () => buildTcpPacket(Uint8Array.of(10, 0, 0, 1), Uint8Array.of(10, 0, 0, 2), seg);
const v6 = () => buildTcpPacket(parseAddress('fd00::1')!, parseAddress('fd00::2')!, seg);

test("RFC 791: an IPv4 fragment (MF set, or offset != 0) is 'ip-fragment' (no reassembly)", () => {
  const mf = v4();
  mf[6] |= 0x20;
  assert.deepEqual(parseTcpPacket(fixIpv4Checksum(mf)), { ok: false, error: 'ip-fragment' });
  const off = v4();
  off[7] = 1;
  assert.deepEqual(parseTcpPacket(fixIpv4Checksum(off)), { ok: false, error: 'ip-fragment' });
});

test("RFC 8200 §4.5: an IPv6 packet whose next header is Fragment (44) is 'ip-fragment'", () => {
  const pkt = v6();
  pkt[6] = 44;
  assert.deepEqual(parseTcpPacket(pkt), { ok: false, error: 'ip-fragment' });
});

test("a protocol / next header other than 6 is 'not-tcp' (IPv6 extension headers are not walked)", () => {
  const udp = v4();
  udp[9] = 17;
  assert.deepEqual(parseTcpPacket(fixIpv4Checksum(udp)), { ok: false, error: 'not-tcp' });
  for (const nh of [17, 0, 58]) {
    const pkt = v6();
    pkt[6] = nh;
    assert.deepEqual(parseTcpPacket(pkt), { ok: false, error: 'not-tcp' }, `next header ${nh}`);
  }
});

test("IP-level errors propagate: truncated IP is 'truncated', a bad header checksum 'bad-ip-checksum'", () => {
  assert.deepEqual(parseTcpPacket(v4().subarray(0, 30)), { ok: false, error: 'truncated' });
  assert.deepEqual(parseTcpPacket(v6().subarray(0, 60)), { ok: false, error: 'truncated' });
  const pkt = v4();
  pkt[8] ^= 1;
  assert.deepEqual(parseTcpPacket(pkt), { ok: false, error: 'bad-ip-checksum' });
  assert.deepEqual(parseTcpPacket(new Uint8Array(0)), { ok: false, error: 'short-packet' });
});

test("an IP packet whose TCP segment is under 20 bytes is 'short-packet'", () => {
  const pkt = v4().slice(0, 30);
  pkt[3] = 30;
  assert.deepEqual(parseTcpPacket(fixIpv4Checksum(pkt)), { ok: false, error: 'short-packet' });
});

test("a TCP data offset past the segment is 'bad-data-offset' even with a valid checksum", () => {
  for (const pkt of [v4(), v6()]) {
    const ipLen = pkt[0] >> 4 === 4 ? 20 : 40;
    pkt[ipLen + 12] = 0x60; // 24 bytes of header, segment is 23
    assert.deepEqual(parseTcpPacket(fixTcpChecksum(pkt)), { ok: false, error: 'bad-data-offset' });
  }
});

test("a bad option length is 'bad-option-length' even with a valid checksum", () => {
  const pkt = buildTcpPacket(Uint8Array.of(1, 1, 1, 1), Uint8Array.of(2, 2, 2, 2), { ...seg, options: { mss: 1000 } });
  pkt[20 + 21] = 0; // MSS length 0
  assert.deepEqual(parseTcpPacket(fixTcpChecksum(pkt)), { ok: false, error: 'bad-option-length' });
});

test("RFC 9293 §3.1: a corrupted payload byte is 'bad-tcp-checksum' over IPv4 and IPv6", () => {
  for (const pkt of [v4(), v6()]) {
    pkt[pkt.length - 1] ^= 0x10;
    assert.deepEqual(parseTcpPacket(pkt), { ok: false, error: 'bad-tcp-checksum' });
  }
});

test('RFC 9293 §3.1: the pseudo-header binds the addresses — a rewritten IPv6 source is a bad TCP checksum', () => {
  const pkt = v6();
  pkt[23] ^= 1;
  assert.deepEqual(parseTcpPacket(pkt), { ok: false, error: 'bad-tcp-checksum' });
});

test('buildTcpPacket into a reused buffer: the same bytes as a fresh build, whatever the buffer held; a view of its start; too small → a fresh buffer', () => {
  fc.assert(
    fc.property(segmentArb, fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 255 }), (seg, v6, csumPartial, junk) => {
      const src = v6 ? parseAddress('2001:db8::1')! : Uint8Array.of(10, 0, 0, 1);
      const dst = v6 ? parseAddress('2001:db8::2')! : Uint8Array.of(10, 0, 0, 2);
      const fresh = buildTcpPacket(src, dst, seg, { id: 7, csumPartial, ecn: 2 });
      const into = new Uint8Array(fresh.length + 16).fill(junk); // what the last, longer packet left there
      const built = buildTcpPacket(src, dst, seg, { id: 7, csumPartial, ecn: 2, into });
      assert.deepEqual(built, fresh);
      assert.equal(built.buffer, into.buffer);
      assert.equal(built.byteOffset, 0);
      const small = new Uint8Array(fresh.length - 1);
      const other = buildTcpPacket(src, dst, seg, { id: 7, csumPartial, ecn: 2, into: small });
      assert.notEqual(other.buffer, small.buffer);
      assert.deepEqual(other, fresh);
    }),
    { numRuns: 200 },
  );
});
