import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseTcpOptions, tcpOptionsLength, writeTcpOptions, type TcpOptions } from '../../src/wire/index.js';
import { hex } from './helpers.js';
import { optionsArb } from './arbitraries.js';

function written(opts: TcpOptions): Uint8Array {
  const buf = new Uint8Array(40);
  const n = writeTcpOptions(buf, 0, opts);
  assert.equal(n, tcpOptionsLength(opts));
  return buf.subarray(0, n);
}

test('parses the options of a Linux SYN: mss 1460, sackOK, TS, nop, wscale 7', () => {
  const r = parseTcpOptions(hex('020405b4 0402080a 0023e4b1 00000000 01030307'));
  assert.deepEqual(r, { ok: true, value: { mss: 1460, sackPermitted: true, ts: { val: 0x0023e4b1, ecr: 0 }, wscale: 7 } });
});

test('no options (empty bytes) parse to an empty object', () => {
  assert.deepEqual(parseTcpOptions(new Uint8Array(0)), { ok: true, value: {} });
});

test('RFC 9293 §3.1: EOL ends the list; anything after it is padding and is ignored', () => {
  assert.deepEqual(parseTcpOptions(hex('020405b4 00 ff 00 07')), { ok: true, value: { mss: 1460 } });
});

test('RFC 9293 §3.1: NOPs are skipped wherever they appear', () => {
  assert.deepEqual(parseTcpOptions(hex('01 01 01 030302 01')), { ok: true, value: { wscale: 2 } });
});

test('RFC 9293 §3.2: an unknown option kind is skipped using its length', () => {
  // kind 30 (MPTCP) length 4, kind 254 (experimental) length 2, then MSS
  assert.deepEqual(parseTcpOptions(hex('1e04aabb fe02 020405dc')), { ok: true, value: { mss: 1500 } });
});

test('RFC 7323 §2.3: a window scale above 14 is reported as sent (clamping is the TCP layer\'s job)', () => {
  assert.deepEqual(parseTcpOptions(hex('01 03 03 0f')), { ok: true, value: { wscale: 15 } });
});

test('RFC 7323 §3 / RFC 2018 §3: 32-bit values are unsigned, including values ≥ 2^31', () => {
  const r = parseTcpOptions(hex('0101080a ffffffff 80000000 0101050a fffffffe ffffffff'));
  assert.deepEqual(r, {
    ok: true,
    value: { ts: { val: 0xffffffff, ecr: 0x80000000 }, sack: [[0xfffffffe, 0xffffffff]] },
  });
});

test('RFC 2018 §3: SACK with 1 to 4 blocks parses in order', () => {
  for (let n = 1; n <= 4; n++) {
    const bytes = new Uint8Array(2 + 8 * n);
    bytes[0] = 5;
    bytes[1] = 2 + 8 * n;
    const dv = new DataView(bytes.buffer);
    const blocks: Array<[number, number]> = [];
    for (let k = 0; k < n; k++) {
      blocks.push([1000 * k + 1, 1000 * k + 500]);
      dv.setUint32(2 + 8 * k, 1000 * k + 1);
      dv.setUint32(6 + 8 * k, 1000 * k + 500);
    }
    assert.deepEqual(parseTcpOptions(bytes), { ok: true, value: { sack: blocks } });
  }
});

// --- rejections: 'bad-option-length' ---

test("RFC 9293 §3.2: an option length < 2 is 'bad-option-length' (0 and 1 would loop forever)", () => {
  assert.deepEqual(parseTcpOptions(hex('1e00 0000')), { ok: false, error: 'bad-option-length' });
  assert.deepEqual(parseTcpOptions(hex('1e01 0000')), { ok: false, error: 'bad-option-length' });
  assert.deepEqual(parseTcpOptions(hex('0200 05b4')), { ok: false, error: 'bad-option-length' });
});

test("an option whose length runs past the end of the options is 'bad-option-length'", () => {
  assert.deepEqual(parseTcpOptions(hex('0204 05')), { ok: false, error: 'bad-option-length' });
  assert.deepEqual(parseTcpOptions(hex('01 01 1e 09 00 00 00 00')), { ok: false, error: 'bad-option-length' });
});

test("a kind byte with no room for its length byte is 'bad-option-length'", () => {
  assert.deepEqual(parseTcpOptions(hex('01 01 01 02')), { ok: false, error: 'bad-option-length' });
});

test("a known kind with the wrong length is 'bad-option-length' (MSS 4, WS 3, SACK-perm 2, TS 10)", () => {
  for (const h of ['0203 05 00', '020505b400', '0302 0000', '0304 0700', '0403 0000', '0409 000000000000000000 00', '080b 0000000000000000 000000']) {
    assert.deepEqual(parseTcpOptions(hex(h)), { ok: false, error: 'bad-option-length' }, h);
  }
});

