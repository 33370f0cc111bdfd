/**
 * The allocation-free paths of wire/: range sums over a packet buffer and the
 * IPv4 header checksum summed from the field values (the pseudo-header sum is
 * checked in checksum.test.ts) — each checked against the naive reference.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { onesSumRange } from '../../src/wire/checksum.js';
import { readIpv4, writeIpv4Header } from '../../src/wire/ipv4.js';
import { readTcp } from '../../src/wire/tcp.js';
import { readTcpOptions } from '../../src/wire/tcp-options.js';
import { naiveOnesSum } from './helpers.js';

test('property: onesSumRange over any range of any view equals the naive sum of those bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(7), fc.nat(600), fc.nat(600), fc.integer({ min: 0, max: 0xffff }), (data, off, a, b, init) => {
      const big = new Uint8Array(off + data.length);
      big.set(data, off);
      const view = big.subarray(off);
      const start = Math.min(a, b, data.length);
      const end = Math.min(Math.max(a, b), data.length);
      assert.equal(onesSumRange(view, start, end, init), naiveOnesSum(data.subarray(start, end), init));
    }),
    { numRuns: 1000 },
  );
});

test('property: writeIpv4Header sums its checksum from the fields; the naive sum of the header is 0xffff and it parses back', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 8, maxLength: 8 }),
      fc.integer({ min: 0, max: 0xffff - 20 }),
      fc.integer({ min: 0, max: 0xff }),
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 0xff }),
      fc.boolean(),
      fc.nat(3),
      (addrs, payloadLength, ttl, id, tos, df, off) => {
        const buf = new Uint8Array(off + 20 + payloadLength);
        writeIpv4Header(buf, off, addrs.subarray(0, 4), addrs.subarray(4), 6, payloadLength, ttl, id, tos, df);
        assert.equal(naiveOnesSum(buf.subarray(off, off + 20)), 0xffff);
        const h = readIpv4(buf.subarray(off));
        assert.ok(typeof h !== 'string', String(h));
        assert.deepEqual([h.ttl, h.id, h.tos, h.dontFragment, h.totalLength, [...h.src], [...h.dst]], [ttl, id, tos, df, 20 + payloadLength, [...addrs.subarray(0, 4)], [...addrs.subarray(4)]]);
      },
    ),
  );
});

test('the readers return the reason as a string, not a wrapper', () => {
  assert.equal(readIpv4(new Uint8Array(10)), 'short-packet');
  assert.equal(readTcp(new Uint8Array(10)), 'short-packet');
  assert.equal(readTcpOptions(new Uint8Array([0, 0, 2, 9]), 2, 4), 'bad-option-length');
  assert.deepEqual(readTcpOptions(new Uint8Array([0xff, 0xff, 2, 4, 5, 0xb4]), 2, 6), { mss: 1460 });
});
