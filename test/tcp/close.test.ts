import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest } from '../helpers/tcp-test.js';

// Our ISN is 1000, the peer's 5000: after the handshake we send from 1001 and expect 5001.

test('C1 close in ESTABLISHED sends FIN after all queued data → FIN_WAIT_1', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.send('abc');
  t.recv({ flags: 'PSH,ACK', seq: 1001, ack: 5001, payload: 'abc' });
  t.user.shutdown();
  t.expectState('FIN_WAIT_1');
  t.recv({ flags: 'FIN,ACK', seq: 1004, ack: 5001, len: 0 });
  t.recvNothing();
});

test('C1 the FIN waits behind data the window does not yet allow', () => {
  const t = tcpTest();
  t.establishActive(100);
  t.user.send(new Uint8Array(150));
  t.recv({ flags: 'ACK', seq: 1001, len: 100 });
  t.user.shutdown();
  t.expectState('FIN_WAIT_1');
  t.recvNothing();
  t.send({ flags: 'ACK', seq: 5001, ack: 1101, window: 100 });
  t.recv({ flags: 'FIN,PSH,ACK', seq: 1101, len: 50 }); // the FIN rides on the last data segment
});

test('C2 FIN_WAIT_1 + ACK of FIN → FIN_WAIT_2; data from the peer is still received (half-close)', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.shutdown();
  t.recv({ flags: 'FIN,ACK', seq: 1001 });
  t.send({ flags: 'ACK', seq: 5001, ack: 1002 });
  t.expectState('FIN_WAIT_2');
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 1002, payload: 'still talking' });
  t.recv({ flags: 'ACK', seq: 1002, ack: 5014 });
  assert.equal(new TextDecoder().decode(t.user.read()!), 'still talking');
  t.expectState('FIN_WAIT_2');
  t.advance(3_600_000);
  t.expectState('FIN_WAIT_2'); // not orphaned: no fin timeout applies after shutdown()
});

test('C3 FIN_WAIT_2 + FIN → TIME_WAIT, ACK sent; reader sees EOF', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.shutdown();
  t.recv({ flags: 'FIN,ACK', seq: 1001 });
  t.send({ flags: 'ACK', seq: 5001, ack: 1002 });
  t.send({ flags: 'FIN,ACK', seq: 5001, ack: 1002 });
  t.recv({ flags: 'ACK', seq: 1002, ack: 5002 });
  t.expectState('TIME_WAIT');
  assert.ok(t.hasEvent('eof'));
  assert.deepEqual(t.transitions().slice(-3), ['ESTABLISHED>FIN_WAIT_1', 'FIN_WAIT_1>FIN_WAIT_2', 'FIN_WAIT_2>TIME_WAIT']);
});

test('C4 FIN_WAIT_1 + FIN that ACKs our FIN → TIME_WAIT directly, no FIN_WAIT_2', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.shutdown();
  t.recv({ flags: 'FIN,ACK', seq: 1001 });
  t.send({ flags: 'FIN,ACK', seq: 5001, ack: 1002 });
  t.recv({ flags: 'ACK', seq: 1002, ack: 5002 });
  t.expectState('TIME_WAIT');
  assert.deepEqual(t.transitions().slice(-2), ['ESTABLISHED>FIN_WAIT_1', 'FIN_WAIT_1>TIME_WAIT']);
});

test('C5 FIN_WAIT_1 + FIN that does not ACK our FIN → CLOSING; CLOSING + ACK → TIME_WAIT', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.shutdown();
  t.recv({ flags: 'FIN,ACK', seq: 1001, ack: 5001 });
  t.send({ flags: 'FIN,ACK', seq: 5001, ack: 1001 }); // the peer's FIN crossed ours
  t.expectState('CLOSING');
  t.recv({ flags: 'ACK', seq: 1002, ack: 5002 });
  t.send({ flags: 'ACK', seq: 5002, ack: 1002 });
  t.expectState('TIME_WAIT');
  assert.deepEqual(t.transitions().slice(-3), ['ESTABLISHED>FIN_WAIT_1', 'FIN_WAIT_1>CLOSING', 'CLOSING>TIME_WAIT']);
});

