import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest } from '../helpers/tcp-test.js';
import { resetFor } from '../../src/tcp/rst.js';
import { ACK, RST, SYN } from '../../src/wire/flags.js';

test('R1 RST with exactly RCV.NXT resets the connection → CLOSED, ECONNRESET', () => {
  const t = tcpTest();
  t.establishActive();
  t.send({ flags: 'RST', seq: 5001 });
  t.expectState('CLOSED');
  assert.deepEqual(t.errors(), ['ECONNRESET']);
  t.recvNothing();
});

test('R1 RST in the window but not exact → challenge ACK, connection stays (RFC 5961 §3.2)', () => {
  const t = tcpTest();
  t.establishActive();
  t.send({ flags: 'RST', seq: 5001 + 1000 });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001 });
  t.expectState('ESTABLISHED');
  // The real peer answers the challenge ACK with an exact RST, if it really meant it.
  t.send({ flags: 'RST', seq: 5001 });
  t.expectState('CLOSED');
});

test('R1 RST outside the window is dropped silently', () => {
  const t = tcpTest();
  t.establishActive();
  t.send({ flags: 'RST', seq: 5001 + 70_000 });
  t.send({ flags: 'RST', seq: 4000 });
  t.recvNothing();
  t.expectState('ESTABLISHED');
});

test('R1 applies in every synchronized state: FIN_WAIT_2 and CLOSE_WAIT', () => {
  const a = tcpTest();
  a.establishActive();
  a.user.shutdown();
  a.recv({ flags: 'FIN,ACK' });
  a.send({ flags: 'ACK', seq: 5001, ack: 1002 });
  a.send({ flags: 'RST', seq: 5100 });
  a.recv({ flags: 'ACK', seq: 1002, ack: 5001 });
  a.expectState('FIN_WAIT_2');

  const b = tcpTest();
  b.establishPassive();
  b.send({ flags: 'FIN,ACK', seq: 5001, ack: 1001 });
  b.recv({ flags: 'ACK' });
  b.send({ flags: 'RST', seq: 5100 });
  b.recv({ flags: 'ACK', seq: 1001, ack: 5002 });
  b.expectState('CLOSE_WAIT');
});

test('R2 SYN in a synchronized state → challenge ACK, connection unchanged (RFC 5961 §4)', () => {
  const t = tcpTest();
  t.establishActive();
  t.send({ flags: 'SYN', seq: 5001 + 10 }); // in window
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001 });
  t.send({ flags: 'SYN', seq: 123 }); // out of window: the ACK for an unacceptable segment
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001 });
  t.expectState('ESTABLISHED');
  assert.deepEqual(t.errors(), []);
});

test('R3 ACK beyond SND.NXT is dropped with an ACK', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.send('abc');
  t.recv({ flags: 'PSH,ACK', seq: 1001 });
  t.send({ flags: 'ACK', seq: 5001, ack: 2000 });
  t.recv({ flags: 'ACK', seq: 1004, ack: 5001 });
  assert.equal(t.c.sndUna, 1001, 'nothing was acknowledged');
});

test('R3 ACK below SND.UNA − MAX.SND.WND is dropped with an ACK; an old but in-range ACK is accepted silently', () => {
  const t = tcpTest();
  t.establishActive(1000);
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 1001 - 999, window: 1000, payload: 'x' }); // within MAX.SND.WND below SND.UNA
  t.recv({ flags: 'ACK', ack: 5002 }); // the data is acknowledged as usual
  t.send({ flags: 'PSH,ACK', seq: 5002, ack: 1001 - 5000, window: 1000, payload: 'y' }); // too old: blind data injection
  t.recv({ flags: 'ACK', seq: 1001, ack: 5002 });
  assert.equal(t.user.read()!.length, 1, 'only the first byte was accepted');
});

test('R3 challenge ACKs are rate-limited per connection', () => {
  const t = tcpTest({ cfg: { challengeAckLimit: 3 } });
  t.establishActive();
  for (let i = 0; i < 10; i++) t.send({ flags: 'RST', seq: 5001 + 100 + i });
  assert.equal(t.out.length, 3);
  t.out.length = 0;
  t.advance(1000);
  t.send({ flags: 'RST', seq: 5200 });
  t.recv({ flags: 'ACK' });
});

test('D2 an unacceptable segment gets an ACK and is dropped', () => {
  const t = tcpTest();
  t.establishActive(65535);
  t.send({ flags: 'PSH,ACK', seq: 5001 + 100_000, ack: 1001, payload: 'far away' });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001 });
  assert.equal(t.user.read(), null);
});

test('D2 data is trimmed to the receive window', () => {
  const t = tcpTest({ cfg: { recvBufferSize: 10 } });
  t.establishActive();
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 1001, payload: 'abcdefghijklmnop' });
  t.recv({ flags: 'ACK', ack: 5011, window: 0 });
  assert.equal(new TextDecoder().decode(t.user.read()!), 'abcdefghij');
});

test('resetFor: the RST for a segment that matches no connection (RFC 9293 §3.10.7.1)', () => {
  const syn = { seq: 100, ack: 0, flags: SYN, window: 1, options: {}, payload: new Uint8Array(3) };
  assert.deepEqual(resetFor(syn), { seq: 0, ack: 104, flags: RST | ACK, window: 0, options: {}, payload: new Uint8Array(0) });
  const ack = { seq: 100, ack: 777, flags: ACK, window: 1, options: {}, payload: new Uint8Array(0) };
  assert.equal(resetFor(ack)!.seq, 777);
  assert.equal(resetFor(ack)!.flags, RST);
  assert.equal(resetFor({ ...ack, flags: RST }), null, 'a RST is never answered');
});
