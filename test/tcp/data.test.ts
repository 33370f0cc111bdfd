import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest } from '../helpers/tcp-test.js';
import { seqAdd, seqGt, seqLt, seqDiff } from '../../src/tcp/seq.js';

const text = (b: Uint8Array | null) => (b ? new TextDecoder().decode(b) : null);

test('in-order data is delivered and acknowledged', () => {
  const t = tcpTest();
  t.establishPassive();
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 1001, payload: 'hello ' });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5007 });
  t.send({ flags: 'PSH,ACK', seq: 5007, ack: 1001, payload: 'world' });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5012 });
  assert.ok(t.hasEvent('readable'));
  assert.equal(text(t.user.read()), 'hello world');
});

test('D3 out-of-order data is queued, ACKed at once, and delivered in order once the hole fills', () => {
  const t = tcpTest();
  t.establishPassive();
  t.send({ flags: 'ACK', seq: 5006, ack: 1001, payload: 'world' });
  t.recv({ flags: 'ACK', ack: 5001 }); // duplicate ACK signals the hole
  assert.equal(t.user.read(), null);
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, payload: 'hello' });
  t.recv({ flags: 'ACK', ack: 5011 });
  assert.equal(text(t.user.read()), 'helloworld');
});

test('D3 out-of-order arrival is ACKed with SACK blocks when SACK was negotiated', () => {
  const t = tcpTest({ cfg: { sack: true } });
  t.user.listen();
  t.send({ flags: 'SYN', seq: 5000, options: { sackPermitted: true } });
  t.recv({ flags: 'SYN,ACK' });
  t.send({ flags: 'ACK', seq: 5001, ack: 1001 });
  t.send({ flags: 'ACK', seq: 5011, ack: 1001, payload: '0123456789' });
  const a1 = t.recv({ flags: 'ACK', ack: 5001 });
  assert.deepEqual(a1.options.sack, [[5011, 5021]]);
  t.send({ flags: 'ACK', seq: 5031, ack: 1001, payload: 'abcde' });
  const a2 = t.recv({ flags: 'ACK', ack: 5001 });
  assert.deepEqual(a2.options.sack, [[5031, 5036], [5011, 5021]], 'most recent block first (RFC 2018 §4)');
});

test('D3 duplicate and overlapping segments are trimmed: every byte delivered once', () => {
  const t = tcpTest();
  t.establishPassive();
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, payload: 'abc' });
  t.recv({ flags: 'ACK', ack: 5004 });
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, payload: 'abcdef' }); // overlaps the front
  t.recv({ flags: 'ACK', ack: 5007 });
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, payload: 'abc' }); // full duplicate
  t.recv({ flags: 'ACK', ack: 5007 });
  t.send({ flags: 'ACK', seq: 5009, ack: 1001, payload: 'ij' });
  t.recv({ flags: 'ACK', ack: 5007 });
  t.send({ flags: 'ACK', seq: 5008, ack: 1001, payload: 'hijk' });
  t.recv({ flags: 'ACK', ack: 5007 });
  t.send({ flags: 'ACK', seq: 5007, ack: 1001, payload: 'g' });
  t.recv({ flags: 'ACK', ack: 5012 });
  assert.equal(text(t.user.read()), 'abcdefghijk');
});

test('D3 a FIN that arrives before the data ahead of it is processed when the hole fills', () => {
  const t = tcpTest();
  t.establishPassive();
  t.send({ flags: 'FIN,ACK', seq: 5004, ack: 1001, payload: 'def' });
  t.recv({ flags: 'ACK', ack: 5001 });
  t.expectState('ESTABLISHED');
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, payload: 'abc' });
  t.recv({ flags: 'ACK', ack: 5008 });
  t.expectState('CLOSE_WAIT');
  assert.equal(text(t.user.read()), 'abcdef');
});

test('sent data is retransmitted on RTO (go back to SND.UNA) and the timer backs off', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.send('abc');
  t.recv({ flags: 'PSH,ACK', seq: 1001, payload: 'abc' });
  t.advance(1000);
  const r = t.recv({ flags: 'PSH,ACK', seq: 1001, payload: 'abc' });
  assert.equal(r.rtx, true);
  t.advance(1999);
  t.recvNothing();
  t.advance(1);
  t.recv({ flags: 'PSH,ACK', seq: 1001, payload: 'abc' });
  t.send({ flags: 'ACK', seq: 5001, ack: 1004 });
  t.advance(100_000);
  t.recvNothing();
});

