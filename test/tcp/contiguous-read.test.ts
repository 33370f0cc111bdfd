// ReceiveQueue.read(max, contiguous): a read that stops at the end of the page its first byte sits in, so it never
// copies (stack.net's pull reads so: Node's 'data' chunk sizes are free). Bytes and order are those of a plain read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ReceiveQueue } from '../../src/tcp/receive-queue.js';

function pattern(from: number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = ((from + i) * 7 + ((from + i) >>> 8)) & 0xff;
  return b;
}

test('a contiguous read stops at the page end with the right bytes, and the next read goes on from there', () => {
  const q = new ReceiveQueue();
  q.push(pattern(0, 1000));
  q.push(pattern(1000, 3000)); // the second write crosses into further pages
  const first = q.read(600, true)!;
  assert.deepEqual(first, pattern(0, 600));
  const page = first.buffer;
  const toEnd = q.read(2000, true)!;
  const pageEnd = first.byteOffset + 1000; // the first page holds the first write
  assert.deepEqual(toEnd, pattern(600, 400), 'up to the first page end, not 2000 bytes');
  assert.equal(toEnd.buffer, page, 'a view of that page, not a copy');
  assert.equal(toEnd.byteOffset + toEnd.length, pageEnd);
  assert.equal(q.length, 3000);
  const next = q.read(2000, true)!;
  assert.deepEqual(next, pattern(1000, next.length));
  assert.ok(next.length > 0 && next.length <= 2000);
  assert.notEqual(next.buffer, page, 'the next read starts in the next page');
  let pos = 1000 + next.length;
  for (let d = q.read(2000, true); d; d = q.read(2000, true)) {
    assert.deepEqual(d, pattern(pos, d.length));
    pos += d.length;
  }
  assert.equal(pos, 4000);
  assert.equal(q.length, 0);
});

test('a plain read across the same page end still returns min(max, length) bytes in one copy', () => {
  const q = new ReceiveQueue();
  q.push(pattern(0, 4000));
  q.read(600, true);
  const d = q.read(2000)!;
  assert.equal(d.length, 2000);
  assert.deepEqual(d, pattern(600, 2000));
});

test('property: contiguous reads of any size return the stream in order, never empty while bytes wait, never more than asked', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: 1, maxLength: 40 }),
      fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 40 }),
      (writes, reads) => {
        const q = new ReceiveQueue();
        let written = 0;
        let pos = 0;
        let r = 0;
        const readSome = (): void => {
          const max = reads[r++ % reads.length]!;
          const before = q.length;
          const d = q.read(max, true);
          if (before === 0) return assert.equal(d, null);
          assert.ok(d !== null && d.length >= 1 && d.length <= Math.min(max, before));
          assert.deepEqual(d, pattern(pos, d.length));
          pos += d.length;
        };
        for (const n of writes) {
          q.push(pattern(written, n));
          written += n;
          readSome();
        }
        while (q.length > 0) readSome();
        assert.equal(pos, written);
      },
    ),
    { numRuns: 200 },
  );
});
