/**
 * The stack's 4-tuple table (stack/demux.ts): lookups by interface, ports and
 * remote address (IPv4 and IPv6), deletion only of the value stored, growth
 * and shrinking with every entry still found, and a table whose one entry
 * comes and goes (one short connection after another) keeps its arrays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DemuxTable } from '../../src/stack/demux.js';

const v4 = (i: number): Uint8Array => new Uint8Array([10, 0, (i >> 8) & 0xff, i & 0xff]);
const v6 = (i: number): Uint8Array => {
  const a = new Uint8Array(16);
  a[0] = 0xfd;
  a[14] = (i >> 8) & 0xff;
  a[15] = i & 0xff;
  return a;
};

test('demux: an entry is found by exactly its interface, ports and remote address (IPv4 and IPv6)', () => {
  const t = new DemuxTable<string>();
  t.set(0, 80, v4(1), 5000, 'a');
  t.set(0, 80, v6(1), 5000, 'b');
  t.set(1, 80, v4(1), 5000, 'c');
  assert.equal(t.size, 3);
  assert.equal(t.get(0, 80, v4(1), 5000), 'a');
  assert.equal(t.get(0, 80, v6(1), 5000), 'b');
  assert.equal(t.get(1, 80, v4(1), 5000), 'c');
  assert.equal(t.get(0, 81, v4(1), 5000), undefined);
  assert.equal(t.get(0, 80, v4(1), 5001), undefined);
  assert.equal(t.get(0, 80, v4(2), 5000), undefined);
  assert.equal(t.get(0, 80, v6(2), 5000), undefined);
  // Same key: the value is replaced, not added.
  t.set(0, 80, v4(1), 5000, 'a2');
  assert.equal(t.size, 3);
  assert.equal(t.get(0, 80, v4(1), 5000), 'a2');
});

test('demux: delete removes only the value stored (a newer incarnation stays)', () => {
  const t = new DemuxTable<string>();
  t.set(0, 80, v4(1), 5000, 'new');
  assert.equal(t.delete(0, 80, v4(1), 5000, 'old'), false);
  assert.equal(t.get(0, 80, v4(1), 5000), 'new');
  assert.equal(t.delete(0, 80, v4(1), 5000, 'new'), true);
  assert.equal(t.get(0, 80, v4(1), 5000), undefined);
  assert.equal(t.size, 0);
  assert.equal(t.delete(0, 80, v4(1), 5000, 'new'), false);
});

test('demux: growing to thousands of entries and deleting them in another order finds every remaining one', () => {
  const t = new DemuxTable<number>();
  const n = 3000;
  const addr = (i: number): Uint8Array => (i % 3 === 0 ? v6(i) : v4(i));
  for (let i = 0; i < n; i++) t.set(i % 2, 1000 + (i % 7), addr(i), 2000 + i, i);
  assert.equal(t.size, n);
  for (let i = 0; i < n; i++) assert.equal(t.get(i % 2, 1000 + (i % 7), addr(i), 2000 + i), i);
  // Delete every entry but those ≡ 0 mod 5, walking backwards (backward-shift deletion, shrinking on the way).
  for (let i = n - 1; i >= 0; i--) if (i % 5 !== 0) assert.equal(t.delete(i % 2, 1000 + (i % 7), addr(i), 2000 + i, i), true);
  assert.equal(t.size, n / 5);
  for (let i = 0; i < n; i++) assert.equal(t.get(i % 2, 1000 + (i % 7), addr(i), 2000 + i), i % 5 === 0 ? i : undefined);
  assert.deepEqual([...t.values()].sort((x, y) => x - y), Array.from({ length: n / 5 }, (_, k) => 5 * k));
});

test('demux: one entry coming and going keeps the same arrays (no rebuild per short connection)', () => {
  const t = new DemuxTable<number>();
  t.set(0, 80, v4(1), 40000, 0);
  const arrays = t as unknown as { addrs: Uint32Array; vals: unknown[] };
  const addrs = arrays.addrs;
  const vals = arrays.vals;
  for (let i = 1; i <= 100; i++) {
    assert.equal(t.delete(0, 80, v4(1), 40000 + i - 1, i - 1), true);
    assert.equal(t.size, 0);
    t.set(0, 80, v4(1), 40000 + i, i);
    assert.equal(t.get(0, 80, v4(1), 40000 + i), i);
  }
  assert.equal(arrays.addrs, addrs);
  assert.equal(arrays.vals, vals);
});
