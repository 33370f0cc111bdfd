import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpv6, writeIpv6, formatAddress, parseAddress } from '../../src/wire/index.js';
import { LINUX_SYN_V6 } from './helpers.js';

const syn = () => LINUX_SYN_V6.slice();

test('RFC 8200 §3: parseIpv6 decodes every field of the fixed header of a real SYN', () => {
  const r = parseIpv6(syn());
  assert.ok(r.ok);
  const h = r.value;
  assert.equal(h.version, 6);
  assert.equal(h.trafficClass, 0);
  assert.equal(h.flowLabel, 0x5f3e1);
  assert.equal(h.payloadLength, 40);
  assert.equal(h.nextHeader, 6);
  assert.equal(h.hopLimit, 64);
  assert.equal(formatAddress(h.src), '2001:db8::1');
  assert.equal(formatAddress(h.dst), '2001:db8::2');
  assert.equal(h.payload.length, 40);
  assert.equal(h.payload.byteOffset, 40);
  assert.equal(h.src.buffer, h.payload.buffer);
});

test('RFC 8200 §3: traffic class spans the version byte and the next nibble', () => {
  const pkt = syn();
  pkt[0] = 0x6a;
  pkt[1] = 0xb5;
  const r = parseIpv6(pkt);
  assert.ok(r.ok);
  assert.equal(r.value.trafficClass, 0xab);
  assert.equal(r.value.flowLabel, 0x5f3e1);
});

test('trailing bytes beyond payload length are excluded from the payload', () => {
  const pkt = new Uint8Array(LINUX_SYN_V6.length + 10);
  pkt.set(LINUX_SYN_V6);
  const r = parseIpv6(pkt);
  assert.ok(r.ok);
  assert.equal(r.value.payload.length, 40);
});

test('extension headers are not walked: nextHeader reports the first one', () => {
  const pkt = syn();
  pkt[6] = 0; // Hop-by-Hop
  const r = parseIpv6(pkt);
  assert.ok(r.ok);
  assert.equal(r.value.nextHeader, 0);
});

test("rejects fewer than 40 bytes as 'short-packet'", () => {
  assert.deepEqual(parseIpv6(syn().subarray(0, 39)), { ok: false, error: 'short-packet' });
});

test("rejects a version nibble other than 6 as 'bad-ip-version'", () => {
  const pkt = syn();
  pkt[0] = 0x40;
  assert.deepEqual(parseIpv6(pkt), { ok: false, error: 'bad-ip-version' });
});

test("rejects a payload length beyond the received bytes as 'truncated'", () => {
  assert.deepEqual(parseIpv6(syn().subarray(0, 79)), { ok: false, error: 'truncated' });
  const pkt = syn();
  pkt[4] = 0xff;
  assert.deepEqual(parseIpv6(pkt), { ok: false, error: 'truncated' });
});

test('writeIpv6 reproduces the SYN header byte for byte', () => {
  const buf = new Uint8Array(40);
  const n = writeIpv6(buf, 0, {
    src: parseAddress('2001:db8::1')!,
    dst: parseAddress('2001:db8::2')!,
    nextHeader: 6,
    payloadLength: 40,
    flowLabel: 0x5f3e1,
  });
  assert.equal(n, 40);
  assert.deepEqual(buf, LINUX_SYN_V6.subarray(0, 40));
});

test('writeIpv6 round-trips traffic class, flow label and hop limit at an offset', () => {
  const buf = new Uint8Array(50);
  writeIpv6(buf, 3, {
    src: parseAddress('fe80::1')!,
    dst: parseAddress('ff02::1')!,
    nextHeader: 58,
    payloadLength: 7,
    hopLimit: 255,
    trafficClass: 0xe1,
    flowLabel: 0xfffff,
  });
  const r = parseIpv6(buf.subarray(3));
  assert.ok(r.ok);
  assert.equal(r.value.trafficClass, 0xe1);
  assert.equal(r.value.flowLabel, 0xfffff);
  assert.equal(r.value.hopLimit, 255);
  assert.equal(r.value.nextHeader, 58);
  assert.equal(r.value.payloadLength, 7);
});

test('writeIpv6 throws RangeError for programming errors', () => {
  const f = { src: new Uint8Array(16), dst: new Uint8Array(16), nextHeader: 6, payloadLength: 0 };
  assert.throws(() => writeIpv6(new Uint8Array(39), 0, f), RangeError);
  assert.throws(() => writeIpv6(new Uint8Array(40), 0, { ...f, dst: new Uint8Array(4) }), RangeError);
  assert.throws(() => writeIpv6(new Uint8Array(40), 0, { ...f, payloadLength: 70000 }), RangeError);
});
