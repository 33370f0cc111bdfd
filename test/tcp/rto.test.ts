import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest } from '../helpers/tcp-test.js';
import { RtoEstimator } from '../../src/tcp/rto.js';

test('D4 RFC 6298 §2: RTO before any sample is the initial 1 s; the first sample R gives SRTT = R, RTTVAR = R/2, RTO = SRTT + 4·RTTVAR', () => {
  const r = new RtoEstimator(1000, 200, 120_000);
  assert.equal(r.rto, 1000);
  assert.equal(r.srtt, undefined);
  r.sample(100);
  assert.equal(r.srtt, 100);
  assert.equal(r.rttvar, 50);
  assert.equal(r.rto, 300);
  // §2.3: RTTVAR ← 3/4·RTTVAR + 1/4·|SRTT − R'|, then SRTT ← 7/8·SRTT + 1/8·R'.
  r.sample(200);
  assert.equal(r.rttvar, 0.75 * 50 + 0.25 * 100);
  assert.equal(r.srtt, 0.875 * 100 + 0.125 * 200);
  assert.equal(r.rto, 112.5 + 4 * 62.5);
});

test('D4 RFC 6298 §2.4–2.5: the RTO is bounded below (Linux 200 ms) and above (120 s), both configurable', () => {
  const r = new RtoEstimator(1000, 200, 120_000);
  r.sample(1);
  assert.equal(r.rto, 200, 'a 1 ms RTT still waits the 200 ms minimum');
  const fast = new RtoEstimator(1000, 20, 60_000);
  fast.sample(1);
  assert.equal(fast.rto, 20);
  const slow = new RtoEstimator(1000, 200, 5_000);
  slow.sample(10_000);
  assert.equal(slow.rto, 5_000);
});

test('D4 RFC 6298 §5.5: every expiry doubles the RTO up to the maximum; a new sample undoes the backoff', () => {
  const r = new RtoEstimator(1000, 200, 10_000);
  r.sample(100);
  const seen: number[] = [];
  for (let i = 0; i < 8; i++) {
    r.backoff();
    seen.push(r.rto);
  }
  assert.deepEqual(seen, [600, 1200, 2400, 4800, 9600, 10_000, 10_000, 10_000]);
  r.sample(100);
  assert.equal(r.backoffCount, 0);
  assert.ok(r.rto < 600);
});

test('D4 the RTO follows the measured RTT: data is retransmitted after SRTT + 4·RTTVAR, then with doubling', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.send('a');
  t.recv({ flags: 'PSH,ACK', seq: 1001, len: 1 });
  t.advance(100);
  t.send({ flags: 'ACK', seq: 5001, ack: 1002 }); // RTT 100 ms: RTO = 100 + 4·50 = 300
  assert.equal(t.c.info().srtt, 100);
  assert.equal(t.c.info().rto, 300);
  t.user.send('b');
  t.recv({ flags: 'PSH,ACK', seq: 1002, len: 1 });
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    while (t.out.length === 0) t.advance(1);
    t.recv({ flags: 'PSH,ACK', seq: 1002, len: 1 });
    times.push(t.now);
  }
  assert.deepEqual(times, [100 + 300, 100 + 300 + 600, 100 + 300 + 600 + 1200]);
});

test("D4 Karn's rule (RFC 6298 §3): the ACK of a retransmitted segment gives no RTT sample", () => {
  const t = tcpTest();
  t.establishActive();
  t.user.send('x');
  t.recv({ flags: 'PSH,ACK', seq: 1001 });
  t.advance(1000);
  t.recv({ flags: 'PSH,ACK', seq: 1001 }); // RTO
  t.advance(50);
  t.send({ flags: 'ACK', seq: 5001, ack: 1002 }); // original or retransmission? Unknown: no sample
  assert.equal(t.c.info().srtt, undefined);
  assert.equal(t.c.info().backoff, 1, 'the backed-off RTO stays until a valid sample');
  // The next, never-retransmitted segment is timed again.
  t.user.send('y');
  t.recv({ flags: 'PSH,ACK', seq: 1002 });
  t.advance(30);
  t.send({ flags: 'ACK', seq: 5001, ack: 1003 });
  assert.equal(t.c.info().srtt, 30);
  assert.equal(t.c.info().backoff, 0);
});

