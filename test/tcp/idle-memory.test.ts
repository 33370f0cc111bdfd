/**
 * R9 / buffers on demand: an idle connection holds no send or receive buffer
 * storage (Linux allocates skbs on demand and frees them once acked or read).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnPair } from './conn-pair.js';

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

test('R9 an established connection that has never moved data holds no buffer storage', () => {
  const p = new ConnPair(1000, 9000);
  p.open();
  p.drain();
  for (const side of [p.a, p.b]) {
    assert.equal(side.conn!.state, 'ESTABLISHED');
    assert.equal(side.conn!.sendMemory, 0);
    assert.equal(side.conn!.receiveMemory, 0);
  }
});

test('R9 after a request and a response, everything acknowledged and read, both ends hold no buffer storage', () => {
  const p = new ConnPair(1000, 9000, { recvBufferSize: 64 * 1024, sendBufferSize: 64 * 1024 });
  p.open();
  p.drain();
  const a = p.a.conn!;
  const b = p.b.conn!;
  assert.equal(a.send(pattern(3000, 1), p.now), 3000);
  p.run(1000);
  assert.ok(b.sendMemory === 0 && b.receiveMemory === 0);
  assert.equal(b.send(pattern(20_000, 2), p.now), 20_000);
  assert.ok(b.sendMemory > 0, 'the send buffer is allocated when data is queued');
  p.run(1000);
  assert.equal(ConnPair.bytes(p.a).length, 20_000);
  assert.equal(ConnPair.bytes(p.b).length, 3000);
  for (const c of [a, b]) {
    assert.equal(c.state, 'ESTABLISHED');
    assert.equal(c.info().sendQueue, 0);
    assert.equal(c.readableBytes, 0);
    assert.equal(c.sendMemory, 0, 'send ring released once all is acknowledged');
    assert.equal(c.receiveMemory, 0, 'receive pages released once all is read');
  }
  // And it allocates again on demand.
  assert.equal(a.send(pattern(100, 3), p.now), 100);
  assert.ok(a.sendMemory > 0);
  p.run(1000);
  assert.equal(a.sendMemory, 0);
});
