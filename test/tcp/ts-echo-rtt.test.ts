/**
 * RTT samples from TSecr (RFC 7323 §4.1 RTTM) only for an echo of a TSval
 * this connection can have sent. An ACK whose ACK field is acceptable (within
 * SND.UNA..SND.MAX, RFC 5961 §5) but whose TSecr is arbitrary — corrupted by
 * a middlebox, or spoofed — gave a sample of up to 2^31 ms: SRTT of days, the
 * RTO pinned at its 120 s maximum, and every loss after it cost two minutes.
 * Fuzz case 1118446931 (one spoofed ACK: the RTO became 120 s and the sender
 * went silent for 2 minutes) and 2488605185 (SRTT 1.16·10^8 ms: the transfer
 * did not finish in 30 minutes). Linux prefers the RTT measured from its own
 * send times to TSecr ("broken middle-boxes or peers may corrupt TS-ECR
 * fields", tcp_ack_update_rtt) and drops a TSecr sample of 2^31 µs or more
 * (tcp_rtt_tsopt_us); synack measures from TSecr, so it checks the echo
 * instead: not before the connection's first TSval, not after now.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest, type TcpTest } from '../helpers/tcp-test.js';
import { tsEchoRtt } from '../../src/tcp/ts-echo.js';

const TS_OFFSET = 1_000_000_000;

/** Established at t = 0 with timestamps (our TSval = now + TS_OFFSET); a first clean 20 ms sample; 'x' then in flight at t = 30. */
function established(): TcpTest {
  const t = tcpTest({ cfg: { timestamps: true, tsOffset: TS_OFFSET } });
  t.user.connect();
  t.recv({ flags: 'SYN', options: { mss: 1460, ts: { val: TS_OFFSET, ecr: 0 } } });
  t.advance(20);
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, options: { mss: 1460, ts: { val: 7, ecr: TS_OFFSET } } });
  t.recv({ flags: 'ACK' });
  assert.equal(t.c.info().srtt, 20);
  t.advance(10);
  t.user.send('xy');
  t.recv({ flags: 'PSH,ACK', seq: 1001, len: 2 });
  return t;
}

test('an ACK echoing a TSecr from before the connection existed gives no RTT sample (the RTO stays put; SND.UNA still advances)', () => {
  const t = established();
  const rto = t.c.info().rto;
  t.advance(5);
  // ACK field acceptable (one of the two octets), TSecr 10^8 ms older than the connection's first TSval.
  t.send({ flags: 'ACK', seq: 5001, ack: 1002, options: { ts: { val: 8, ecr: TS_OFFSET - 100_000_000 } } });
  assert.equal(t.c.sndUna, 1002);
  assert.equal(t.c.info().srtt, 20);
  assert.equal(t.c.info().rto, rto);
  // The second octet is lost: it goes again after the RTO of a 20 ms path, not after 120 s.
  t.advance(rto);
  t.recv({ flags: 'PSH,ACK', seq: 1002, len: 1 });
});

test('an ACK echoing a TSecr from the future gives no RTT sample', () => {
  const t = established();
  t.advance(5);
  t.send({ flags: 'ACK', seq: 5001, ack: 1003, options: { ts: { val: 8, ecr: TS_OFFSET + 1_000_000 } } });
  assert.equal(t.c.sndUna, 1003);
  assert.equal(t.c.info().srtt, 20, 'no 0 ms sample either');
});

test('an echo of a TSval we did send is a sample, the first one (the SYN) included', () => {
  const t = established();
  t.advance(15);
  // Echo of the TSval at t = 30 (when 'xy' went out): 15 ms.
  t.send({ flags: 'ACK', seq: 5001, ack: 1003, options: { ts: { val: 8, ecr: TS_OFFSET + 30 } } });
  assert.equal(t.c.sndUna, 1003);
  assert.equal(t.c.info().srtt, 20 + (15 - 20) / 8);
  assert.equal(t.c.info().minRtt, 15);
});

test('tsEchoRtt: the age of an echo between the first TSval and now, across 2^32; undefined outside', () => {
  for (const first of [1000, 0xffff_fff0]) {
    const ts = (d: number): number => (first + d) >>> 0;
    const now = ts(500);
    assert.equal(tsEchoRtt(ts(0), now, first), 500);
    assert.equal(tsEchoRtt(ts(480), now, first), 20);
    assert.equal(tsEchoRtt(now, now, first), 0);
    assert.equal(tsEchoRtt(ts(-1), now, first), undefined, 'before the first TSval');
    assert.equal(tsEchoRtt(ts(501), now, first), undefined, 'after now');
    assert.equal(tsEchoRtt(ts(-0x7000_0000), now, first), undefined, 'far in the past');
  }
});

test('receive autotuning: a full-sized data segment echoing a TSecr we never sent gives no receiver RTT (ss -i rcv_rtt)', () => {
  const t = tcpTest({ cfg: { timestamps: true, tsOffset: TS_OFFSET, mss: 1460 } });
  t.user.connect();
  t.recv({ flags: 'SYN', options: { mss: 1460, ts: { val: TS_OFFSET, ecr: 0 } } });
  t.advance(20);
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, options: { mss: 1460, ts: { val: 7, ecr: TS_OFFSET } } });
  t.recv({ flags: 'ACK' });
  t.advance(10);
  const full = new Uint8Array(1448);
  // TSecr 10^8 ms before the connection's first TSval: read as an RTT it would be 10^8 ms.
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, payload: full, options: { ts: { val: 8, ecr: TS_OFFSET - 100_000_000 } } });
  assert.equal(t.c.info().rcvRtt, undefined, 'no sample');
  // A genuine echo (our TSval of 10 ms ago) is one.
  t.advance(10);
  t.send({ flags: 'ACK', seq: 5001 + 1448, ack: 1001, payload: full, options: { ts: { val: 9, ecr: TS_OFFSET + 30 } } });
  assert.equal(t.c.info().rcvRtt, 10);
});
