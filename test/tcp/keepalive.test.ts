import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest } from '../helpers/tcp-test.js';

// Our ISN is 1000, the peer's 5000: SND.UNA is 1001 after the handshake, so a probe carries SEQ 1000.
const KA = { keepAlive: true, keepIdle: 10_000, keepInterval: 1_000, keepCount: 3 };

test('D9 keepalive: after keepIdle without a segment from the peer, a probe with SEQ = SND.UNA − 1 and no data (as Linux)', () => {
  const t = tcpTest({ cfg: KA });
  t.establishActive();
  t.advance(9_999);
  t.recvNothing();
  t.advance(1);
  t.recv({ flags: 'ACK', seq: 1000, ack: 5001, len: 0 });
  assert.equal(t.c.info().timer, 'keepalive');
  // A live peer answers the out-of-window probe with an ACK: all is well, the idle time starts over.
  t.send({ flags: 'ACK', seq: 5001, ack: 1001 });
  t.advance(9_999);
  t.recvNothing();
  t.advance(1);
  t.recv({ flags: 'ACK', seq: 1000, ack: 5001, len: 0 });
  t.expectState('ESTABLISHED');
});

test('D9 keepalive: keepCount unanswered probes, keepInterval apart, then RST and ETIMEDOUT', () => {
  const t = tcpTest({ cfg: KA });
  t.establishActive();
  const probes: number[] = [];
  for (let i = 0; i < 3; i++) {
    while (t.out.length === 0) t.advance(100);
    t.recv({ flags: 'ACK', seq: 1000, len: 0 });
    probes.push(t.now);
  }
  assert.deepEqual(probes, [10_000, 11_000, 12_000]);
  t.advance(999);
  t.expectState('ESTABLISHED');
  t.advance(1);
  t.recv({ flags: 'RST,ACK', seq: 1001, ack: 5001 });
  t.expectState('CLOSED');
  assert.deepEqual(t.errors(), ['ETIMEDOUT']);
  assert.equal(t.now, KA.keepIdle + KA.keepCount * KA.keepInterval);
});

test('D9 keepalive: any segment from the peer restarts the idle time and clears the probe count', () => {
  const t = tcpTest({ cfg: KA });
  t.establishActive();
  t.advance(5_000);
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 1001, payload: 'hi' });
  t.recv({ flags: 'ACK', ack: 5003 });
  t.user.read();
  t.advance(9_999);
  t.recvNothing();
  t.advance(1);
  t.recv({ flags: 'ACK', seq: 1000, ack: 5003 }); // first probe at 5 s + 10 s
  t.advance(1_000);
  t.recv({ flags: 'ACK', seq: 1000 }); // second
  t.send({ flags: 'ACK', seq: 5003, ack: 1001 }); // answered late, but answered
  assert.equal(t.c.info().keepaliveProbes, 0);
  t.advance(9_999);
  t.recvNothing();
  t.advance(1);
  t.recv({ flags: 'ACK', seq: 1000 });
  t.expectState('ESTABLISHED');
});

test('D9 Linux defaults: probes start after 2 h and the connection is dropped after 2 h + 9 × 75 s', () => {
  const t = tcpTest({ cfg: { keepAlive: true } });
  t.establishActive();
  t.advance(7_200_000 - 1);
  t.recvNothing();
  t.advance(1);
  t.recv({ flags: 'ACK', seq: 1000, len: 0 });
  t.advance(8 * 75_000);
  assert.equal(t.out.splice(0).length, 8);
  t.expectState('ESTABLISHED');
  t.advance(75_000);
  t.recv({ flags: 'RST,ACK' });
  t.expectState('CLOSED');
  assert.equal(t.now, 7_875_000);
  assert.deepEqual(t.errors(), ['ETIMEDOUT']);
});

test('D9 setKeepAlive(true, idle) switches probing on with that idle time, counted from now; false switches it off', () => {
  const t = tcpTest();
  t.establishActive();
  t.advance(1_000_000);
  t.recvNothing();
  t.c.setKeepAlive(true, 30_000, t.now);
  t.advance(29_999);
  t.recvNothing();
  t.advance(1);
  t.recv({ flags: 'ACK', seq: 1000, len: 0 });
  t.c.setKeepAlive(false, undefined, t.now);
  t.advance(10_000_000);
  t.recvNothing();
  t.expectState('ESTABLISHED');
});

test('D9 no keepalive probes while data is unacknowledged: the retransmission timer is in charge', () => {
  const t = tcpTest({ cfg: { ...KA, retries2: 20, rtoMax: 2_000 } });
  t.establishActive();
  t.user.send('waiting');
  t.recv({ flags: 'PSH,ACK', seq: 1001 });
  t.advance(30_000);
  const probes = t.out.filter((s) => s.seq === 1000);
  assert.equal(probes.length, 0);
  assert.ok(t.out.every((s) => s.seq === 1001 && s.rtx), 'only retransmissions');
});

test('D9 keepalive works in CLOSE_WAIT and FIN_WAIT_2 too (half-closed connections can idle)', () => {
  const t = tcpTest({ cfg: KA });
  t.establishActive();
  t.user.shutdown();
  t.recv({ flags: 'FIN,ACK', seq: 1001 });
  t.send({ flags: 'ACK', seq: 5001, ack: 1002 });
  t.expectState('FIN_WAIT_2');
  t.advance(10_000);
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001, len: 0 }); // SND.UNA − 1 = 1001 after our FIN
});
