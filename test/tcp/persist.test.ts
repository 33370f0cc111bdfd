import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest } from '../helpers/tcp-test.js';

// Our ISN is 1000, the peer's 5000; no window scaling unless a test asks for it.

test('D5 zero window: the persist timer probes with one octet, backing off exponentially, for as long as the peer answers', () => {
  const t = tcpTest({ cfg: { retries2: 3 } });
  t.establishActive(0);
  t.user.send('xyz');
  t.recvNothing();
  const probes: number[] = [];
  for (let i = 0; i < 6; i++) {
    while (t.out.length === 0) t.advance(100);
    t.recv({ flags: 'ACK', seq: 1001, len: 1 });
    probes.push(t.now);
    t.send({ flags: 'ACK', seq: 5001, ack: 1001, window: 0 }); // still closed: the octet is refused
    assert.equal(t.c.info().timer, 'persist');
  }
  assert.deepEqual(probes, [1000, 3000, 7000, 15000, 31000, 63000]);
  t.expectState('ESTABLISHED'); // more probes than retries2, but every one was answered
  // The window opens: everything, the refused probe octet included, goes at once.
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, window: 1000 });
  t.recv({ flags: 'PSH,ACK', seq: 1001, payload: 'xyz' });
});

test('D5 a peer that stops answering zero-window probes is given up on after tcp_retries2 (ETIMEDOUT, as Linux)', () => {
  const t = tcpTest({ cfg: { retries2: 3 } });
  t.establishActive(0);
  t.user.send('xyz');
  t.advance(1000);
  t.recv({ flags: 'ACK', seq: 1001, len: 1 });
  t.advance(2000);
  t.recv({ flags: 'ACK', seq: 1001, len: 1 });
  t.advance(4000);
  t.recv({ flags: 'ACK', seq: 1001, len: 1 });
  t.expectState('ESTABLISHED');
  t.advance(8000);
  t.expectState('CLOSED');
  assert.deepEqual(t.errors(), ['ETIMEDOUT']);
});

test('D5 the window closes on data in flight: what it did not take is sent again when it reopens', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.send(new Uint8Array(2920));
  t.recv({ flags: 'ACK', seq: 1001, len: 1460 });
  t.recv({ flags: 'PSH,ACK', seq: 2461, len: 1460 });
  t.send({ flags: 'ACK', seq: 5001, ack: 2461, window: 0 }); // first segment taken, then the buffer was full
  assert.equal(t.c.sndNxt, 2461, 'SND.NXT pulled back to SND.UNA');
  assert.equal(t.c.info().timer, 'persist');
  while (t.out.length === 0) t.advance(10);
  t.recv({ flags: 'ACK', seq: 2461, len: 1 }); // probe
  t.send({ flags: 'ACK', seq: 5001, ack: 2461, window: 4000 });
  t.recv({ flags: 'PSH,ACK', seq: 2461, len: 1460 });
  t.send({ flags: 'ACK', seq: 5001, ack: 3921, window: 4000 });
  t.advance(60_000);
  t.recvNothing();
});

test('D5 sender SWS avoidance (RFC 1122 §4.2.3.4): a sliver of window is not used until the persist timer overrides', () => {
  const t = tcpTest();
  t.establishActive(10_000); // the largest window the peer offers: 10000
  t.user.send(new Uint8Array(30_000));
  const first = t.out.splice(0);
  assert.deepEqual(
    first.map((s) => s.payload.length),
    [1460, 1460, 1460, 1460, 1460, 1460],
    'six full segments; the 1240 left of the window is less than an MSS and less than half the window',
  );
  t.send({ flags: 'ACK', seq: 5001, ack: 1001 + 6 * 1460, window: 1000 });
  t.recvNothing(); // 1000 < min(MSS, 10000/2): wait
  assert.equal(t.c.info().timer, 'persist');
  while (t.out.length === 0) t.advance(10); // override timeout (the persist timer, one RTO)
  t.recv({ flags: 'ACK', seq: 1001 + 6 * 1460, len: 1000 });
  t.send({ flags: 'ACK', seq: 5001, ack: 1001 + 6 * 1460 + 1000, window: 6000 });
  const next = t.out.splice(0).map((s) => s.payload.length);
  assert.deepEqual(next, [1460, 1460, 1460, 1460], 'half the largest window or more may go, in full segments');
});

test('D5 receiver SWS avoidance (RFC 1122 §4.2.3.3): the right edge moves only by min(RCV.BUFF/2, MSS) or more', () => {
  const t = tcpTest({ cfg: { recvBufferSize: 10_000 } });
  t.establishPassive();
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, payload: new Uint8Array(1460) });
  t.recv({ flags: 'ACK', ack: 6461, window: 10_000 - 1460 });
  assert.equal(t.user.read(500)!.length, 500); // 500 freed: not worth announcing
  t.recvNothing();
  t.send({ flags: 'ACK', seq: 6461, ack: 1001, payload: new Uint8Array(100) });
  t.recv({ flags: 'ACK', ack: 6561, window: 10_000 - 1560 }); // the edge stays where it was
  t.user.read(); // now 1560 are free: more than an MSS, but the window offered is still large: no update of its own
  t.recvNothing();
  t.send({ flags: 'ACK', seq: 6561, ack: 1001, payload: new Uint8Array(100) });
  t.recv({ flags: 'ACK', ack: 6661, window: 10_000 - 100 }); // the next ACK moves the edge
});