test('D8 with timestamps every ACK that advances SND.UNA is an RTT sample (RFC 7323 §4.1), even for retransmitted data', () => {
  const t = tcpTest({ cfg: { timestamps: true } });
  t.user.connect();
  t.recv({ flags: 'SYN' });
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, options: { mss: 1460, ts: { val: 1, ecr: 0 } } });
  t.recv({ flags: 'ACK' });
  t.user.send('x');
  t.recv({ flags: 'PSH,ACK', seq: 1001 });
  t.advance(1000);
  const rtx = t.recv({ flags: 'PSH,ACK', seq: 1001 }); // RTO, TSval 1000
  assert.equal(rtx.options.ts?.val, 1000);
  t.advance(40);
  // The peer echoes the retransmission's TSval: an unambiguous 40 ms sample.
  t.send({ flags: 'ACK', seq: 5001, ack: 1002, options: { ts: { val: 2, ecr: 1000 } } });
  assert.equal(t.c.info().srtt, 40);
  assert.equal(t.c.info().backoff, 0);
  assert.equal(t.c.info().minRtt, 40);
});

test('D4 too many retransmissions of data abort the connection with ETIMEDOUT (tcp_retries2)', () => {
  const t = tcpTest({ cfg: { retries2: 4 } });
  t.establishActive();
  t.user.send('lost forever');
  t.recv({ flags: 'PSH,ACK', seq: 1001 });
  let elapsed = 0;
  for (const gap of [1000, 2000, 4000, 8000]) {
    t.advance(gap);
    elapsed += gap;
    t.recv({ flags: 'PSH,ACK', seq: 1001 });
  }
  t.advance(15_999);
  t.expectState('ESTABLISHED');
  t.advance(1);
  t.expectState('CLOSED');
  assert.equal(elapsed + 16_000, 31_000);
  assert.deepEqual(t.errors(), ['ETIMEDOUT']);
  t.recvNothing();
});

test('D4 the RTO bounds come from the configuration (rtoMin, rtoMax)', () => {
  const t = tcpTest({ cfg: { rtoMin: 50, rtoMax: 400 } });
  t.establishActive();
  t.user.send('a');
  t.recv({ flags: 'PSH,ACK' });
  t.advance(2);
  t.send({ flags: 'ACK', seq: 5001, ack: 1002 });
  assert.equal(t.c.info().rto, 50, 'SRTT 2 + 4·1 = 6 ms, raised to rtoMin');
  t.user.send('b');
  t.recv({ flags: 'PSH,ACK' });
  const gaps: number[] = [];
  let last = t.now;
  for (let i = 0; i < 5; i++) {
    while (t.out.length === 0) t.advance(1);
    t.out.length = 0;
    gaps.push(t.now - last);
    last = t.now;
  }
  assert.deepEqual(gaps, [50, 100, 200, 400, 400]);
});

test('D4 RFC 6298 §5.7: after a SYN timed out and no RTT sample came, data starts with an RTO of 3 s (as Linux TCP_TIMEOUT_FALLBACK)', () => {
  const t = tcpTest();
  t.user.connect();
  t.recv({ flags: 'SYN', seq: 1000 });
  t.advance(1000);
  t.recv({ flags: 'SYN', seq: 1000 }); // the SYN timed out
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001 }); // Karn: no sample from this exchange
  t.recv({ flags: 'ACK' });
  t.user.send('data');
  t.recv({ flags: 'PSH,ACK', seq: 1001, len: 4 });
  t.advance(2999);
  t.recvNothing();
  t.advance(1);
  t.recv({ flags: 'PSH,ACK', seq: 1001, len: 4 });
});

test('D4 RFC 6298 §5.7 applies only after a SYN timeout: a clean handshake keeps the 1 s initial RTO', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.send('data');
  t.recv({ flags: 'PSH,ACK', seq: 1001, len: 4 });
  t.advance(1000);
  t.recv({ flags: 'PSH,ACK', seq: 1001, len: 4 });
});
