/**
 * Issue 11, "Send": the payload is written from its place in a larger array (the send ring) without a view of
 * it. copyRangeOnesSum and TcpTemplate.writeFrom must give exactly what the view-taking forms give, for every
 * alignment of source against destination (the word loop when they agree mod 4, the copy through a view when
 * they do not, the byte loop below 64 bytes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { copyRangeOnesSum, onesSumRange } from '../../src/wire/checksum.js';
import { parseTcpPacket } from '../../src/wire/index.js';
import { PacketBuffer, TcpTemplate } from '../../src/wire/tcp-template.js';
import { naiveOnesSum } from './helpers.js';

test('property: copyRangeOnesSum copies src[from, from + length) to dst at `at` and returns onesSumRange over the copy, for any length, alignment and initial sum', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 3000 }),
      fc.integer({ min: 0, max: 9 }),
      fc.integer({ min: 0, max: 9 }),
      fc.integer({ min: 0, max: 9 }),
      fc.integer({ min: 0, max: 0xffff }),
      (data, before, after, at, initial) => {
        const src = new Uint8Array(before + data.length + after).fill(0xee);
        src.set(data, before);
        const dst = new Uint8Array(at + data.length + 4).fill(0x5a);
        const sum = copyRangeOnesSum(src, before, data.length, dst, at, initial);
        assert.deepEqual(dst.subarray(at, at + data.length), data);
        assert.ok(dst.subarray(0, at).every((b) => b === 0x5a) && dst.subarray(at + data.length).every((b) => b === 0x5a), 'nothing outside the range is written');
        assert.equal(sum, onesSumRange(dst, at, at + data.length, initial));
        assert.equal(sum, naiveOnesSum(data, initial));
      },
    ),
    { numRuns: 500 },
  );
});

test('copyRangeOnesSum over a source that is a view at an odd byte offset of its buffer, into a destination view that is not at its buffer start', () => {
  const backing = new Uint8Array(4000);
  for (let i = 0; i < backing.length; i++) backing[i] = (i * 131 + 7) & 0xff;
  const src = backing.subarray(3); // byteOffset 3
  const dstBacking = new Uint8Array(2000);
  for (const [from, at] of [[1, 8], [1, 6], [5, 12], [0, 9]] as const) {
    const dst = dstBacking.subarray(2); // byteOffset 2
    const sum = copyRangeOnesSum(src, from, 1448, dst, at, 0);
    assert.deepEqual(dst.subarray(at, at + 1448), src.subarray(from, from + 1448));
    assert.equal(sum, naiveOnesSum(src.subarray(from, from + 1448), 0));
  }
});

test('property: writeFrom with the payload given by place writes byte for byte what write writes with it as a view, and the checksum verifies', () => {
  const tpl = new TcpTemplate(Uint8Array.of(10, 0, 0, 1), Uint8Array.of(10, 0, 0, 2), 40000, 80);
  const tpl6 = new TcpTemplate(new Uint8Array(16).fill(1), new Uint8Array(16).fill(2), 40000, 80);
  const byView = new PacketBuffer(new Uint8Array(0), true);
  const byPlace = new PacketBuffer(new Uint8Array(0), true);
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 3000 }), fc.nat({ max: 11 }), fc.boolean(), fc.boolean(), (data, before, v6, ts) => {
      const t = v6 ? tpl6 : tpl;
      const ring = new Uint8Array(before + data.length + 5);
      ring.set(data, before);
      const seg = { seq: 0xfffffff0, ack: 0x80000001, flags: 0x18, window: 512, options: ts ? { ts: { val: 0x90000000, ecr: 7 } } : undefined };
      const n = t.write(byView, { ...seg, payload: data }, 77, false);
      const m = t.writeFrom(byPlace, seg, 77, false, ring, before, data.length);
      assert.equal(m, n);
      assert.deepEqual(byPlace.view(m), byView.view(n));
      const r = parseTcpPacket(byPlace.view(m));
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.deepEqual(r.value.tcp.payload, data);
      // With checksum offload the payload is copied, not summed.
      const k = t.writeFrom(byPlace, seg, 77, true, ring, before, data.length);
      assert.deepEqual(byPlace.view(k).subarray(k - data.length), data);
    }),
    { numRuns: 300 },
  );
});
