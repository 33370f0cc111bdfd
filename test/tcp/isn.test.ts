import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialSequenceNumber } from '../../src/tcp/isn.js';

const a = new Uint8Array([10, 0, 0, 1]);
const b = new Uint8Array([10, 0, 0, 2]);
const key: [number, number] = [0x11111111, 0x22222222];

test('R5 ISN = M + F(4-tuple, key): the clock part ticks every 4 µs (RFC 6528 §3)', () => {
  const t0 = initialSequenceNumber(key, a, 40000, b, 80, 1000);
  const t1 = initialSequenceNumber(key, a, 40000, b, 80, 1001);
  assert.equal((t1 - t0) >>> 0, 250, 'one millisecond is 250 ticks of 4 µs');
  assert.equal(initialSequenceNumber(key, a, 40000, b, 80, 1000), t0, 'deterministic for the same inputs');
});

test('R5 the hash part differs per 4-tuple and per secret key, so ISNs are not guessable from another connection', () => {
  const base = initialSequenceNumber(key, a, 40000, b, 80, 0);
  const others = [
    initialSequenceNumber(key, a, 40001, b, 80, 0),
    initialSequenceNumber(key, a, 40000, b, 81, 0),
    initialSequenceNumber(key, b, 40000, a, 80, 0),
    initialSequenceNumber([0x11111111, 0x22222223], a, 40000, b, 80, 0),
  ];
  for (const o of others) assert.notEqual(o, base);
  assert.equal(new Set(others).size, others.length);
  // Across many ports the ISNs look uniformly spread over 2^32: no two in the same 1/64 slice too often.
  const slices = new Array(64).fill(0);
  for (let p = 1; p <= 6400; p++) slices[initialSequenceNumber(key, a, p, b, 80, 0) >>> 26]++;
  assert.ok(Math.max(...slices) < 160 && Math.min(...slices) > 40, `distribution ${Math.min(...slices)}..${Math.max(...slices)}`);
});
