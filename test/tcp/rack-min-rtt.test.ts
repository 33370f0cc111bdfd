/**
 * RACK's min_RTT (RFC 8985 §6.2 step 4: reo_wnd = min_RTT / 4) measured as
 * Linux measures it: from each segment's send time, not from the 1 ms TSval
 * clock. With timestamps on a sub-millisecond path, an RTT read off TSecr is
 * 0, so reo_wnd was 0 and RACK marked a hole lost at the first SACK, entering
 * recovery (and PRR's cut) before the window's new data went out: at 20 %
 * loss and 0.05 ms one-way delay that tripled the RTOs (bench/recovery.ts).
 * TCP-BEHAVIOR P2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest, type TcpTest } from '../helpers/tcp-test.js';
import type { TcpOptions } from '../../src/wire/tcp-options.js';

// Our ISN is 1000, the peer's 5000; MSS 1460, SACK and timestamps: 1448 data octets a segment.
// Our TSval is the virtual time in ms (tsOffset 0 in tests); the peer echoes it.
const T0 = 5; // TSval 0 would read as "no echo"
let smss = 0;
const seg = (k: number): number => 1001 + smss * k;
let peerTs = 9000;

/** Handshake with the SYN-ACK `rtt` ms after the SYN. */
function establish(rtt: number): TcpTest {
  const t = tcpTest({ cfg: { sack: true, timestamps: true } });
  t.now = T0;
  t.user.connect();
  t.recv({ flags: 'SYN', seq: 1000 });
  t.advance(rtt);
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, window: 65535, options: { mss: 1460, sackPermitted: true, ts: { val: peerTs++, ecr: T0 } } });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001 });
  smss = t.c.sndMss;
  assert.equal(smss, 1448);
  return t;
}

/** The peer ACKs up to segment `ackSeg`, SACKs [from, to) segment ranges and echoes `ecr`. */
function ack(t: TcpTest, ackSeg: number, blocks: Array<[number, number]>, ecr: number): string[] {
  const options: TcpOptions = { ts: { val: peerTs++, ecr } };
  if (blocks.length > 0) options.sack = blocks.map(([a, b]) => [seg(a), seg(b)] as [number, number]);
  t.send({ flags: 'ACK', seq: 5001, ack: seg(ackSeg), window: 65535, options });
  return sent(t);
}

function sent(t: TcpTest): string[] {
  return t.out.splice(0).map((s) => `${(s.seq - 1001) / smss}${s.rtx ? 'R' : ''}`);
}

test('P2 RACK on a 0.6 ms path with timestamps: reo_wnd is min_RTT/4 from send times, so the first SACK above a hole does not start recovery at once', () => {
  // The handshake takes 2 ms (SRTT 2); then one round trip of 0.6 ms, whose TSecr sample reads 0 ms (same
  // TSval tick): the connection's min_RTT is 0, RACK's, from the send time, 0.6.
  const t = establish(2);
  t.now = 100;
  t.user.send(new Uint8Array(smss));
  assert.deepEqual(sent(t), ['0']);
  t.now = 100.6;
  ack(t, 1, [], 100);
  assert.equal(t.c.info().minRtt, 0);
  // Four segments leave at t = 101; segment 1 is lost and the peer SACKs segment 2 at once, 0.6 ms later.
  t.now = 101;
  t.user.send(new Uint8Array(4 * smss));
  assert.deepEqual(sent(t), ['1', '2', '3', '4']);
  t.now = 101.6;
  assert.deepEqual(ack(t, 1, [[2, 3]], 101), [], 'segment 1 was sent with segment 2: it may be only reordered, within reo_wnd = 0.15 ms');
  assert.equal(t.c.info().caState, 'disorder');
  assert.equal(t.counts.TCPSackRecovery, undefined);
  // More data to send: the window is not cut yet, so it goes out at once, as Linux would send it.
  t.user.send(new Uint8Array(2 * smss));
  assert.deepEqual(sent(t), ['5', '6']);
  // reo_wnd later the reordering timer (RFC 8985 §6.3) marks segment 1 lost: recovery and its retransmission.
  t.advance(0.2);
  assert.deepEqual(sent(t), ['1R']);
  assert.equal(t.c.info().caState, 'recovery');
  assert.equal(t.counts.TCPSackRecovery, 1);
  assert.equal(t.counts.TCPTimeouts, undefined);
});

test('P2 RACK with timestamps: a retransmission ACKed faster than min_RTT is no sign of reordering when the ACK echoes the retransmission', () => {
  // Every sample so far is 40 ms (a standing queue, or the peer's delayed ACKs); later the path takes 30.
  const t = establish(40);
  t.now = 100;
  t.user.send(new Uint8Array(smss));
  assert.deepEqual(sent(t), ['0']);
  t.now = 140;
  ack(t, 1, [], 100);
  assert.equal(t.c.info().minRtt, 40);
  t.now = 200;
  t.user.send(new Uint8Array(5 * smss));
  assert.deepEqual(sent(t), ['1', '2', '3', '4', '5']);
  // Segment 1 is lost; the peer SACKs 2–4 (40 ms): DupThresh SACKed, reo_wnd 0, retransmitted at once.
  t.now = 240;
  ack(t, 1, [[2, 3]], 200);
  ack(t, 1, [[2, 4]], 200);
  assert.deepEqual(ack(t, 1, [[2, 5]], 200), ['1R']);
  // The retransmission fills the hole and is ACKed 30 ms later (< min_RTT), the ACK echoing its TSval (240).
  t.now = 270;
  ack(t, 6, [], 240);
  assert.equal(t.c.info().caState, 'open');
  assert.equal(t.counts.TCPSACKReorder, undefined, 'the echo names the retransmission: it, not a late original, was delivered');
});

test('P2 RACK: after an RTO, an ACK for an earlier transmission (Eifel) is a lost or late ACK, not reordering', () => {
  const t = establish(40);
  t.now = 100;
  t.user.send(new Uint8Array(smss));
  assert.deepEqual(sent(t), ['0']);
  t.now = 140;
  ack(t, 1, [], 100);
  t.now = 200;
  t.user.send(new Uint8Array(4 * smss));
  assert.deepEqual(sent(t), ['1', '2', '3', '4']);
  t.now = 240;
  ack(t, 1, [[2, 3]], 200);
  ack(t, 1, [[2, 4]], 200);
  assert.deepEqual(ack(t, 1, [[2, 5]], 200), ['1R'], 'RACK: DupThresh SACKed, reo_wnd 0');
  // The retransmission arrives but its ACK is lost; the RTO sends segment 1 once more.
  t.advance(t.c.info().rto);
  assert.deepEqual(sent(t), ['1R']);
  assert.equal(t.counts.TCPTimeouts, 1);
  // A late ACK for the first retransmission (echoing its TSval, 240, older than the RTO's) covers everything.
  ack(t, 5, [], 240);
  assert.equal(t.counts.TCPSACKReorder, undefined, 'no data was reordered: only an ACK was lost');
});
