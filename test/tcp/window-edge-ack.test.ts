/**
 * A segment without data whose SEG.SEQ is exactly the right edge of our
 * receive window (RCV.NXT + RCV.WND). RFC 9293 §3.10.7.4's table alone
 * (RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND) rejects it, but a peer that has sent
 * everything our window allowed has SND.NXT = SND.MAX = that edge, and every
 * pure ACK it sends carries it: rejected, their ACK fields are never read.
 * RFC 9293 Appendix A.2 names this ("the TCP sequence number validation
 * rules can prevent ACK fields from being processed") and leaves the
 * mitigation to implementations; Linux accepts such a segment
 * (tcp_sequence: !after(seq, rcv_nxt + window); tcp_in_window, used in
 * SYN-RECEIVED and TIME-WAIT: seq == e_win && seq == end_seq). Fuzz case
 * 1118446931: after a 1-octet out-of-order flood the peer's SND.MAX sat at our
 * edge and our data was never seen acknowledged: ETIMEDOUT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest, type TcpTest } from '../helpers/tcp-test.js';
import { segmentAcceptable } from '../../src/tcp/acceptability.js';
import { timeWaitAction, TimeWaitAction } from '../../src/tcp/time-wait.js';
import type { Segment } from '../../src/tcp/segment.js';
import { ACK } from '../../src/wire/flags.js';

const RCV_BUF = 8192;

/**
 * Established (our ISN 1000, the peer's 5000) with the window we advertised (edge 5001 + RCV_BUF) fully used:
 * the peer's first 1000 octets are in flight (lost), the rest arrived out of order. The peer's SND.NXT is the edge.
 * We have 100 octets unacknowledged (1001..1101). Returns the edge.
 */
function windowFullyUsed(): { t: TcpTest; edge: number } {
  const t = tcpTest({ cfg: { recvBufferSize: RCV_BUF } });
  t.user.connect();
  t.recv({ flags: 'SYN', seq: 1000 });
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, options: { mss: 1460 } });
  const wnd = t.recv({ flags: 'ACK', seq: 1001, ack: 5001 }).window;
  assert.ok(wnd > 1000 && wnd <= RCV_BUF, `advertised window ${wnd}`);
  const edge = 5001 + wnd;
  t.user.send('x'.repeat(100));
  t.recv({ flags: 'PSH,ACK', seq: 1001, len: 100 });
  for (let seq = 6001; seq < edge; seq += 1000) {
    t.send({ flags: 'ACK', seq, ack: 1001, payload: 'y'.repeat(Math.min(1000, edge - seq)) });
  }
  assert.equal(t.c.rcvNxt, 5001);
  assert.equal(t.c.info().oooBytes, edge - 6001, 'everything beyond the hole is queued');
  t.out.length = 0; // the duplicate ACKs the out-of-order segments earned
  return { t, edge };
}

test('a pure ACK at the right window edge (the peer sent all our window allowed) is processed: SND.UNA advances, no reply', () => {
  const { t, edge } = windowFullyUsed();
  t.send({ flags: 'ACK', seq: edge, ack: 1101 });
  assert.equal(t.c.sndUna, 1101, 'the ACK field was read');
  t.recvNothing(); // no duplicate ACK: the segment was acceptable
  // Nothing is left to retransmit: the RTO does not fire, the connection does not stall.
  t.advance(60_000);
  t.recvNothing();
  t.expectState('ESTABLISHED');
  // The hole fills: everything is delivered in order and ACKed.
  t.send({ flags: 'ACK', seq: 5001, ack: 1101, payload: 'y'.repeat(1000) });
  t.recv({ flags: 'ACK', seq: 1101, ack: edge });
  assert.equal(t.c.readableBytes, edge - 5001);
});

test('a window update at the right edge reopens a zero send window (its SND.WL1/WL2 are read)', () => {
  const { t, edge } = windowFullyUsed();
  t.send({ flags: 'ACK', seq: edge, ack: 1101, window: 0 });
  assert.equal(t.c.sndWnd, 0);
  t.user.send('z'.repeat(10));
  t.recvNothing();
  t.send({ flags: 'ACK', seq: edge, ack: 1101, window: 4000 });
  assert.equal(t.c.sndWnd, 4000);
  t.recv({ flags: 'PSH,ACK', seq: 1101, len: 10 });
});

test('the edge is not widened: a pure ACK one past the right edge is rejected with a duplicate ACK, its ACK field unread', () => {
  const { t, edge } = windowFullyUsed();
  t.send({ flags: 'ACK', seq: edge + 1, ack: 1101 });
  assert.equal(t.c.sndUna, 1001);
  t.recv({ flags: 'ACK', seq: 1101, ack: 5001 });
});

