import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { onesSum, finishChecksum, internetChecksum, pseudoHeaderSum } from '../../src/wire/index.js';
import { hex, naiveOnesSum } from './helpers.js';

test('RFC 1071 §3 numerical example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, checksum 220d', () => {
  const data = hex('00 01 f2 03 f4 f5 f6 f7');
  assert.equal(onesSum(data), 0xddf2);
  assert.equal(internetChecksum(data), 0x220d);
  assert.equal(finishChecksum(0xddf2), 0x220d);
});

test('RFC 1071 §1: a well-known IPv4 header (checksum b861) checksums to b861 zeroed, and to 0 with the field', () => {
  const hdr = hex('4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7');
  assert.equal(internetChecksum(hdr), 0);
  assert.equal(onesSum(hdr), 0xffff);
  hdr[10] = 0;
  hdr[11] = 0;
  assert.equal(internetChecksum(hdr), 0xb861);
});

test('RFC 1071 §2(A): an odd trailing byte is padded with a zero byte on the right', () => {
  assert.equal(onesSum(hex('01')), 0x0100);
  assert.equal(onesSum(hex('00 01 f2')), 0xf201);
  assert.equal(onesSum(hex('00 01 f2 03 f4')), 0x0001 + 0xf203 + 0xf400 - 0xffff);
  assert.equal(onesSum(new Uint8Array(0)), 0);
  assert.equal(onesSum(new Uint8Array(0), 0x1234), 0x1234);
});

test('finishChecksum is the 16-bit ones complement', () => {
  assert.equal(finishChecksum(0xffff), 0);
  assert.equal(finishChecksum(0), 0xffff);
  assert.equal(finishChecksum(0x1234), 0xedcb);
});

test('RFC 1071 §2(B): result is the same at every byteOffset (unaligned views) and every length mod 4', () => {
  const data = hex('00 01 f2 03 f4 f5 f6 f7 de ad be ef 12 34 56 78 9a bc de f0 ff');
  for (let len = 0; len <= data.length; len++) {
    const expected = naiveOnesSum(data.subarray(0, len));
    for (let off = 0; off < 8; off++) {
      const big = new Uint8Array(off + len + 3).fill(0xa5);
      big.set(data.subarray(0, len), off);
      assert.equal(onesSum(big.subarray(off, off + len)), expected, `len ${len} off ${off}`);
    }
  }
});

test('property: onesSum agrees with a naive 16-bit reference for any bytes, offset and initial sum', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 3000 }),
      fc.nat(7),
      fc.integer({ min: 0, max: 0xffff }),
      (data, off, initial) => {
        const big = new Uint8Array(off + data.length);
        big.set(data, off);
        const view = big.subarray(off);
        assert.equal(onesSum(view, initial), naiveOnesSum(data, initial));
        assert.equal(internetChecksum(view), (~naiveOnesSum(data)) & 0xffff);
      },
    ),
    { numRuns: 500 },
  );
});

test('property: all-0xff-ish and all-zero edge patterns agree with the reference (ones complement ±0)', () => {
  fc.assert(
    fc.property(fc.constantFrom(0x00, 0xff, 0x80, 0x7f), fc.nat(70), fc.integer({ min: 0, max: 0xffff }), (b, n, init) => {
      const data = new Uint8Array(n).fill(b);
      assert.equal(onesSum(data, init), naiveOnesSum(data, init));
    }),
  );
});

test('property: chaining onesSum over an even-length prefix equals summing the concatenation', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), (a0, b) => {
      const a = a0.length % 2 === 0 ? a0 : a0.subarray(1);
      const both = new Uint8Array(a.length + b.length);
      both.set(a);
      both.set(b, a.length);
      assert.equal(onesSum(b, onesSum(a)), onesSum(both));
    }),
  );
});

test('inputs larger than the internal fold interval (> 4 MiB) still agree with the reference', () => {
  const data = new Uint8Array(9 * 1024 * 1024 + 3);
  let x = 12345;
  for (let i = 0; i < data.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    data[i] = x >>> 24;
  }
  assert.equal(onesSum(data), naiveOnesSum(data));
  assert.equal(onesSum(new Uint8Array(9 * 1024 * 1024).fill(0xff)), 0xffff);
});

test('RFC 9293 §3.1: IPv4 pseudo-header sum equals the sum of src, dst, zero, protocol, length', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 4, maxLength: 4 }),
      fc.uint8Array({ minLength: 4, maxLength: 4 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 0xffff }),
      (src, dst, proto, len) => {
        const pseudo = [...src, ...dst, 0, proto, len >> 8, len & 0xff];
        assert.equal(pseudoHeaderSum(src, dst, proto, len), naiveOnesSum(pseudo));
      },
    ),
  );
});

test('RFC 8200 §8.1: IPv6 pseudo-header sum uses a 32-bit length and the next header after 3 zero bytes', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 0xffffffff }),
      (src, dst, nh, len) => {
        const pseudo = [...src, ...dst, len >>> 24, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff, 0, 0, 0, nh];
        assert.equal(pseudoHeaderSum(src, dst, nh, len), naiveOnesSum(pseudo));
      },
    ),
  );
});

test('pseudoHeaderSum rejects mismatched or odd-sized addresses with RangeError (programming error)', () => {
  assert.throws(() => pseudoHeaderSum(new Uint8Array(4), new Uint8Array(16), 6, 20), RangeError);
  assert.throws(() => pseudoHeaderSum(new Uint8Array(5), new Uint8Array(5), 6, 20), RangeError);
});