test('D5 window scaling (RFC 7323): the peer window field is shifted by its scale and the sender fills exactly that', () => {
  const t = tcpTest({ cfg: { windowScaling: true } });
  t.user.connect();
  t.recv({ flags: 'SYN' });
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, window: 4 * 1460, options: { mss: 1460, wscale: 2 } });
  t.recv({ flags: 'ACK' });
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, window: 1460 }); // 1460 << 2 = 4 segments
  assert.equal(t.c.sndWnd, 4 * 1460);
  t.user.send(new Uint8Array(10_000));
  const sent = t.out.splice(0).map((s) => s.payload.length);
  assert.deepEqual(sent, [1460, 1460, 1460, 1460]);
});

test('D5 our advertised window is the free receive buffer, scaled by our shift', () => {
  const t = tcpTest({ cfg: { windowScaling: true, recvBufferSize: 1 << 20 } });
  t.user.listen();
  t.send({ flags: 'SYN', seq: 5000, options: { mss: 1460, wscale: 0 } });
  const synAck = t.recv({ flags: 'SYN,ACK' });
  assert.equal(synAck.options.wscale, 5);
  assert.equal(synAck.window, 65535, 'a SYN-ACK window is never scaled');
  t.send({ flags: 'ACK', seq: 5001, ack: 1001 });
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, payload: new Uint8Array(60_000) });
  const a = t.recv({ flags: 'ACK', ack: 65_001 });
  assert.equal(a.window, ((1 << 20) - 60_000) >> 5);
});

test('R9 an orphan is not kept alive for ever by a peer that answers every zero-window probe (as Linux tcp_probe_timer for orphans)', () => {
  // Issue 10 #3: every answer reset the probe count, so an orphaned FIN_WAIT_1 whose peer kept its
  // window shut lived for ever and kept its send buffer. Linux aborts an orphan once the probe backoff
  // has reached TCP_RTO_MAX and counts tcp_orphan_retries (8) backoffs, answers or not.
  const t = tcpTest({ cfg: { orphanRetries: 8 } });
  t.establishActive(0);
  t.user.send('xyz');
  t.user.close(); // FIN queued behind the data: FIN_WAIT_1, and the application is gone
  t.expectState('FIN_WAIT_1');
  let probes = 0;
  const H48 = 48 * 3600_000;
  while (t.now < H48 && t.conn!.state !== 'CLOSED') {
    t.advance(1000);
    while (t.out.length > 0) {
      const seg = t.out.shift()!;
      if (seg.payload.length === 1) probes++;
      t.send({ flags: 'ACK', seq: 5001, ack: 1001, window: 0 }); // alive, window still shut
    }
  }
  t.expectState('CLOSED');
  assert.ok(t.now < 20 * 60_000, `gone within 20 min, not after ${t.now} ms`);
  assert.ok(probes >= 8 && probes <= 12, `${probes} probes`);
  assert.deepEqual(t.errors(), [], 'an orphan has no application to tell');
});

test('D5 a connection the application still holds keeps probing a zero window as long as the peer answers (RFC 9293 §3.8.6.1)', () => {
  const t = tcpTest({ cfg: { orphanRetries: 8 } });
  t.establishActive(0);
  t.user.send('xyz');
  t.user.shutdown(); // FIN_WAIT_1, but not orphaned
  for (let i = 0; i < 6 * 60; i++) {
    t.advance(1000 * 60);
    while (t.out.length > 0) {
      t.out.shift();
      t.send({ flags: 'ACK', seq: 5001, ack: 1001, window: 0 });
    }
  }
  t.expectState('FIN_WAIT_1'); // six hours on, still probing
});

test('D5 the window closes on our data and FIN, then an ACK takes them all: no persist timer is left in FIN_WAIT_2 (fuzz case 2189980665)', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.send('x');
  t.user.shutdown();
  t.recv({ flags: 'PSH,ACK', seq: 1001, payload: 'x' });
  t.recv({ flags: 'FIN,ACK', seq: 1002 });
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, window: 0 }); // window closed: the octet goes back to the persist timer
  assert.equal(t.c.info().timer, 'persist');
  // The peer had taken both after all (RFC 9293 MUST-34): SND.UNA reaches SND.MAX, nothing is left to send,
  // so nothing is left to probe — RFC 9293 §3.8.6.1 probes a zero window only while there is data to send.
  t.send({ flags: 'ACK', seq: 5001, ack: 1003, window: 0 });
  t.expectState('FIN_WAIT_2');
  assert.equal(t.c.info().timer, 'off');
  t.advance(120_000);
  t.recvNothing();
  t.expectState('FIN_WAIT_2'); // shutdown(), not close(): no FIN_WAIT_2 timeout
});
