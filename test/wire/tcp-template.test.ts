/** TcpTemplate (issue 11, "Send"): the per-connection packet template writes exactly what buildTcpPacket writes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildTcpPacket, copyOnesSum, onesSumRange, parseTcpPacket, type TcpSegmentOut } from '../../src/wire/index.js';
import { PacketBuffer, TcpTemplate } from '../../src/wire/tcp-template.js';
import { naiveOnesSum } from './helpers.js';
import { addrPair, segmentArb } from './arbitraries.js';

/** One packet's inputs beyond the segment: IPv4 id, ECN codepoint, checksum offload, TTL. */
const extrasArb = fc.record({
  id: fc.integer({ min: 0, max: 0xffff }),
  ecn: fc.integer({ min: 0, max: 3 }),
  csumPartial: fc.boolean(),
  ttl: fc.integer({ min: 1, max: 255 }),
  /** Where the payload starts in its own buffer: every alignment mod 4 of source against destination. */
  payloadOffset: fc.integer({ min: 0, max: 7 }),
});

/** The template never writes the urgent pointer (the stack sends none): segments without one. */
const segArb = segmentArb.map((seg): TcpSegmentOut => ({ ...seg, urgent: undefined }));

function payloadAt(seg: TcpSegmentOut, offset: number): Uint8Array {
  const p = seg.payload ?? new Uint8Array(0);
  const buf = new Uint8Array(offset + p.length);
  buf.set(p, offset);
  return buf.subarray(offset);
}

function viaTemplate(tpl: TcpTemplate, buf: PacketBuffer, seg: TcpSegmentOut, x: { id: number; ecn: number; csumPartial: boolean; payloadOffset: number }): Uint8Array {
  const n = tpl.write(buf, { seq: seg.seq, ack: seg.ack, flags: seg.flags, window: seg.window, options: seg.options, payload: payloadAt(seg, x.payloadOffset), ecn: x.ecn }, x.id, x.csumPartial);
  assert.ok(n > 0);
  return buf.view(n).slice();
}

test('property: a template writes byte for byte what buildTcpPacket writes (IPv4 and IPv6, options, payload, ECN, csumPartial), and the checksums verify', () => {
  // One owned buffer shared by every template (as the stack's), and a lent one the "link" scribbles on between packets.
  const owned = new PacketBuffer(new Uint8Array(0), true);
  const lent = new PacketBuffer(new Uint8Array(4096), false);
  fc.assert(
    fc.property(addrPair, fc.array(fc.tuple(segArb, extrasArb), { minLength: 1, maxLength: 4 }), ([src, dst], packets) => {
      const tpl = new TcpTemplate(src, dst, packets[0]![0].srcPort, packets[0]![0].dstPort, packets[0]![1].ttl);
      for (const [s, x] of packets) {
        const seg = { ...s, srcPort: tpl.srcPort, dstPort: tpl.dstPort };
        const expected = buildTcpPacket(src, dst, seg, { ttl: tpl.ttl, id: x.id, ecn: x.ecn, csumPartial: x.csumPartial });
        assert.deepEqual(viaTemplate(tpl, owned, seg, x), expected);
        lent.bytes.fill(0xa5);
        assert.deepEqual(viaTemplate(tpl, lent, seg, x), expected);
        if (!x.csumPartial) {
          const r = parseTcpPacket(expected);
          assert.ok(r.ok, r.ok ? '' : r.error);
          assert.equal(r.value.tcp.seq, seg.seq >>> 0);
        }
      }
    }),
    { numRuns: 400 },
  );
});

test('consecutive packets of two templates in one buffer: each carries its own addresses and ports (the constant bytes are rewritten when the writer changes)', () => {
  const a = new TcpTemplate(Uint8Array.of(10, 0, 0, 1), Uint8Array.of(10, 0, 0, 2), 1000, 80);
  const b = new TcpTemplate(Uint8Array.of(10, 0, 0, 1), Uint8Array.of(10, 0, 0, 3), 2000, 443);
  const v6 = new TcpTemplate(new Uint8Array(16).fill(1), new Uint8Array(16).fill(2), 3000, 22);
  const buf = new PacketBuffer(new Uint8Array(0), true);
  for (const tpl of [a, a, b, v6, a, v6, v6, b]) {
    const n = tpl.write(buf, { seq: 1, ack: 2, flags: 0x10, window: 100, options: { ts: { val: 5, ecr: 6 } }, payload: new Uint8Array(100).fill(7) }, 9, false);
    const r = parseTcpPacket(buf.view(n));
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.deepEqual(r.value.ip.dst, tpl.dst);
    assert.equal(r.value.tcp.srcPort, tpl.srcPort);
    assert.equal(r.value.tcp.dstPort, tpl.dstPort);
    assert.equal(r.value.ip.version, tpl.src.length === 4 ? 4 : 6);
  }
});

test('a lent buffer too small for the packet is refused (write returns 0); an owned one grows; a packet beyond IP’s 65535 bytes throws RangeError', () => {
  const tpl = new TcpTemplate(Uint8Array.of(1, 2, 3, 4), Uint8Array.of(5, 6, 7, 8), 1, 2);
  const small = new PacketBuffer(new Uint8Array(100), false);
  assert.equal(tpl.write(small, { seq: 0, ack: 0, flags: 0x10, window: 0, payload: new Uint8Array(200) }, 0, false), 0);
  const owned = new PacketBuffer(new Uint8Array(100), true);
  assert.equal(tpl.write(owned, { seq: 0, ack: 0, flags: 0x10, window: 0, payload: new Uint8Array(5000) }, 0, false), 5040);
  assert.ok(owned.bytes.length >= 5040);
  assert.throws(() => tpl.write(owned, { seq: 0, ack: 0, flags: 0x10, window: 0, payload: new Uint8Array(65535 - 40 + 1) }, 0, false), RangeError);
  assert.throws(() => new TcpTemplate(new Uint8Array(4), new Uint8Array(16), 1, 2), RangeError);
});

test('property: copyOnesSum copies the bytes and returns onesSumRange over the copy, for any length, alignment and initial sum', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 0xffff }), (data, srcOff, at, initial) => {
      const src = new Uint8Array(srcOff + data.length);
      src.set(data, srcOff);
      const dst = new Uint8Array(at + data.length + 3).fill(0xcc);
      const sum = copyOnesSum(src.subarray(srcOff), dst, at, initial);
      assert.deepEqual(dst.subarray(at, at + data.length), data);
      assert.equal(dst[at + data.length], 0xcc, 'nothing written past the copy');
      assert.equal(sum, onesSumRange(dst, at, at + data.length, initial));
      // Against the naive RFC 1071 reference, in ones' complement (0 and 0xffff both mean zero).
      assert.equal(sum % 0xffff, naiveOnesSum(data, initial) % 0xffff);
    }),
    { numRuns: 500 },
  );
});
