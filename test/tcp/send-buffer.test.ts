/**
 * R9 / buffers on demand, and issue 11's connection rate: the send ring is
 * sized to what is written, grows by doubling up to the limit, holds nothing
 * once all is acknowledged, and a small ring is reused rather than allocated
 * again for the next exchange.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SendBuffer } from '../../src/tcp/send-buffer.js';
import { Rng } from '../../src/util/rng.js';

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

function ringOf(b: SendBuffer): Uint8Array {
  return (b as unknown as { ring: Uint8Array }).ring;
}

test('R9 a 1-byte write allocates a small ring (2 KiB plus its mirror), not the whole send buffer', () => {
  const b = new SendBuffer(16 * 1024, 4 * 1024 * 1024);
  assert.equal(b.memory, 0, 'nothing before the first write');
  assert.equal(b.push(new Uint8Array([0x2a])), 1);
  assert.equal(b.memory, 4096);
  assert.deepEqual([...b.peek(0, 1)], [0x2a]);
});

test('R9 the ring doubles as data is queued, up to the send buffer size, keeping the bytes in order', () => {
  const b = new SendBuffer(16 * 1024, 4 * 1024 * 1024);
  const data = bytes(16 * 1024, 7);
  const seen: number[] = [];
  for (let off = 0; off < data.length; off += 1000) {
    b.push(data.subarray(off, Math.min(off + 1000, data.length)));
    seen.push(b.memory);
  }
  assert.deepEqual([...new Set(seen)], [4096, 8192, 16384, 32768], 'ring + mirror: 2, 4, 8, 16 KiB rings');
  assert.equal(b.free, 0);
  assert.deepEqual(b.peek(0, b.length), data);
  // Raised by autotuning, the ring doubles again rather than growing in small steps.
  b.capacity = 20 * 1024;
  b.drop(1);
  assert.equal(b.push(bytes(4 * 1024, 9)), 4 * 1024);
  assert.equal(b.memory, 32 * 1024 + 32 * 1024);
});

test('R9 all acknowledged: the ring is released, and the next small write reuses one instead of allocating', () => {
  const a = new SendBuffer(16 * 1024);
  a.push(bytes(100, 1));
  const ring = ringOf(a);
  a.drop(100);
  assert.equal(a.memory, 0, 'an idle buffer holds no memory');
  const b = new SendBuffer(16 * 1024);
  b.push(bytes(10, 2));
  assert.equal(ringOf(b), ring, 'the released small ring is taken by the next write');
  assert.deepEqual(b.peek(0, 10), bytes(10, 2), 'and holds only what this buffer wrote');
  b.drop(4);
  assert.deepEqual(b.peek(0, 6), bytes(10, 2).subarray(4));
});

test('R9 a large ring is released to the collector once all is acknowledged, not kept', () => {
  const a = new SendBuffer(64 * 1024);
  a.push(bytes(40_000, 3));
  assert.equal(a.memory, 128 * 1024);
  const big = ringOf(a);
  a.drop(40_000);
  assert.equal(a.memory, 0);
  const b = new SendBuffer(64 * 1024);
  b.push(bytes(1, 4));
  assert.notEqual(ringOf(b), big);
  assert.equal(b.memory, 4096);
});

test('R9 random pushes, peeks and drops across ring growth, wrap and reuse return exactly the bytes queued', () => {
  const rng = new Rng(11);
  const between = (lo: number, hi: number): number => lo + rng.int(hi - lo + 1);
  const buffers = [new SendBuffer(8 * 1024, 64 * 1024), new SendBuffer(3000), new SendBuffer(1000)];
  const models: number[][] = buffers.map(() => []);
  let next = 0;
  for (let step = 0; step < 4000; step++) {
    const i = between(0, buffers.length - 1);
    const b = buffers[i]!;
    const model = models[i]!;
    const op = between(0, 2);
    if (op === 0) {
      const n = between(1, 3000);
      const chunk = new Uint8Array(n);
      for (let k = 0; k < n; k++) chunk[k] = next++ & 0xff;
      const took = b.push(chunk);
      assert.equal(took, Math.min(n, b.capacity - model.length));
      model.push(...chunk.subarray(0, took));
      next -= n - took;
    } else if (op === 1 && model.length > 0) {
      const off = between(0, model.length - 1);
      const len = between(0, Math.min(1460, model.length - off));
      assert.deepEqual([...b.peek(off, len)], model.slice(off, off + len), `step ${step}`);
    } else {
      const n = between(0, model.length);
      b.drop(n);
      model.splice(0, n);
      if (model.length === 0) assert.equal(b.memory, 0);
    }
    assert.equal(b.length, model.length);
  }
});
