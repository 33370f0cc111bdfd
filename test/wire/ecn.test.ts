import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTcpPacket, parseTcpPacket } from '../../src/wire/packet.js';
import { CE, ECT0, ECT1, NOT_ECT, ecnName, ipEcn, markCe } from '../../src/wire/ecn.js';
import { parseAddress } from '../../src/wire/ip.js';
import { ACK } from '../../src/wire/flags.js';

const seg = { srcPort: 1, dstPort: 2, seq: 1, ack: 1, flags: ACK, window: 100, payload: new Uint8Array([1, 2, 3]) };
const families = [
  ['IPv4', parseAddress('10.0.0.1')!, parseAddress('10.0.0.2')!],
  ['IPv6', parseAddress('fd00::1')!, parseAddress('fd00::2')!],
] as const;

test('the ECN codepoint goes into the IPv4 TOS / IPv6 traffic class low bits and is read back (RFC 3168 §5)', () => {
  for (const [family, src, dst] of families) {
    for (const cp of [NOT_ECT, ECT1, ECT0, CE]) {
      const r = parseTcpPacket(buildTcpPacket(src, dst, seg, { ecn: cp }));
      assert.ok(r.ok, family);
      assert.equal(ipEcn(r.value.ip), cp, `${family} ${ecnName(cp)}`);
    }
    const plain = parseTcpPacket(buildTcpPacket(src, dst, seg));
    assert.ok(plain.ok);
    assert.equal(ipEcn(plain.value.ip), NOT_ECT, `${family}: Not-ECT by default`);
  }
});

test('markCe sets CE on ECT packets only, keeping the IPv4 header checksum valid', () => {
  for (const [family, src, dst] of families) {
    for (const cp of [ECT0, ECT1]) {
      const p = buildTcpPacket(src, dst, seg, { ecn: cp });
      assert.equal(markCe(p), true, family);
      const r = parseTcpPacket(p); // an IPv4 checksum error would fail the parse
      assert.ok(r.ok, `${family} still parses`);
      assert.equal(ipEcn(r.value.ip), CE);
      assert.equal(markCe(p), true, 'already CE: stays CE');
    }
    const notEct = buildTcpPacket(src, dst, seg);
    const copy = notEct.slice();
    assert.equal(markCe(notEct), false, `${family}: a Not-ECT packet is not marked`);
    assert.deepEqual(notEct, copy);
  }
  assert.equal(markCe(new Uint8Array(0)), false);
  assert.equal(markCe(new Uint8Array([0x45, 0x02])), false, 'truncated: unchanged, no throw');
});
