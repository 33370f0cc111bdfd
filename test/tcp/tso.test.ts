/**
 * TSO (TcpConfig.tsoMax, set by the stack for a link with offloads): new data
 * leaves as one super-segment per send opportunity, sized by the window and
 * cwnd in whole MSS-sized segments (the link cuts it at `segmentSize`), as
 * Linux's tcp_write_xmit; retransmissions and probes stay one segment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest } from '../helpers/tcp-test.js';
import { tsoLength } from '../../src/tcp/tso.js';

const MSS = 1460;
const data = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i & 0xff);

test('tsoLength: whole segments within data, window, cwnd and the link limit; a small tail only when it ends the data and Nagle allows', () => {
  assert.equal(tsoLength(1000, 64000, 100_000, 100_000, 10_000, true), 10_000, 'cwnd-limited');
  assert.equal(tsoLength(1000, 64000, 100_000, 4_500, 100_000, true), 4_000, 'the window cuts to whole segments');
  assert.equal(tsoLength(1000, 64000, 2_500, 100_000, 100_000, true), 2_500, 'the tail of the data goes along');
  assert.equal(tsoLength(1000, 64000, 2_500, 100_000, 100_000, false), 2_000, 'Nagle holds the small tail back');
  assert.equal(tsoLength(1000, 64_500, 1_000_000, 1_000_000, 1_000_000, true), 64_000, 'the link limit, in whole segments');
  assert.equal(tsoLength(1000, 64000, 1_000, 1_000, 1_000, false), 1_000, 'never below one segment');
});

test('with tsoMax, the initial window leaves as one super-segment of 10 MSS cut at the MSS; the ACK of it opens a larger one', () => {
  const t = tcpTest({ cfg: { tsoMax: 64_000 } });
  t.establishActive();
  t.user.send(data(60_000));
  const s1 = t.recv({ flags: 'ACK', seq: 1001, len: 10 * MSS });
  assert.equal(s1.segmentSize, MSS, 'the link cuts it into MSS-sized segments');
  t.recvNothing();
  t.send({ flags: 'ACK', seq: 5001, ack: 1001 + 10 * MSS });
  // Slow start grows cwnd; what it allows leaves as one super-segment of whole segments.
  const s2 = t.recv({ flags: 'ACK', seq: 1001 + 10 * MSS });
  assert.ok(s2.payload.length > 10 * MSS && s2.payload.length % MSS === 0, `one super-segment of whole segments, got ${s2.payload.length}`);
  assert.equal(s2.segmentSize, MSS);
  assert.equal(s2.payload.length, t.c.info().cwnd, 'all that cwnd allows');
  assert.deepEqual([...s2.payload.subarray(0, 4)], [...data(10 * MSS + 4).subarray(10 * MSS)], 'the bytes that follow');
  t.recvNothing();
});

test('without tsoMax (a link without TSO) the same data leaves in MSS-sized segments', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.send(data(60_000));
  for (let i = 0; i < 10; i++) {
    const s = t.recv({ flags: 'ACK', seq: 1001 + i * MSS, len: MSS });
    assert.equal(s.segmentSize, undefined);
  }
  t.recvNothing();
});

test('the peer window cuts a super-segment to whole segments; the end of the data may go with PSH and FIN in one super-segment', () => {
  const t = tcpTest({ cfg: { tsoMax: 64_000 } });
  t.establishActive(3000);
  t.user.send(data(4000));
  t.recv({ flags: 'ACK', seq: 1001, len: 2 * MSS }); // 2920 of the 3000-byte window, in whole segments
  t.recvNothing();
  t.user.shutdown();
  t.send({ flags: 'ACK', seq: 5001, ack: 1001 + 2 * MSS, window: 3000 });
  t.recv({ flags: 'FIN,PSH,ACK', seq: 1001 + 2 * MSS, len: 4000 - 2 * MSS }); // less than one segment: no TSO

  const t2 = tcpTest({ cfg: { tsoMax: 64_000 } });
  t2.establishActive();
  t2.user.send(data(20_000));
  t2.recv({ flags: 'ACK', seq: 1001, len: 10 * MSS });
  t2.user.shutdown();
  t2.send({ flags: 'ACK', seq: 5001, ack: 1001 + 10 * MSS });
  const s = t2.recv({ flags: 'FIN,PSH,ACK', seq: 1001 + 10 * MSS, len: 20_000 - 10 * MSS });
  assert.equal(s.segmentSize, MSS, 'the link puts FIN and PSH on the last piece only (Linux tcp_gso_segment does)');
});

test('a retransmission is one segment even with TSO (fast retransmit after three duplicate ACKs)', () => {
  const t = tcpTest({ cfg: { tsoMax: 64_000 } });
  t.establishActive();
  t.user.send(data(20 * MSS));
  t.recv({ flags: 'ACK', seq: 1001, len: 10 * MSS });
  for (let i = 0; i < 3; i++) t.send({ flags: 'ACK', seq: 5001, ack: 1001 });
  // Limited transmit (RFC 3042): the first two duplicate ACKs send one new segment each, not a super-segment.
  t.recv({ flags: 'ACK', seq: 1001 + 10 * MSS, len: MSS });
  t.recv({ flags: 'ACK', seq: 1001 + 11 * MSS, len: MSS });
  const rtx = t.recv({ flags: 'ACK', seq: 1001, len: MSS });
  assert.equal(rtx.rtx, true);
  assert.equal(rtx.segmentSize, undefined);
});