test("RFC 2018 §3: a SACK length that is not 2+8n with n in 1..4 is 'bad-option-length'", () => {
  for (const len of [2, 3, 9, 11, 17, 33]) {
    const bytes = new Uint8Array(40);
    bytes[0] = 5;
    bytes[1] = len;
    assert.deepEqual(parseTcpOptions(bytes), { ok: false, error: 'bad-option-length' }, `len ${len}`);
  }
});

// --- writing ---

test('writeTcpOptions lays out a SYN like Linux: MSS, SACK-perm+TS packed, NOP, WS (20 bytes)', () => {
  const opts = { mss: 1460, sackPermitted: true, ts: { val: 0x0023e4b1, ecr: 0 }, wscale: 7 };
  assert.deepEqual(written(opts), hex('020405b4 0402080a 0023e4b1 00000000 01030307'));
});

test('writeTcpOptions: TS without SACK-permitted is NOP,NOP,TS; SACK-permitted alone is NOP,NOP,SACK-perm', () => {
  assert.deepEqual(written({ ts: { val: 1, ecr: 2 } }), hex('0101080a 00000001 00000002'));
  assert.deepEqual(written({ mss: 536, sackPermitted: true }), hex('02040218 01010402'));
});

test('writeTcpOptions: SACK blocks as NOP,NOP,SACK(2+8n) after the timestamp', () => {
  const opts: TcpOptions = { ts: { val: 7, ecr: 9 }, sack: [[0x80000000, 0x80000010]] };
  assert.deepEqual(written(opts), hex('0101080a 00000007 00000009 0101050a 80000000 80000010'));
});

test('writeTcpOptions: window scale alone is NOP,WS(3,3,shift); no options write 0 bytes', () => {
  const opts: TcpOptions = { wscale: 14 };
  assert.deepEqual(written(opts), hex('0103030e'));
  assert.equal(tcpOptionsLength({}), 0);
  assert.equal(written({}).length, 0);
});

test('RFC 2018 §3: with TS, at most 3 SACK blocks fit in 40 bytes; the rest are dropped from the end', () => {
  const four: Array<[number, number]> = [[1, 2], [3, 4], [5, 6], [7, 8]];
  assert.equal(tcpOptionsLength({ sack: four }), 36);
  assert.deepEqual(parseTcpOptions(written({ sack: four })), { ok: true, value: { sack: four } });
  const withTs = { ts: { val: 1, ecr: 1 }, sack: four };
  assert.equal(tcpOptionsLength(withTs), 40);
  assert.deepEqual(parseTcpOptions(written(withTs)), { ok: true, value: { ts: { val: 1, ecr: 1 }, sack: four.slice(0, 3) } });
  const full = { mss: 1, ts: { val: 1, ecr: 1 }, wscale: 1, sack: four };
  assert.equal(tcpOptionsLength(full), 40);
  const r = parseTcpOptions(written(full));
  assert.ok(r.ok);
  assert.deepEqual(r.value.sack, four.slice(0, 2)); // MSS+TS+WS take 20 bytes: 2 blocks fit
});

test('writeTcpOptions writes 32-bit values modulo 2^32 and 16-bit MSS modulo 2^16', () => {
  const r = parseTcpOptions(written({ mss: 0x10005, ts: { val: -1, ecr: 2 ** 32 + 3 } }));
  assert.deepEqual(r, { ok: true, value: { mss: 5, ts: { val: 0xffffffff, ecr: 3 } } });
});

test('writeTcpOptions writes at an offset and throws RangeError when the buffer is too small', () => {
  const buf = new Uint8Array(10).fill(0xcc);
  assert.equal(writeTcpOptions(buf, 2, { wscale: 3 }), 4);
  assert.deepEqual(buf, hex('cccc 01030303 cccccccc'));
  assert.throws(() => writeTcpOptions(new Uint8Array(3), 0, { wscale: 3 }), RangeError);
});

test('property: any option subset writes ≤ 40 bytes, a multiple of 4, and parses back (SACK trimmed to fit)', () => {
  fc.assert(
    fc.property(optionsArb, (opts) => {
      const bytes = written(opts);
      assert.ok(bytes.length <= 40 && bytes.length % 4 === 0);
      const r = parseTcpOptions(bytes);
      assert.ok(r.ok);
      const fixed = (opts.mss !== undefined ? 4 : 0) + (opts.ts ? 12 : opts.sackPermitted ? 4 : 0) + (opts.wscale !== undefined ? 4 : 0);
      const expected = { ...opts };
      if (opts.sack) expected.sack = opts.sack.slice(0, Math.floor((40 - fixed - 4) / 8));
      assert.deepEqual(r.value, expected);
    }),
    { numRuns: 500 },
  );
});

test('property: parseTcpOptions never throws on arbitrary bytes (TCP-BEHAVIOR R6)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 44 }), (bytes) => {
      const r = parseTcpOptions(bytes);
      assert.ok(r.ok || r.error === 'bad-option-length');
    }),
    { numRuns: 2000 },
  );
});
