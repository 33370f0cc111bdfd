/**
 * Issue 11, "Send": a data segment's payload goes from the send ring to the packet by its place (SendBuffer.locate,
 * TcpTemplate.writeFrom), with no view made per segment. A segment that straddles the ring's end is made
 * contiguous in the mirror area after the ring; the packet must carry its bytes in order with a checksum that verifies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SendBuffer } from '../../src/tcp/send-buffer.js';
import { parseTcpPacket } from '../../src/wire/index.js';
import { PacketBuffer, TcpTemplate } from '../../src/wire/tcp-template.js';

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 29 + seed) & 0xff;
  return out;
}

test('a segment straddling the send ring’s end is written from the ring with its bytes in order and a checksum that verifies', () => {
  const b = new SendBuffer(2048);
  const tpl = new TcpTemplate(Uint8Array.of(192, 0, 2, 1), Uint8Array.of(192, 0, 2, 2), 5000, 80);
  const buf = new PacketBuffer(new Uint8Array(0), true);
  // Every start of the data against the ring's end, odd and even: the word copy, the view copy and the mirror area.
  for (let lead = 1901; lead <= 1908; lead++) {
    assert.equal(b.push(bytes(lead, 1)), lead);
    b.drop(lead - 100); // 100 octets left, just before the ring's end
    const more = bytes(1400, lead);
    assert.equal(b.push(more), 1400);
    const expected = new Uint8Array(1500);
    expected.set(bytes(lead, 1).subarray(lead - 100), 0);
    expected.set(more, 100);
    for (const [offset, len] of [[0, 1500], [37, 1448], [99, 2], [100, 1400]] as const) {
      const at = b.locate(offset, len);
      assert.ok(at >= 0);
      assert.ok(at + len <= b.bytes.length);
      const n = tpl.writeFrom(buf, { seq: 0xfffffa00 + offset, ack: 1, flags: 0x18, window: 1000, options: { ts: { val: 3, ecr: 4 } } }, 1, false, b.bytes, at, len);
      const r = parseTcpPacket(buf.view(n));
      assert.ok(r.ok, r.ok ? '' : `lead ${lead} offset ${offset}: ${r.error}`);
      assert.deepEqual(r.value.tcp.payload, expected.subarray(offset, offset + len), `lead ${lead} offset ${offset}`);
      assert.deepEqual(b.peek(offset, len), expected.subarray(offset, offset + len));
    }
    b.drop(1500);
    assert.equal(b.length, 0);
  }
});

test('a range longer than the mirror area has no place in the ring (locate returns -1) and peek copies it', () => {
  const b = new SendBuffer(200_000);
  b.push(bytes(120_000, 1));
  b.drop(119_000);
  b.push(bytes(129_000, 2));
  // The ring is 128 KiB with 64 KiB of mirror area: 1,000 queued octets before its end, and 129,000 after them
  // that wrap by more than the mirror area holds.
  assert.equal(b.bytes.length, 131_072 + 65_536);
  assert.equal(b.locate(0, 130_000), -1);
  const expected = new Uint8Array(130_000);
  expected.set(bytes(120_000, 1).subarray(119_000), 0);
  expected.set(bytes(129_000, 2), 1_000);
  assert.deepEqual(b.peek(0, 130_000), expected);
  const at = b.locate(0, 60_000); // wraps by less than the mirror area
  assert.ok(at >= 0);
  assert.deepEqual(b.bytes.subarray(at, at + 60_000), expected.subarray(0, 60_000));
});
