import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ACK,
  NO_OPTIONS,
  RxPacket,
  addressIs,
  buildTcpPacket,
  ipEcn,
  onesSumRange,
  parseTcpOptions,
  parseTcpPacket,
  readTcpPacketInto,
  toTcpOptions,
  TcpOptionsRecord,
  type TcpOptions,
  type TcpSegmentOut,
} from '../../src/wire/index.js';
import { LINUX_SYN_V4, LINUX_SYN_V6, fixIpv4Checksum, fixTcpChecksum, naiveOnesSum } from './helpers.js';
import { addrPair, segmentArb } from './arbitraries.js';

/** The options a TcpOptionsRecord holds, as a plain object of the present ones (fresh copies of `ts` and the SACK tuples). */
function plainOptions(o: TcpOptions): TcpOptions {
  const out: TcpOptions = {};
  if (o.mss !== undefined) out.mss = o.mss;
  if (o.wscale !== undefined) out.wscale = o.wscale;
  if (o.sackPermitted !== undefined) out.sackPermitted = o.sackPermitted;
  if (o.ts !== undefined) out.ts = { val: o.ts.val, ecr: o.ts.ecr };
  if (o.sack !== undefined) out.sack = o.sack.map(([l, r]) => [l, r]);
  return out;
}

/** One record refilled for every packet the property tests parse, as the stack refills its own. */
const optionsRecord = new TcpOptionsRecord();

/** readTcpPacketInto must say exactly what parseTcpPacket says, field for field, or the same error. */
function assertAgrees(bytes: Uint8Array, rx: RxPacket, verify = true): void {
  const expected = parseTcpPacket(bytes, verify);
  const error = readTcpPacketInto(bytes, rx, verify);
  if (!expected.ok) {
    assert.equal(error, expected.error);
    return;
  }
  assert.equal(error, undefined);
  const { ip, tcp } = expected.value;
  assert.deepEqual(bytes.subarray(rx.srcAt, rx.srcAt + rx.addressSize), ip.src);
  assert.deepEqual(bytes.subarray(rx.dstAt, rx.dstAt + rx.addressSize), ip.dst);
  assert.ok(addressIs(bytes, rx.dstAt, rx.addressSize, ip.dst));
  assert.equal(rx.ecn, ipEcn(ip));
  assert.deepEqual(
    [rx.srcPort, rx.dstPort, rx.seq, rx.ack, rx.flags, rx.window],
    [tcp.srcPort, tcp.dstPort, tcp.seq, tcp.ack, tcp.flags, tcp.window],
  );
  assert.deepEqual(bytes.subarray(rx.payloadStart, rx.payloadEnd), tcp.payload);
  assert.deepEqual(toTcpOptions(rx.options), tcp.options);
  assert.deepEqual(plainOptions(optionsRecord.fill(rx.options)), tcp.options);
}

/** A packet built from `seg` with one of four kinds of damage (or none), checksums repaired or not. */
const damagedPacket = fc
  .record({
    seg: segmentArb,
    addrs: addrPair,
    ecn: fc.integer({ min: 0, max: 3 }),
    damage: fc.constantFrom('none', 'truncate', 'flip', 'flip-fixed', 'garbage-options'),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  })
  .map(({ seg, addrs, ecn, damage, at, value }) => {
    const pkt = buildTcpPacket(addrs[0], addrs[1], seg, { ecn }).slice();
    const ipLen = addrs[0].length === 4 ? 20 : 40;
    switch (damage) {
      case 'truncate':
        return pkt.subarray(0, at % pkt.length);
      case 'flip':
        pkt[at % pkt.length] ^= value || 1;
        return pkt;
      case 'flip-fixed': // damage the checksums cannot see: the parser must still reject or read it consistently
        pkt[at % Math.min(pkt.length, ipLen + 60)] ^= value || 1;
        if (pkt[0] >> 4 === 4 && (pkt[0] & 0x0f) >= 5) fixIpv4Checksum(pkt);
        if ((pkt[0] >> 4 === 4 || pkt[0] >> 4 === 6) && pkt.length >= ipLen + 20) fixTcpChecksum(pkt);
        return pkt;
      case 'garbage-options': {
        // Random option bytes in the header's option space, checksums fixed so the options themselves are parsed.
        const dataOffset = (pkt[ipLen + 12] >> 4) * 4;
        for (let i = ipLen + 20; i < ipLen + dataOffset; i++) pkt[i] = (value * (i + 7) + at) & 0xff;
        return fixTcpChecksum(pkt);
      }
      default:
        return pkt;
    }
  });

test('readTcpPacketInto agrees with parseTcpPacket on sound, truncated, corrupted and garbage-option packets (one reused record)', () => {
  const rx = new RxPacket();
  fc.assert(
    fc.property(damagedPacket, fc.boolean(), (bytes, verify) => {
      assertAgrees(bytes, rx, verify);
    }),
    { numRuns: 3000 },
  );
});

test('readTcpPacketInto never throws on arbitrary bytes and gives parseTcpPacket\'s error code', () => {
  const rx = new RxPacket();
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), fc.constantFrom(0x45, 0x46, 0x60, 0x00), (bytes, first) => {
      assertAgrees(bytes, rx);
      if (bytes.length > 0) bytes[0] = first; // a plausible version nibble, to get past the first check
      assertAgrees(bytes, rx);
    }),
    { numRuns: 3000 },
  );
});

