import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpv4, writeIpv4, formatAddress, internetChecksum } from '../../src/wire/index.js';
import { LINUX_SYN_V4, fixIpv4Checksum, naiveChecksum } from './helpers.js';

const syn = () => LINUX_SYN_V4.slice();

test('known-good Linux SYN: the hand-assembled IPv4 header checksum (0a74) matches the naive reference', () => {
  const hdr = syn().subarray(0, 20);
  hdr[10] = 0;
  hdr[11] = 0;
  assert.equal(naiveChecksum(hdr), 0x0a74);
  assert.equal(internetChecksum(hdr), 0x0a74);
});

test('RFC 791 §3.1: parseIpv4 decodes every field of a real Linux SYN', () => {
  const r = parseIpv4(syn());
  assert.ok(r.ok);
  const h = r.value;
  assert.equal(h.version, 4);
  assert.equal(h.headerLength, 20);
  assert.equal(h.tos, 0);
  assert.equal(h.totalLength, 60);
  assert.equal(h.id, 0x1c46);
  assert.equal(h.dontFragment, true);
  assert.equal(h.moreFragments, false);
  assert.equal(h.fragmentOffset, 0);
  assert.equal(h.ttl, 64);
  assert.equal(h.protocol, 6);
  assert.equal(formatAddress(h.src), '10.0.0.1');
  assert.equal(formatAddress(h.dst), '10.0.0.2');
  assert.equal(h.payload.length, 40);
  assert.equal(h.payload[0], 0x9c);
});

test('parseIpv4 returns views into the input, not copies', () => {
  const pkt = syn();
  const r = parseIpv4(pkt);
  assert.ok(r.ok);
  assert.equal(r.value.src.buffer, pkt.buffer);
  assert.equal(r.value.src.byteOffset, pkt.byteOffset + 12);
  assert.equal(r.value.dst.byteOffset, pkt.byteOffset + 16);
  assert.equal(r.value.payload.byteOffset, pkt.byteOffset + 20);
});

test('parseIpv4 works on a view at an odd byteOffset inside a larger buffer', () => {
  const big = new Uint8Array(LINUX_SYN_V4.length + 7);
  big.set(LINUX_SYN_V4, 3);
  const r = parseIpv4(big.subarray(3, 3 + LINUX_SYN_V4.length));
  assert.ok(r.ok);
  assert.equal(formatAddress(r.value.dst), '10.0.0.2');
});

test('RFC 791: bytes after total length (link-layer padding) are ignored, payload stops at total length', () => {
  const padded = new Uint8Array(LINUX_SYN_V4.length + 6).fill(0xee);
  padded.set(LINUX_SYN_V4);
  const r = parseIpv4(padded);
  assert.ok(r.ok);
  assert.equal(r.value.payload.length, 40);
});

test('RFC 791: IP options (IHL 6) are skipped; payload starts after them', () => {
  const pkt = new Uint8Array(64);
  pkt.set(LINUX_SYN_V4.subarray(0, 20));
  pkt[0] = 0x46;
  pkt[3] = 64;
  pkt.set([1, 1, 1, 0], 20); // NOP NOP NOP EOL
  pkt.set(LINUX_SYN_V4.subarray(20), 24);
  fixIpv4Checksum(pkt);
  const r = parseIpv4(pkt);
  assert.ok(r.ok);
  assert.equal(r.value.headerLength, 24);
  assert.equal(r.value.payload.length, 40);
  assert.equal(r.value.payload[0], 0x9c);
});

test('a fragment (MF set, or offset != 0) parses ok; the offset is reported in bytes', () => {
  const mf = syn();
  mf[6] = 0x20; // MF, offset 0
  const r1 = parseIpv4(fixIpv4Checksum(mf));
  assert.ok(r1.ok);
  assert.equal(r1.value.moreFragments, true);
  assert.equal(r1.value.dontFragment, false);
  const off = syn();
  off[6] = 0x00;
  off[7] = 0xb9; // offset 185 × 8 = 1480
  const r2 = parseIpv4(fixIpv4Checksum(off));
  assert.ok(r2.ok);
  assert.equal(r2.value.fragmentOffset, 1480);
});

// --- rejections (TCP-BEHAVIOR R6) ---

test("rejects fewer than 20 bytes as 'short-packet'", () => {
  assert.deepEqual(parseIpv4(new Uint8Array(0)), { ok: false, error: 'short-packet' });
  assert.deepEqual(parseIpv4(syn().subarray(0, 19)), { ok: false, error: 'short-packet' });
});

