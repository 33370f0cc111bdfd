import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseTcp,
  writeTcp,
  tcpSegmentLength,
  pseudoHeaderSum,
  SYN,
  ACK,
  PSH,
  FIN,
  CWR,
  ECE,
  type TcpSegmentOut,
} from '../../src/wire/index.js';
import { LINUX_SYN_V4, LINUX_SYN_V6, naiveChecksum } from './helpers.js';

const SRC4 = Uint8Array.of(10, 0, 0, 1);
const DST4 = Uint8Array.of(10, 0, 0, 2);
const synSegment = () => LINUX_SYN_V4.slice(20);
const pseudo4 = (len: number) => pseudoHeaderSum(SRC4, DST4, 6, len);

const LINUX_SYN: TcpSegmentOut = {
  srcPort: 40000,
  dstPort: 80,
  seq: 0xd7a3c2e1,
  ack: 0,
  flags: SYN,
  window: 64240,
  options: { mss: 1460, sackPermitted: true, ts: { val: 0x0023e4b1, ecr: 0 }, wscale: 7 },
};

test('known-good Linux SYN: the TCP checksum (1d22) matches a naive pseudo-header + segment reference', () => {
  const seg = synSegment();
  seg[16] = 0;
  seg[17] = 0;
  const pseudo = [...SRC4, ...DST4, 0, 6, 0, seg.length];
  assert.equal(naiveChecksum([...pseudo, ...seg]), 0x1d22);
});

test('RFC 9293 §3.1: parseTcp decodes every field of a real Linux SYN and verifies its checksum', () => {
  const r = parseTcp(synSegment(), pseudo4(40));
  assert.ok(r.ok);
  const h = r.value;
  assert.equal(h.srcPort, 40000);
  assert.equal(h.dstPort, 80);
  assert.equal(h.seq, 0xd7a3c2e1); // ≥ 2^31, must come back unsigned
  assert.equal(h.ack, 0);
  assert.equal(h.dataOffset, 40);
  assert.equal(h.flags, SYN);
  assert.equal(h.window, 64240);
  assert.equal(h.checksum, 0x1d22);
  assert.equal(h.urgent, 0);
  assert.deepEqual(h.options, { mss: 1460, sackPermitted: true, ts: { val: 0x0023e4b1, ecr: 0 }, wscale: 7 });
  assert.equal(h.payload.length, 0);
});

test('writeTcp reproduces the Linux SYN segment byte for byte, checksum included', () => {
  assert.equal(tcpSegmentLength(LINUX_SYN), 40);
  const buf = new Uint8Array(40);
  assert.equal(writeTcp(buf, 0, LINUX_SYN, pseudo4(40)), 40);
  assert.deepEqual(buf, synSegment());
});

test('writeTcp with an IPv6 pseudo-header reproduces the IPv6 SYN checksum (d5af)', () => {
  const src = LINUX_SYN_V6.subarray(8, 24);
  const dst = LINUX_SYN_V6.subarray(24, 40);
  const buf = new Uint8Array(40);
  writeTcp(buf, 0, LINUX_SYN, pseudoHeaderSum(src, dst, 6, 40));
  assert.deepEqual(buf, LINUX_SYN_V6.subarray(40));
  assert.ok(parseTcp(buf, pseudoHeaderSum(src, dst, 6, 40)).ok);
});

test('payload is a view after the data offset; flags keep ECE/CWR; the old NS bit is ignored', () => {
  const seg: TcpSegmentOut = { srcPort: 1, dstPort: 2, seq: 3, ack: 4, flags: ACK | PSH | ECE | CWR, window: 5, payload: Uint8Array.of(9, 8, 7) };
  const buf = new Uint8Array(23);
  writeTcp(buf, 0, seg, 0);
  buf[12] |= 0x01; // NS (RFC 3540, historic)
  const r = parseTcp(buf);
  assert.ok(r.ok);
  assert.equal(r.value.flags, ACK | PSH | ECE | CWR);
  assert.equal(r.value.dataOffset, 20);
  assert.deepEqual(r.value.payload, Uint8Array.of(9, 8, 7));
  assert.equal(r.value.payload.buffer, buf.buffer);
});