test('readTcpPacketInto decodes the known-good Linux SYNs (IPv4 and IPv6)', () => {
  const rx = new RxPacket();
  for (const [bytes, size] of [[LINUX_SYN_V4, 4], [LINUX_SYN_V6, 16]] as const) {
    assert.equal(readTcpPacketInto(bytes, rx), undefined);
    assert.equal(rx.addressSize, size);
    assert.equal(rx.srcPort, 40000);
    assert.equal(rx.seq, 0xd7a3c2e1);
    assert.deepEqual(toTcpOptions(rx.options), { mss: 1460, sackPermitted: true, ts: { val: 0x0023e4b1, ecr: 0 }, wscale: 7 });
  }
});

test('a reused record forgets the previous packet\'s options: no options gives the shared, frozen NO_OPTIONS', () => {
  const rx = new RxPacket();
  const src = Uint8Array.of(10, 0, 0, 1);
  const dst = Uint8Array.of(10, 0, 0, 2);
  const base: TcpSegmentOut = { srcPort: 1, dstPort: 2, seq: 3, ack: 4, flags: ACK, window: 5 };
  const withSack = buildTcpPacket(src, dst, { ...base, options: { ts: { val: 1, ecr: 2 }, sack: [[10, 20], [30, 40]] } });
  assert.equal(readTcpPacketInto(withSack, rx), undefined);
  assert.deepEqual(toTcpOptions(rx.options), { ts: { val: 1, ecr: 2 }, sack: [[10, 20], [30, 40]] });
  const oneBlock = buildTcpPacket(src, dst, { ...base, options: { sack: [[50, 60]] } });
  assert.equal(readTcpPacketInto(oneBlock, rx), undefined);
  assert.deepEqual(toTcpOptions(rx.options), { sack: [[50, 60]] });
  assert.equal(readTcpPacketInto(buildTcpPacket(src, dst, base), rx), undefined);
  const none = toTcpOptions(rx.options);
  assert.equal(none, NO_OPTIONS);
  assert.ok(Object.isFrozen(none));
  // The object-returning parsers still give a fresh, writable object.
  const fresh = parseTcpOptions(new Uint8Array(0));
  assert.ok(fresh.ok && fresh.value !== NO_OPTIONS && !Object.isFrozen(fresh.value));
});

test('a TcpOptionsRecord is refilled in place: the same object, timestamp pair and SACK tuples for every packet, absent options undefined', () => {
  const rx = new RxPacket();
  const record = new TcpOptionsRecord();
  const src = Uint8Array.of(10, 0, 0, 1);
  const dst = Uint8Array.of(10, 0, 0, 2);
  const base: TcpSegmentOut = { srcPort: 1, dstPort: 2, seq: 3, ack: 4, flags: ACK, window: 5 };
  const read = (options: TcpOptions | undefined) => {
    assert.equal(readTcpPacketInto(buildTcpPacket(src, dst, { ...base, options }), rx), undefined);
    return record.fill(rx.options);
  };
  const first = read({ ts: { val: 0xfffffff0, ecr: 2 }, sack: [[10, 20], [0x80000000, 0xffffffff], [50, 60]] });
  const ts = first.ts;
  const sack = first.sack;
  const tuple = sack?.[1];
  assert.deepEqual(plainOptions(first), { ts: { val: 0xfffffff0, ecr: 2 }, sack: [[10, 20], [0x80000000, 0xffffffff], [50, 60]] });
  const second = read({ mss: 1400, ts: { val: 7, ecr: 8 }, sack: [[1, 2], [3, 4]] });
  assert.equal(second, first);
  assert.equal(second.ts, ts, 'the same timestamp pair, refilled');
  assert.equal(second.sack, sack, 'the same array, its length set');
  assert.equal(second.sack?.[1], tuple, 'the same tuples');
  assert.deepEqual(plainOptions(second), { mss: 1400, ts: { val: 7, ecr: 8 }, sack: [[1, 2], [3, 4]] });
  const none = read(undefined);
  assert.deepEqual([none.mss, none.wscale, none.sackPermitted, none.ts, none.sack], [undefined, undefined, undefined, undefined, undefined]);
  assert.deepEqual(plainOptions(read({ sackPermitted: true, wscale: 7 })), { sackPermitted: true, wscale: 7 });
});

test('addressIs compares in place and refuses a different size', () => {
  const pkt = Uint8Array.of(9, 1, 2, 3, 4, 9);
  assert.ok(addressIs(pkt, 1, 4, Uint8Array.of(1, 2, 3, 4)));
  assert.ok(!addressIs(pkt, 1, 4, Uint8Array.of(1, 2, 3, 5)));
  assert.ok(!addressIs(pkt, 1, 4, new Uint8Array(16)));
});

test('onesSumRange agrees with the naive sum when calls alternate between buffers and ranges (the kept word view)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ which: fc.nat({ max: 2 }), start: fc.nat({ max: 300 }), len: fc.nat({ max: 700 }) }), { minLength: 1, maxLength: 8 }),
      fc.uint8Array({ minLength: 1001, maxLength: 1001 }),
      (calls, fill) => {
        const buffers = [fill.slice(), fill.slice(0, 1000), new Uint8Array(fill.buffer.slice(0, 999))];
        for (const { which, start, len } of calls) {
          const b = buffers[which]!;
          const s = Math.min(start, b.length);
          const e = Math.min(s + len, b.length);
          assert.equal(onesSumRange(b, s, e), naiveOnesSum(b.subarray(s, e)));
        }
      },
    ),
    { numRuns: 500 },
  );
});