test("rejects a version nibble other than 4 as 'bad-ip-version'", () => {
  const pkt = syn();
  pkt[0] = 0x65;
  assert.deepEqual(parseIpv4(fixIpv4Checksum(pkt)), { ok: false, error: 'bad-ip-version' });
});

test("RFC 791: rejects IHL < 5 as 'bad-ip-header-length'", () => {
  for (const ihl of [0, 1, 4]) {
    const pkt = syn();
    pkt[0] = 0x40 | ihl;
    assert.deepEqual(parseIpv4(pkt), { ok: false, error: 'bad-ip-header-length' }, `IHL ${ihl}`);
  }
});

test("rejects an IHL whose options run past the received bytes as 'truncated'", () => {
  const pkt = syn().subarray(0, 40);
  pkt[0] = 0x4f; // 60-byte header, 40 bytes present
  assert.deepEqual(parseIpv4(pkt), { ok: false, error: 'truncated' });
});

test("rejects total length smaller than the header as 'bad-ip-total-length'", () => {
  for (const total of [0, 19]) {
    const pkt = syn();
    pkt[2] = 0;
    pkt[3] = total;
    assert.deepEqual(parseIpv4(fixIpv4Checksum(pkt)), { ok: false, error: 'bad-ip-total-length' });
  }
});

test("rejects a packet shorter than its total length (truncated IP) as 'truncated'", () => {
  assert.deepEqual(parseIpv4(syn().subarray(0, 59)), { ok: false, error: 'truncated' });
  assert.deepEqual(parseIpv4(syn().subarray(0, 20)), { ok: false, error: 'truncated' });
});

test("RFC 791 §3.1: rejects a wrong header checksum as 'bad-ip-checksum'", () => {
  const pkt = syn();
  pkt[11] ^= 0x01;
  assert.deepEqual(parseIpv4(pkt), { ok: false, error: 'bad-ip-checksum' });
  const ttl = syn();
  ttl[8] = 63; // decremented TTL without checksum update
  assert.deepEqual(parseIpv4(ttl), { ok: false, error: 'bad-ip-checksum' });
});

// --- writing ---

test('writeIpv4 reproduces the Linux SYN header byte for byte (DF, TTL 64, checksum 0a74)', () => {
  const buf = new Uint8Array(20);
  const n = writeIpv4(buf, 0, {
    src: Uint8Array.of(10, 0, 0, 1),
    dst: Uint8Array.of(10, 0, 0, 2),
    protocol: 6,
    payloadLength: 40,
    id: 0x1c46,
  });
  assert.equal(n, 20);
  assert.deepEqual(buf, LINUX_SYN_V4.subarray(0, 20));
});

test('writeIpv4 honours tos/ttl/dontFragment=false, writes at an offset, and its checksum verifies', () => {
  const buf = new Uint8Array(30).fill(0xaa);
  writeIpv4(buf, 5, {
    src: Uint8Array.of(192, 0, 2, 1),
    dst: Uint8Array.of(198, 51, 100, 7),
    protocol: 17,
    payloadLength: 5,
    ttl: 3,
    tos: 0xb8,
    dontFragment: false,
  });
  assert.equal(buf[4], 0xaa);
  assert.equal(buf[25], 0xaa);
  const r = parseIpv4(buf.subarray(5));
  assert.ok(r.ok);
  assert.equal(r.value.ttl, 3);
  assert.equal(r.value.tos, 0xb8);
  assert.equal(r.value.dontFragment, false);
  assert.equal(r.value.protocol, 17);
  assert.equal(r.value.totalLength, 25);
  assert.equal(naiveChecksum(buf.subarray(5, 25)), 0);
});

test('writeIpv4 throws RangeError for programming errors (no room, bad address size, too long)', () => {
  const f = { src: new Uint8Array(4), dst: new Uint8Array(4), protocol: 6, payloadLength: 0 };
  assert.throws(() => writeIpv4(new Uint8Array(19), 0, f), RangeError);
  assert.throws(() => writeIpv4(new Uint8Array(40), 21, f), RangeError);
  assert.throws(() => writeIpv4(new Uint8Array(20), 0, { ...f, src: new Uint8Array(16) }), RangeError);
  assert.throws(() => writeIpv4(new Uint8Array(20), 0, { ...f, payloadLength: 65516 }), RangeError);
});