test('writeTcp writes seq/ack modulo 2^32 and window/ports/urgent modulo 2^16; parse returns unsigned', () => {
  const seg: TcpSegmentOut = { srcPort: 0x10050, dstPort: 443, seq: 2 ** 32 + 5, ack: -1, flags: ACK | FIN, window: 0x1ffff, urgent: 0x10001 };
  const buf = new Uint8Array(20);
  writeTcp(buf, 0, seg, pseudo4(20));
  const r = parseTcp(buf, pseudo4(20));
  assert.ok(r.ok);
  assert.equal(r.value.srcPort, 0x50);
  assert.equal(r.value.seq, 5);
  assert.equal(r.value.ack, 0xffffffff);
  assert.equal(r.value.window, 0xffff);
  assert.equal(r.value.urgent, 1);
});

test('writeTcp writes at an offset and throws RangeError when the segment does not fit', () => {
  const buf = new Uint8Array(45).fill(0xdd);
  assert.equal(writeTcp(buf, 5, LINUX_SYN, pseudo4(40)), 40);
  assert.equal(buf[4], 0xdd);
  assert.deepEqual(buf.subarray(5), synSegment());
  assert.throws(() => writeTcp(new Uint8Array(39), 0, LINUX_SYN, 0), RangeError);
});

test('without a pseudo-header sum the checksum is not verified', () => {
  const seg = synSegment();
  seg[16] ^= 0xff;
  assert.ok(parseTcp(seg).ok);
});

// --- rejections (TCP-BEHAVIOR R6) ---

test("RFC 9293 §3.1: fewer than 20 bytes is 'short-packet'", () => {
  assert.deepEqual(parseTcp(new Uint8Array(0)), { ok: false, error: 'short-packet' });
  assert.deepEqual(parseTcp(synSegment().subarray(0, 19)), { ok: false, error: 'short-packet' });
});

test("RFC 9293 §3.1: a data offset below 5 words is 'bad-data-offset'", () => {
  for (const words of [0, 1, 4]) {
    const seg = synSegment();
    seg[12] = words << 4;
    assert.deepEqual(parseTcp(seg), { ok: false, error: 'bad-data-offset' }, `offset ${words}`);
  }
});

test("a data offset beyond the segment is 'bad-data-offset'", () => {
  const seg = synSegment();
  seg[12] = 0xf0; // 60 bytes, segment has 40
  assert.deepEqual(parseTcp(seg), { ok: false, error: 'bad-data-offset' });
  assert.deepEqual(parseTcp(synSegment().subarray(0, 39)), { ok: false, error: 'bad-data-offset' });
});

test("option errors propagate from parseTcp as 'bad-option-length'", () => {
  const seg = synSegment();
  seg[21] = 5; // MSS with length 5
  assert.deepEqual(parseTcp(seg), { ok: false, error: 'bad-option-length' });
});

test("RFC 9293 §3.1: a wrong checksum is 'bad-tcp-checksum' (corrupted byte, or wrong pseudo-header)", () => {
  const seg = synSegment();
  seg[25] ^= 0x40;
  assert.deepEqual(parseTcp(seg, pseudo4(40)), { ok: false, error: 'bad-tcp-checksum' });
  // Right bytes, wrong destination address in the pseudo-header (a misdelivered segment).
  const other = pseudoHeaderSum(SRC4, Uint8Array.of(10, 0, 0, 3), 6, 40);
  assert.deepEqual(parseTcp(synSegment(), other), { ok: false, error: 'bad-tcp-checksum' });
  // Right bytes, wrong length in the pseudo-header.
  assert.deepEqual(parseTcp(synSegment(), pseudo4(41)), { ok: false, error: 'bad-tcp-checksum' });
});
