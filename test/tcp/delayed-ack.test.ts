import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest, type TcpTest } from '../helpers/tcp-test.js';
import { twoStacks } from '../helpers/two-stacks.js';
import type { TcpSocket } from '../../src/stack/socket.js';

// Our ISN is 1000, the peer's 5000. These tests switch delayed ACKs on (the helper's default is off).
const DELACK = { delayedAck: true };
const text = (b: Uint8Array | null) => (b ? new TextDecoder().decode(b) : null);

function passive(cfg = {}): TcpTest {
  const t = tcpTest({ cfg: { ...DELACK, ...cfg } });
  t.establishPassive();
  return t;
}

test('D6 delayed ACK: one in-order segment is acknowledged after 40 ms (Linux TCP_DELACK_MIN), not at once', () => {
  const t = passive();
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 1001, payload: 'hello' });
  t.recvNothing();
  t.advance(39);
  t.recvNothing();
  t.advance(1);
  t.recv({ flags: 'ACK', seq: 1001, ack: 5006 });
  t.advance(1000);
  t.recvNothing();
  assert.equal(t.c.info().ato, 40);
});

test('D6 delayed ACK: at least every second full-sized segment is acknowledged at once (RFC 1122 §4.2.3.2, RFC 5681 §4.2)', () => {
  const t = passive();
  const full = new Uint8Array(1460);
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, payload: full });
  t.recvNothing();
  t.send({ flags: 'ACK', seq: 6461, ack: 1001, payload: full });
  t.recv({ flags: 'ACK', ack: 7921 });
  t.send({ flags: 'ACK', seq: 7921, ack: 1001, payload: full });
  t.recvNothing();
  t.send({ flags: 'ACK', seq: 9381, ack: 1001, payload: full });
  t.recv({ flags: 'ACK', ack: 10841 });
  t.advance(100);
  t.recvNothing();
});

test('D6 the delay is configurable and bounded (delayedAckMs < 500 ms, RFC 1122)', () => {
  const t = passive({ delayedAckMs: 200 });
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 1001, payload: 'x' });
  t.advance(199);
  t.recvNothing();
  t.advance(1);
  t.recv({ flags: 'ACK', ack: 5002 });
  assert.throws(() => tcpTest({ cfg: { delayedAckMs: 500 } }).user.connect(), RangeError);
});

test('D6 out-of-order data is ACKed at once, and so is the segment that fills the hole (RFC 5681 §4.2)', () => {
  const t = passive();
  t.send({ flags: 'ACK', seq: 5006, ack: 1001, payload: 'world' });
  t.recv({ flags: 'ACK', ack: 5001 }); // immediate duplicate ACK
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, payload: 'hello' });
  t.recv({ flags: 'ACK', ack: 5011 }); // hole filled: immediate
  assert.equal(text(t.user.read()), 'helloworld');
});

test('D6 a duplicate segment is ACKed at once (the sender may be retransmitting because our ACK was lost)', () => {
  const t = passive();
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, payload: 'abc' });
  t.advance(40);
  t.recv({ flags: 'ACK', ack: 5004 });
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, payload: 'abc' });
  t.recv({ flags: 'ACK', ack: 5004 });
});

test('D6 data sent within the delay carries the ACK; no separate ACK follows', () => {
  const t = passive();
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 1001, payload: 'request' });
  t.advance(10);
  t.user.send('response');
  t.recv({ flags: 'PSH,ACK', seq: 1001, ack: 5008, payload: 'response' });
  t.advance(100);
  t.recvNothing();
});

test('D6 reading that reopens a closed window sends the window update at once', () => {
  const t = passive({ recvBufferSize: 4000 });
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, payload: new Uint8Array(2000) });
  t.send({ flags: 'ACK', seq: 7001, ack: 1001, payload: new Uint8Array(2000) });
  t.recv({ flags: 'ACK', ack: 9001, window: 0 }); // two segments: immediate
  t.user.read();
  t.recv({ flags: 'ACK', ack: 9001, window: 4000 });
});

test('D6 with delayedAckOnFin off, a FIN is ACKed at once even with delayed ACKs on', () => {
  const t = passive({ delayedAckOnFin: false });
  t.send({ flags: 'FIN,ACK', seq: 5001, ack: 1001 });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5002 });
  t.expectState('CLOSE_WAIT');
});