test('C6 ESTABLISHED + FIN → CLOSE_WAIT; app may still send; close → LAST_ACK; ACK → CLOSED', () => {
  const t = tcpTest();
  t.establishPassive();
  t.send({ flags: 'FIN,ACK', seq: 5001, ack: 1001 });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5002 });
  t.expectState('CLOSE_WAIT');
  assert.ok(t.hasEvent('eof'));
  assert.equal(t.c.eof, true);
  t.user.send('late reply');
  t.recv({ flags: 'PSH,ACK', seq: 1001, ack: 5002, payload: 'late reply' });
  t.send({ flags: 'ACK', seq: 5002, ack: 1011 });
  t.user.close();
  t.expectState('LAST_ACK');
  t.recv({ flags: 'FIN,ACK', seq: 1011, ack: 5002 });
  t.send({ flags: 'ACK', seq: 5002, ack: 1012 });
  t.expectState('CLOSED');
  assert.deepEqual(t.transitions().slice(-3), ['ESTABLISHED>CLOSE_WAIT', 'CLOSE_WAIT>LAST_ACK', 'LAST_ACK>CLOSED']);
  assert.deepEqual(t.errors(), []);
  assert.ok(t.hasEvent('closed'));
});

test('C7 TIME_WAIT lasts 2×MSL (default 60 s, like Linux), then CLOSED', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.close();
  t.recv({ flags: 'FIN,ACK' });
  t.send({ flags: 'FIN,ACK', seq: 5001, ack: 1002 });
  t.recv({ flags: 'ACK' });
  const entered = t.now;
  t.expectState('TIME_WAIT');
  t.advance(59_999);
  t.expectState('TIME_WAIT');
  t.advance(1);
  t.expectState('CLOSED');
  assert.equal(t.now - entered, 60_000);
  t.recvNothing();
});

test('C7 the MSL is configurable', () => {
  const t = tcpTest({ cfg: { msl: 1000 } });
  t.establishActive();
  t.user.close();
  t.recv({ flags: 'FIN,ACK' });
  t.send({ flags: 'FIN,ACK', seq: 5001, ack: 1002 });
  t.recv({ flags: 'ACK' });
  t.advance(1999);
  t.expectState('TIME_WAIT');
  t.advance(1);
  t.expectState('CLOSED');
});

test('C8 a retransmitted FIN in TIME_WAIT is ACKed again and the 2MSL timer restarts', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.close();
  t.recv({ flags: 'FIN,ACK' });
  t.send({ flags: 'ACK', seq: 5001, ack: 1002 });
  t.send({ flags: 'FIN,ACK', seq: 5001, ack: 1002 });
  t.recv({ flags: 'ACK', seq: 1002, ack: 5002 });
  t.advance(30_000);
  t.send({ flags: 'FIN,ACK', seq: 5001, ack: 1002 }); // our ACK was lost
  t.recv({ flags: 'ACK', seq: 1002, ack: 5002 });
  t.advance(59_999);
  t.expectState('TIME_WAIT');
  t.advance(1);
  t.expectState('CLOSED');
});

test('C8 LAST_ACK retransmits its FIN on RTO when the last ACK is lost', () => {
  const t = tcpTest();
  t.establishPassive();
  t.send({ flags: 'FIN,ACK', seq: 5001, ack: 1001 });
  t.recv({ flags: 'ACK' });
  t.user.close();
  t.recv({ flags: 'FIN,ACK', seq: 1001, ack: 5002 });
  t.advance(1000);
  const again = t.recv({ flags: 'FIN,ACK', seq: 1001, ack: 5002 });
  assert.equal(again.rtx, true);
  t.send({ flags: 'ACK', seq: 5002, ack: 1002 });
  t.expectState('CLOSED');
});

test('C9 RST in TIME_WAIT is ignored (RFC 1337)', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.close();
  t.recv({ flags: 'FIN,ACK' });
  t.send({ flags: 'FIN,ACK', seq: 5001, ack: 1002 });
  t.recv({ flags: 'ACK' });
  t.send({ flags: 'RST', seq: 5002 });
  t.send({ flags: 'RST,ACK', seq: 5002, ack: 1002 });
  t.expectState('TIME_WAIT');
  t.recvNothing();
});

