/**
 * R7 (RFC 9293 §3.8.6.2.1 MUST-34, robustness to window shrinking; issue 10
 * #1): when the window closes, SND.NXT is pulled back to SND.UNA for the
 * persist timer, but SND.MAX remembers what was sent. An ACK in
 * (SND.NXT, SND.MAX] acknowledges data that really left, as in BSD
 * (tcp_input's snd_max check) and Linux (tcp_ack against snd_nxt, which Linux
 * never rewinds): it is taken and moves SND.NXT forward.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest } from '../helpers/tcp-test.js';

test('R7 window shrinks to 0 after a partial ACK, then the peer ACKs all it had buffered: the ACK is taken', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.send(new Uint8Array(2920));
  t.recv({ flags: 'ACK', seq: 1001, len: 1460 });
  t.recv({ flags: 'PSH,ACK', seq: 2461, len: 1460 });
  t.send({ flags: 'ACK', seq: 5001, ack: 2461, window: 0 }); // partial ACK, window shut
  assert.equal(t.c.sndNxt, 2461, 'SND.NXT pulled back for the persist timer');
  assert.equal(t.c.sndMax, 3921, 'SND.MAX keeps the highest sequence sent');
  t.recvNothing();
  // The peer had buffered the second segment after all and ACKs it as its window reopens.
  t.send({ flags: 'ACK', seq: 5001, ack: 3921, window: 65535 });
  t.recvNothing(); // no challenge ACK: the ACK is acceptable (≤ SND.MAX)
  assert.equal(t.c.sndUna, 3921);
  assert.equal(t.c.sndNxt, 3921);
  assert.equal(t.c.info().sendQueue, 0);
  assert.equal(t.c.info().timer, 'off');
  t.advance(30 * 60_000);
  t.recvNothing(); // nothing left to send or probe
  t.expectState('ESTABLISHED');
  assert.deepEqual(t.errors(), []);
});

test('R7 an ACK in (SND.NXT, SND.MAX] that covers part of the rewound data moves SND.NXT to it; the rest goes again', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.send(new Uint8Array(4380));
  t.recv({ flags: 'ACK', seq: 1001, len: 1460 });
  t.recv({ flags: 'ACK', seq: 2461, len: 1460 });
  t.recv({ flags: 'PSH,ACK', seq: 3921, len: 1460 });
  t.send({ flags: 'ACK', seq: 5001, ack: 2461, window: 0 });
  t.send({ flags: 'ACK', seq: 5001, ack: 3921, window: 65535 });
  assert.equal(t.c.sndUna, 3921);
  t.recv({ flags: 'PSH,ACK', seq: 3921, len: 1460 }); // the unacknowledged tail is sent again at once
  t.recvNothing();
  t.send({ flags: 'ACK', seq: 5001, ack: 5381, window: 65535 });
  assert.equal(t.c.info().sendQueue, 0);
});

test('R7 the FIN, too: after a window shrink, an ACK of data and FIN ends FIN_WAIT_1', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.send(new Uint8Array(2920));
  t.recv({ flags: 'ACK', seq: 1001, len: 1460 });
  t.recv({ flags: 'PSH,ACK', seq: 2461, len: 1460 });
  t.user.shutdown();
  t.recv({ flags: 'FIN,ACK', seq: 3921, len: 0 });
  t.send({ flags: 'ACK', seq: 5001, ack: 2461, window: 0 });
  assert.equal(t.c.sndMax, 3922);
  t.send({ flags: 'ACK', seq: 5001, ack: 3922, window: 65535 }); // data and FIN
  t.expectState('FIN_WAIT_2');
  t.recvNothing();
});

test('R3/R7 an ACK above SND.MAX is still refused with a (rate-limited) ACK', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.send(new Uint8Array(1460));
  t.recv({ flags: 'PSH,ACK', seq: 1001, len: 1460 });
  t.send({ flags: 'ACK', seq: 5001, ack: 2462 });
  t.recv({ flags: 'ACK', seq: 2461, ack: 5001 });
  assert.equal(t.c.sndUna, 1001);
});
