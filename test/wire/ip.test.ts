import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIp } from '../../src/wire/index.js';
import { LINUX_SYN_V4, LINUX_SYN_V6 } from './helpers.js';

test("parseIp: empty input is 'short-packet'", () => {
  assert.deepEqual(parseIp(new Uint8Array(0)), { ok: false, error: 'short-packet' });
});

test('parseIp dispatches on the version nibble to IPv4 and IPv6', () => {
  const v4 = parseIp(LINUX_SYN_V4);
  assert.ok(v4.ok && v4.value.version === 4);
  const v6 = parseIp(LINUX_SYN_V6);
  assert.ok(v6.ok && v6.value.version === 6);
});

test("parseIp: any version other than 4 or 6 is 'bad-ip-version'", () => {
  for (let v = 0; v < 16; v++) {
    if (v === 4 || v === 6) continue;
    const pkt = LINUX_SYN_V4.slice();
    pkt[0] = (v << 4) | 5;
    assert.deepEqual(parseIp(pkt), { ok: false, error: 'bad-ip-version' }, `version ${v}`);
  }
});

test('parseIp passes on the version-specific errors (short IPv4 / IPv6 headers)', () => {
  assert.deepEqual(parseIp(Uint8Array.of(0x45)), { ok: false, error: 'short-packet' });
  assert.deepEqual(parseIp(LINUX_SYN_V6.subarray(0, 20)), { ok: false, error: 'short-packet' });
});