/** Established with a zero receive window: the peer filled our buffer with in-order data nobody reads. */
function zeroWindow(): TcpTest {
  const t = tcpTest({ cfg: { recvBufferSize: RCV_BUF } });
  t.establishActive();
  t.user.send('x'.repeat(100));
  t.recv({ flags: 'PSH,ACK', seq: 1001, len: 100 });
  let seq = 5001;
  for (let i = 0; i < 40 && t.c.info().rcvWnd > 0; i++) {
    const n = Math.min(1000, t.c.info().rcvWnd);
    t.send({ flags: 'ACK', seq, ack: 1001, payload: 'y'.repeat(n) });
    seq += n;
  }
  assert.equal(t.c.info().rcvWnd, 0, 'the receive window is closed');
  assert.equal(t.c.rcvNxt, seq);
  t.out.length = 0;
  return t;
}

test('with a zero receive window only SEG.SEQ = RCV.NXT is acceptable for a pure ACK (RFC 9293 table, first row; Linux the same)', () => {
  const t = zeroWindow();
  const rcvNxt = t.c.rcvNxt;
  t.send({ flags: 'ACK', seq: rcvNxt + 1, ack: 1101 });
  assert.equal(t.c.sndUna, 1001, 'one past RCV.NXT: not acceptable, ACK field unread');
  t.recv({ flags: 'ACK', seq: 1101, ack: rcvNxt, window: 0 });
  t.send({ flags: 'ACK', seq: rcvNxt, ack: 1101 });
  assert.equal(t.c.sndUna, 1101, 'at RCV.NXT (which is the edge): acceptable');
  t.recvNothing();
});

test('with a zero receive window data at RCV.NXT is dropped but its ACK is read (RFC 9293: "special allowance ... valid ACKs")', () => {
  const t = zeroWindow();
  const rcvNxt = t.c.rcvNxt;
  t.send({ flags: 'PSH,ACK', seq: rcvNxt, ack: 1101, payload: 'z' });
  assert.equal(t.c.sndUna, 1101);
  assert.equal(t.c.rcvNxt, rcvNxt, 'the octet is not taken');
  t.recv({ flags: 'ACK', seq: 1101, ack: rcvNxt, window: 0 });
});

test('segmentAcceptable: a zero-length segment is acceptable from RCV.NXT to the right edge inclusive, also across 2^32', () => {
  for (const rcvNxt of [5001, 0xffff_ff00, 0xffff_ffff]) {
    const at = (d: number): number => (rcvNxt + d) >>> 0;
    assert.equal(segmentAcceptable(at(-1), 0, rcvNxt, 1000), false, 'below RCV.NXT');
    assert.equal(segmentAcceptable(at(0), 0, rcvNxt, 1000), true);
    assert.equal(segmentAcceptable(at(999), 0, rcvNxt, 1000), true);
    assert.equal(segmentAcceptable(at(1000), 0, rcvNxt, 1000), true, 'at the right edge');
    assert.equal(segmentAcceptable(at(1001), 0, rcvNxt, 1000), false, 'past the right edge');
    // Zero window: RCV.NXT only.
    assert.equal(segmentAcceptable(at(0), 0, rcvNxt, 0), true);
    assert.equal(segmentAcceptable(at(1), 0, rcvNxt, 0), false);
    assert.equal(segmentAcceptable(at(-1), 0, rcvNxt, 0), false);
    // Segments with data keep the table: the first or the last octet inside [RCV.NXT, edge).
    assert.equal(segmentAcceptable(at(1000), 1, rcvNxt, 1000), false, 'data starting at the edge');
    assert.equal(segmentAcceptable(at(999), 5, rcvNxt, 1000), true);
    assert.equal(segmentAcceptable(at(-5), 6, rcvNxt, 1000), true);
    assert.equal(segmentAcceptable(at(-5), 5, rcvNxt, 1000), false);
    assert.equal(segmentAcceptable(at(0), 1, rcvNxt, 0), false, 'data with a zero window');
  }
});

function seg(seq: number, flags: number, len = 0): Segment {
  return { seq, ack: 0, flags, window: 1000, options: {}, payload: new Uint8Array(len) };
}

test('TIME_WAIT: a pure ACK at the right edge is acceptable and needs no answer (Linux tcp_in_window); one past it earns an ACK', () => {
  assert.equal(timeWaitAction(seg(9000, ACK), 8000, 1000), TimeWaitAction.Ignore);
  assert.equal(timeWaitAction(seg(9001, ACK), 8000, 1000), TimeWaitAction.AckLimited);
  assert.equal(timeWaitAction(seg(9000, ACK, 1), 8000, 1000), TimeWaitAction.AckLimited, 'data at the edge');
  assert.equal(timeWaitAction(seg(7999, ACK), 8000, 1000), TimeWaitAction.AckLimited);
});