test('the sender never exceeds the peer window; a window update resumes sending', () => {
  const t = tcpTest();
  t.establishActive(1000);
  t.user.send(new Uint8Array(3000));
  t.recv({ flags: 'ACK', seq: 1001, len: 1000 });
  t.recvNothing();
  t.send({ flags: 'ACK', seq: 5001, ack: 2001, window: 0 });
  t.recvNothing();
  t.send({ flags: 'ACK', seq: 5001, ack: 2001, window: 1460 });
  t.recv({ flags: 'ACK', seq: 2001, len: 1460 });
});

test('zero window: the persist timer sends a one-byte probe, then backs off', () => {
  const t = tcpTest();
  t.establishActive(0);
  t.user.send('xyz');
  t.recvNothing();
  t.advance(1000);
  t.recv({ flags: 'ACK', seq: 1001, len: 1 });
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, window: 0 });
  t.advance(2000);
  t.recv({ flags: 'ACK', seq: 1001, len: 1 }); // RTO resends the probe byte
  t.send({ flags: 'ACK', seq: 5001, ack: 1002, window: 100 });
  t.recv({ flags: 'PSH,ACK', seq: 1002, payload: 'yz' });
});

test('reading opens the window: a window update is sent when it grew by at least an MSS', () => {
  const t = tcpTest({ cfg: { recvBufferSize: 4000 } });
  t.establishPassive();
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, payload: new Uint8Array(4000) });
  t.recv({ flags: 'ACK', ack: 9001, window: 0 });
  assert.equal(t.user.read(1000)!.length, 1000);
  t.recvNothing(); // 1000 < MSS 1460: receiver SWS avoidance
  assert.equal(t.user.read(1000)!.length, 1000);
  t.recv({ flags: 'ACK', ack: 9001, window: 2000 });
});

test('send() returns how much it took; writable follows when acknowledged data frees space', () => {
  const t = tcpTest({ cfg: { sendBufferSize: 1000 } });
  t.establishActive();
  assert.equal(t.user.send(new Uint8Array(1500)), 1000);
  t.recv({ flags: 'PSH,ACK', len: 1000 });
  assert.ok(!t.hasEvent('writable'));
  t.send({ flags: 'ACK', seq: 5001, ack: 2001 });
  assert.ok(t.hasEvent('writable'));
});

test('D1 sequence arithmetic is modulo 2^32', () => {
  assert.equal(seqAdd(0xffffffff, 1), 0);
  assert.ok(seqLt(0xfffffff0, 5));
  assert.ok(seqGt(5, 0xfffffff0));
  assert.equal(seqDiff(5, 0xfffffff0), 21);
});

test('D1 a transfer that wraps the sequence space works in both directions', () => {
  const t = tcpTest({ isn: 0xffffff00, peerIsn: 0xfffffff0 });
  t.establishActive();
  const data = new Uint8Array(600).map((_, i) => i & 0xff);
  t.user.send(data);
  t.recv({ flags: 'PSH,ACK', seq: 0xffffff01, len: 600 });
  t.send({ flags: 'ACK', seq: 0xfffffff1, ack: (0xffffff01 + 600) >>> 0 });
  assert.equal(t.c.sndUna, (0xffffff01 + 600) >>> 0);
  t.send({ flags: 'PSH,ACK', seq: 0xfffffff1, ack: (0xffffff01 + 600) >>> 0, payload: data.subarray(0, 100) });
  t.recv({ flags: 'ACK', ack: (0xfffffff1 + 100) >>> 0 });
  assert.deepEqual([...t.user.read()!], [...data.subarray(0, 100)]);
  t.user.shutdown();
  t.recv({ flags: 'FIN,ACK', seq: (0xffffff01 + 600) >>> 0 });
  t.send({ flags: 'FIN,ACK', seq: (0xfffffff1 + 100) >>> 0, ack: (0xffffff01 + 601) >>> 0 });
  t.recv({ flags: 'ACK' });
  t.expectState('TIME_WAIT');
});