test('C9 a new SYN with a higher sequence number may reopen TIME_WAIT (RFC 6191); an old one may not', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.close();
  t.recv({ flags: 'FIN,ACK' });
  t.send({ flags: 'FIN,ACK', seq: 5001, ack: 1002 });
  t.recv({ flags: 'ACK' });
  const fresh = { seq: 90_000, ack: 0, flags: 0x02, window: 65535, options: {}, payload: new Uint8Array(0) };
  const old = { ...fresh, seq: 4000 };
  assert.equal(t.c.acceptsNewSyn(fresh), true);
  assert.equal(t.c.acceptsNewSyn(old), false);
  assert.equal(t.c.successorIss, (1002 + 65537) >>> 0, 'SND.NXT + 65537 mod 2^32, as Linux (snd_nxt + 65535 + 2)');
  // The old duplicate SYN reaching the TIME_WAIT itself only gets an ACK.
  t.send({ flags: 'SYN', seq: 4000 });
  t.recv({ flags: 'ACK', seq: 1002, ack: 5002 });
  t.expectState('TIME_WAIT');
});

test('C9 with timestamps, a SYN with a newer TSval may reopen TIME_WAIT even at a lower sequence number', () => {
  const t = tcpTest({ cfg: { timestamps: true } });
  t.user.connect();
  t.recv({ flags: 'SYN' });
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, options: { ts: { val: 100, ecr: 0 } } });
  t.recv({ flags: 'ACK' });
  t.user.close();
  t.recv({ flags: 'FIN,ACK' });
  t.send({ flags: 'FIN,ACK', seq: 5001, ack: 1002, options: { ts: { val: 200, ecr: 0 } } });
  t.recv({ flags: 'ACK' });
  const syn = (val: number) => ({ seq: 10, ack: 0, flags: 0x02, window: 65535, options: { ts: { val, ecr: 0 } }, payload: new Uint8Array(0) });
  assert.equal(t.c.acceptsNewSyn(syn(300)), true);
  assert.equal(t.c.acceptsNewSyn(syn(150)), false);
});

test('C10 FIN retransmitted in FIN_WAIT_1 with backoff; aborted after the retry limit', () => {
  const t = tcpTest({ cfg: { retries2: 3 } });
  t.establishActive();
  t.user.shutdown();
  t.recv({ flags: 'FIN,ACK', seq: 1001 });
  for (const gap of [1000, 2000, 4000]) {
    t.advance(gap);
    t.recv({ flags: 'FIN,ACK', seq: 1001 });
  }
  t.advance(8000);
  t.expectState('CLOSED');
  assert.deepEqual(t.errors(), ['ETIMEDOUT']);
  t.recvNothing();
});

test('C10 FIN retransmitted in CLOSING', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.shutdown();
  t.recv({ flags: 'FIN,ACK', seq: 1001 });
  t.send({ flags: 'FIN,ACK', seq: 5001, ack: 1001 });
  t.recv({ flags: 'ACK', seq: 1002, ack: 5002 });
  t.expectState('CLOSING');
  t.advance(1000);
  t.recv({ flags: 'FIN,ACK', seq: 1001, ack: 5002 });
  t.send({ flags: 'ACK', seq: 5002, ack: 1002 });
  t.expectState('TIME_WAIT');
});

test('C10 an orphaned connection (closed by the app) uses tcp_orphan_retries', () => {
  const t = tcpTest({ cfg: { orphanRetries: 1, retries2: 15 } });
  t.establishActive();
  t.user.close();
  t.recv({ flags: 'FIN,ACK' });
  t.advance(1000);
  t.recv({ flags: 'FIN,ACK' });
  t.advance(2000);
  t.expectState('CLOSED');
  assert.deepEqual(t.errors(), [], 'nobody is left to tell');
});

test('C11 an orphaned FIN_WAIT_2 is reaped after tcp_fin_timeout (60 s), silently', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.close();
  t.recv({ flags: 'FIN,ACK' });
  t.send({ flags: 'ACK', seq: 5001, ack: 1002 });
  t.expectState('FIN_WAIT_2');
  t.advance(59_999);
  t.expectState('FIN_WAIT_2');
  t.advance(1);
  t.expectState('CLOSED');
  t.recvNothing();
  assert.deepEqual(t.transitions().slice(-2), ['FIN_WAIT_1>FIN_WAIT_2', 'FIN_WAIT_2>CLOSED']);
});

