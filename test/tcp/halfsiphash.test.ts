/**
 * R5 the keyed hash behind ISNs, TSval offsets and SYN cookies is
 * HalfSipHash-2-4, bit for bit: the reference implementation's vectors
 * (github.com/veorq/SipHash, vectors_hsip32: key 00..07, message 00..len-1),
 * and values pinned from the array-building implementation this one replaced,
 * so the allocation-free rewrite changes no ISN, offset or cookie.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { halfSipHash24 } from '../../src/tcp/halfsiphash.js';
import { initialSequenceNumber, timestampOffset } from '../../src/tcp/isn.js';
import { makeCookie } from '../../src/tcp/syn-cookie.js';

/** The reference's 32-bit outputs (read little-endian) for messages of 0, 4, 8 … 20 bytes. */
const REFERENCE: ReadonlyArray<[number, number]> = [
  [0, 0x5b9f35a9],
  [4, 0x89466e2a],
  [8, 0x8f84b8d0],
  [12, 0x2f87f057],
  [16, 0x84acb5d9],
  [20, 0x45104de3],
];

test('R5 HalfSipHash-2-4 gives the reference vectors (key 00..07, message 00..len-1)', () => {
  const key: [number, number] = [0x03020100, 0x07060504];
  for (const [len, expected] of REFERENCE) {
    const words: number[] = [];
    for (let i = 0; i < len; i += 4) words.push((i | ((i + 1) << 8) | ((i + 2) << 16) | ((i + 3) << 24)) >>> 0);
    assert.equal(halfSipHash24(key, words), expected, `${len}-byte message`);
    assert.equal(halfSipHash24(key, Uint32Array.from(words)), expected, `${len}-byte message from a typed array`);
  }
});

const key: [number, number] = [0x11111111, 0x22222222];
const key2: [number, number] = [0xdeadbeef, 0xfeedface];
const a4 = new Uint8Array([10, 0, 0, 1]);
const b4 = new Uint8Array([10, 0, 0, 2]);
const a6 = new Uint8Array([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
const b6 = new Uint8Array([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x22]);

test('R5 ISNs, TSval offsets and SYN cookies are the values the array-building hash gave (IPv4 and IPv6)', () => {
  assert.equal(initialSequenceNumber(key, a4, 40000, b4, 80, 0), 4159074559);
  assert.equal(initialSequenceNumber(key, a4, 40000, b4, 80, 123456.789), 4189938756);
  assert.equal(initialSequenceNumber(key2, a6, 1, b6, 65535, 5e9), 1434660854);
  assert.equal(timestampOffset(key, a4, 40000, b4, 80), 4256485770);
  assert.equal(timestampOffset(key2, a6, 1, b6, 65535), 2244868713);
  assert.equal(makeCookie(key, { localAddr: a4, localPort: 80, remoteAddr: b4, remotePort: 40000 }, 0x12345678, 3_600_000, 2), 3108498556);
});

test('R5 hashes computed back to back do not leak state into each other', () => {
  const first = timestampOffset(key2, a6, 1, b6, 65535);
  initialSequenceNumber(key, a4, 40000, b4, 80, 0);
  assert.equal(timestampOffset(key2, a6, 1, b6, 65535), first);
});