test('D6 (Linux, the default) the ACK of a FIN is delayed in ESTABLISHED, so closing at EOF sends one FIN,ACK', () => {
  const t = passive({ delayedAckOnFin: true });
  t.send({ flags: 'FIN,ACK', seq: 5001, ack: 1001 });
  t.expectState('CLOSE_WAIT');
  t.recvNothing();
  t.user.close(); // the application closes as soon as it sees EOF
  t.recv({ flags: 'FIN,ACK', seq: 1001, ack: 5002 });
  t.expectState('LAST_ACK');
  t.recvNothing();
});

test('D6 delayedAckOnFin: without a close, the delayed ACK of the FIN still goes within 40 ms', () => {
  const t = passive({ delayedAckOnFin: true });
  t.send({ flags: 'FIN,ACK', seq: 5001, ack: 1001 });
  t.advance(40);
  t.recv({ flags: 'ACK', seq: 1001, ack: 5002 });
});

test('D6 a FIN in FIN_WAIT_2 is ACKed at once (the ACK ends the connection for the peer)', () => {
  const t = tcpTest({ cfg: DELACK });
  t.establishActive();
  t.user.shutdown();
  t.recv({ flags: 'FIN,ACK', seq: 1001 });
  t.send({ flags: 'ACK', seq: 5001, ack: 1002 });
  t.send({ flags: 'FIN,ACK', seq: 5001, ack: 1002 });
  t.recv({ flags: 'ACK', seq: 1002, ack: 5002 });
  t.expectState('TIME_WAIT');
});

test('D6 Nagle: a small write goes at once, later small writes wait for its ACK and go together', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.send('a');
  t.recv({ flags: 'PSH,ACK', seq: 1001, payload: 'a' });
  t.user.send('b');
  t.user.send('c');
  t.recvNothing();
  t.advance(100);
  t.recvNothing();
  t.send({ flags: 'ACK', seq: 5001, ack: 1002 });
  t.recv({ flags: 'PSH,ACK', seq: 1002, payload: 'bc' });
});

test('D6 Nagle with Minshall: full-sized segments go even while a small one is unacknowledged; only the small tail waits', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.send('a');
  t.recv({ flags: 'PSH,ACK', seq: 1001, len: 1 });
  t.user.send(new Uint8Array(3000));
  t.recv({ flags: 'ACK', seq: 1002, len: 1460 });
  t.recv({ flags: 'ACK', seq: 2462, len: 1460 });
  t.recvNothing(); // 80 bytes left: small, and the 1-byte segment is unacknowledged
  t.send({ flags: 'ACK', seq: 5001, ack: 1002 });
  t.recv({ flags: 'PSH,ACK', seq: 3922, len: 80 });
});

test('D6 setNoDelay(true) turns Nagle off and flushes what it held; setNoDelay(false) turns it back on', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.send('a');
  t.recv({ flags: 'PSH,ACK', payload: 'a' });
  t.user.send('b');
  t.recvNothing();
  t.c.setNoDelay(true, t.now);
  t.recv({ flags: 'PSH,ACK', seq: 1002, payload: 'b' });
  t.user.send('c');
  t.recv({ flags: 'PSH,ACK', seq: 1003, payload: 'c' });
  t.c.setNoDelay(false, t.now);
  t.user.send('d');
  t.recvNothing();
});

test('D6 Nagle meets delayed ACK between two stacks: the second small write leaves when the 40 ms delayed ACK arrives', () => {
  const n = twoStacks({ link: { delayMs: 1 } });
  let server: TcpSocket | undefined;
  n.b.listen(80).on('connection', (s) => (server = s));
  const c = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  assert.ok(server);
  const t0 = n.clock.now();
  c.write(new TextEncoder().encode('first'));
  c.write(new TextEncoder().encode('second'));
  n.settle(1000);
  const data = n.trace.filter((e) => e.type === 'segment' && e.stack === 'A' && e.dir === 'out' && e.len > 0);
  assert.equal(data.length, 2);
  assert.equal(data[0]!.t - t0, 0);
  assert.equal(data[1]!.t - t0, 1 + 40 + 1, 'one-way delay, the delayed ACK, the way back');
  const acks = n.trace.filter((e) => e.type === 'segment' && e.stack === 'B' && e.dir === 'out' && e.t > t0);
  assert.equal(acks.length, 2, 'one delayed ACK per small segment');
});