test('C11 the FIN_WAIT_2 timeout is configurable and starts when close() finds the connection in FIN_WAIT_2', () => {
  const t = tcpTest({ cfg: { finTimeout: 5000 } });
  t.establishActive();
  t.user.shutdown();
  t.recv({ flags: 'FIN,ACK' });
  t.send({ flags: 'ACK', seq: 5001, ack: 1002 });
  t.advance(10_000);
  t.expectState('FIN_WAIT_2');
  t.user.close();
  t.advance(4999);
  t.expectState('FIN_WAIT_2');
  t.advance(1);
  t.expectState('CLOSED');
});

test('C12 close() with unread received data sends RST, not FIN (Linux, RFC 2525)', () => {
  const t = tcpTest();
  t.establishActive();
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 1001, payload: 'unread' });
  t.recv({ flags: 'ACK', ack: 5007 });
  t.user.close();
  t.recv({ flags: 'RST,ACK', seq: 1001, ack: 5007 });
  t.expectState('CLOSED');
  assert.deepEqual(t.transitions().slice(-1), ['ESTABLISHED>CLOSED']);
  t.recvNothing();
});

test('C12 abort sends RST; the peer side gets ECONNRESET', () => {
  const a = tcpTest();
  a.establishActive();
  a.user.abort();
  a.recv({ flags: 'RST,ACK', seq: 1001, ack: 5001 });
  a.expectState('CLOSED');
  assert.deepEqual(a.errors(), [], 'the aborting side is told nothing');

  const b = tcpTest();
  b.establishPassive();
  b.send({ flags: 'RST,ACK', seq: 5001, ack: 1001 });
  b.expectState('CLOSED');
  assert.deepEqual(b.errors(), ['ECONNRESET']);
});

test('C12 (Linux) new data arriving after close() is answered with RST', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.close();
  t.recv({ flags: 'FIN,ACK', seq: 1001 });
  t.send({ flags: 'ACK', seq: 5001, ack: 1002 });
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 1002, payload: 'too late' });
  t.recv({ flags: 'RST,ACK', seq: 1002 });
  t.expectState('CLOSED');
});

test('C6 RST in CLOSE_WAIT reports EPIPE, as Linux', () => {
  const t = tcpTest();
  t.establishPassive();
  t.send({ flags: 'FIN,ACK', seq: 5001, ack: 1001 });
  t.recv({ flags: 'ACK' });
  t.send({ flags: 'RST', seq: 5002 });
  t.expectState('CLOSED');
  assert.deepEqual(t.errors(), ['EPIPE']);
});

test('shutdown() during the handshake sends the FIN once ESTABLISHED', () => {
  const t = tcpTest();
  t.user.connect();
  t.recv({ flags: 'SYN' });
  t.user.shutdown();
  t.expectState('SYN_SENT');
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001 });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001 });
  t.recv({ flags: 'FIN,ACK', seq: 1001, ack: 5001 });
  t.expectState('FIN_WAIT_1');
});

test('close() in SYN_SENT deletes the TCB without sending anything', () => {
  const t = tcpTest();
  t.user.connect();
  t.recv({ flags: 'SYN' });
  t.user.close();
  t.expectState('CLOSED');
  t.recvNothing();
  t.advance(10_000);
  t.recvNothing();
});

test('C7 close() in TIME_WAIT with unread data neither resets nor ends TIME_WAIT (as Linux: the socket is already closed there)', () => {
  // Issue 10 #6: the RST-on-unread-data rule (C12) sent a RST from TIME_WAIT and deleted the entry.
  const t = tcpTest({ cfg: { msl: 30_000 } });
  t.establishActive();
  t.user.shutdown();
  t.recv({ flags: 'FIN,ACK', seq: 1001 });
  t.send({ flags: 'FIN,PSH,ACK', seq: 5001, ack: 1002, payload: 'unread' });
  t.recv({ flags: 'ACK', seq: 1002, ack: 5008 });
  t.expectState('TIME_WAIT');
  t.user.close(); // the data is never read
  t.recvNothing();
  t.expectState('TIME_WAIT');
  // TIME_WAIT still does its job: a retransmitted FIN is ACKed again.
  t.advance(10_000);
  t.send({ flags: 'FIN,PSH,ACK', seq: 5001, ack: 1002, payload: 'unread' });
  t.recv({ flags: 'ACK', seq: 1002, ack: 5008 });
  t.advance(59_999);
  t.expectState('TIME_WAIT');
  t.advance(1);
  t.expectState('CLOSED');
  assert.deepEqual(t.errors(), []);
});
