/**
 * P5 ECN (RFC 3168 §6.1), with Linux's default net.ipv4.tcp_ecn = 2 ('passive'): the handshake in
 * both directions, ECT(0) on new data only, the receiver's ECE latch until CWR, and the sender's
 * single cwnd reduction per window of data, announced with CWR.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest, type TcpTest } from '../helpers/tcp-test.js';
import type { TcpConfig } from '../../src/tcp/config.js';

const NOT_ECT = 0;
const ECT0 = 2;
const CE = 3;
const MSS = 1460;

/** Passive open where the peer's SYN asks for ECN (ECE+CWR); our SYN-ACK must say yes (ECE). */
function ecnPassive(cfg: Partial<TcpConfig> = {}): TcpTest {
  const t = tcpTest({ cfg });
  t.user.listen();
  t.send({ flags: 'SYN,ECE,CWR', seq: 5000, options: { mss: MSS } });
  t.recv({ flags: 'SYN,ACK,ECE', seq: 1000, ack: 5001, ecn: NOT_ECT });
  t.send({ flags: 'ACK', seq: 5001, ack: 1001 });
  t.expectState('ESTABLISHED');
  return t;
}

/** Active open with ecn 'on' (tcp_ecn = 1): our SYN asks, the peer's SYN-ACK accepts. */
function ecnActive(cfg: Partial<TcpConfig> = {}): TcpTest {
  const t = tcpTest({ cfg: { ecn: 'on', ...cfg } });
  t.user.connect();
  t.recv({ flags: 'SYN,ECE,CWR', seq: 1000, ecn: NOT_ECT });
  t.send({ flags: 'SYN,ACK,ECE', seq: 5000, ack: 1001, options: { mss: MSS } });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001, ecn: NOT_ECT });
  t.expectState('ESTABLISHED');
  return t;
}

test('P5 passive (tcp_ecn=2 default): a SYN with ECE+CWR gets a SYN-ACK with ECE; our data then carries ECT(0), pure ACKs do not', () => {
  const t = ecnPassive();
  assert.equal(t.c.info().options.ecn, true);
  t.user.send('hello');
  t.recv({ flags: 'PSH,ACK', seq: 1001, len: 5, ecn: ECT0 });
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 1006, payload: 'abc', ecn: ECT0 });
  t.recv({ flags: 'ACK', seq: 1006, ack: 5004, ecn: NOT_ECT });
  assert.equal(t.c.info().options.ecnSeen, true);
});

test('P5 passive: a SYN with ECE alone, a SYN with ECE+CWR sent ECT, or ecn off, all leave ECN off (RFC 3168 §6.1.1, Linux tcp_ecn_create_request)', () => {
  const cases: Array<{ what: string; flags: string; ecn?: number; cfg?: Partial<TcpConfig> }> = [
    { what: 'ECE only', flags: 'SYN,ECE' },
    { what: 'CWR only', flags: 'SYN,CWR' },
    { what: 'an ECT(0) SYN', flags: 'SYN,ECE,CWR', ecn: ECT0 },
    { what: "ecn: 'off' (tcp_ecn=0)", flags: 'SYN,ECE,CWR', cfg: { ecn: 'off' } },
    { what: 'no ECN asked', flags: 'SYN' },
  ];
  for (const c of cases) {
    const t = tcpTest({ cfg: c.cfg });
    t.user.listen();
    t.send({ flags: c.flags, seq: 5000, options: { mss: MSS }, ecn: c.ecn });
    t.recv({ flags: 'SYN,ACK', seq: 1000, ack: 5001 }); // no ECE (the helper compares ECE/CWR too)
    t.send({ flags: 'ACK', seq: 5001, ack: 1001 });
    assert.equal(t.c.info().options.ecn, false, c.what);
    t.user.send('x');
    t.recv({ flags: 'PSH,ACK', seq: 1001, len: 1, ecn: NOT_ECT });
    // Without ECN an ECE from the peer is no congestion signal.
    const cwnd = t.c.cc.cwnd;
    t.send({ flags: 'ACK,ECE', seq: 5001, ack: 1002 });
    assert.equal(t.c.cc.cwnd >= cwnd, true, c.what);
  }
});

test('P5 active: by default (tcp_ecn=2) the SYN does not ask; with ecn on (tcp_ecn=1) it carries ECE+CWR and a SYN-ACK with ECE turns ECN on', () => {
  const plain = tcpTest();
  plain.user.connect();
  plain.recv({ flags: 'SYN', seq: 1000, ecn: NOT_ECT });

  const t = ecnActive();
  assert.equal(t.c.info().options.ecn, true);
  t.user.send('data');
  t.recv({ flags: 'PSH,ACK', seq: 1001, len: 4, ecn: ECT0 });
});

test('P5 active: a SYN-ACK with ECE+CWR (a reflected SYN) or without ECE leaves ECN off (RFC 3168 §6.1.1, Linux tcp_ecn_rcv_synack)', () => {
  for (const flags of ['SYN,ACK,ECE,CWR', 'SYN,ACK', 'SYN,ACK,CWR']) {
    const t = tcpTest({ cfg: { ecn: 'on' } });
    t.user.connect();
    t.recv({ flags: 'SYN,ECE,CWR', seq: 1000 });
    t.send({ flags, seq: 5000, ack: 1001, options: { mss: MSS } });
    t.recv({ flags: 'ACK', seq: 1001, ack: 5001 });
    assert.equal(t.c.info().options.ecn, false, flags);
    t.user.send('data');
    t.recv({ flags: 'PSH,ACK', seq: 1001, len: 4, ecn: NOT_ECT });
  }
});

test('P5 active: a retransmitted SYN no longer asks for ECN (Linux tcp_ecn_fallback, RFC 3168 §6.1.1.1); a SYN-ACK with ECE still turns it on', () => {
  const t = tcpTest({ cfg: { ecn: 'on' } });
  t.user.connect();
  t.recv({ flags: 'SYN,ECE,CWR', seq: 1000 });
  t.advance(1000);
  t.recv({ flags: 'SYN', seq: 1000 });
  t.send({ flags: 'SYN,ACK,ECE', seq: 5000, ack: 1001, options: { mss: MSS } });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001 });
  assert.equal(t.c.info().options.ecn, true);
});

test('P5 simultaneous open: ECN only when both SYNs asked; the SYN-ACK then carries ECE', () => {
  const t = tcpTest({ cfg: { ecn: 'on' } });
  t.user.connect();
  t.recv({ flags: 'SYN,ECE,CWR', seq: 1000 });
  t.send({ flags: 'SYN,ECE,CWR', seq: 5000, options: { mss: MSS } });
  t.recv({ flags: 'SYN,ACK,ECE', seq: 1000, ack: 5001 });
  t.send({ flags: 'SYN,ACK,ECE', seq: 5000, ack: 1001, options: { mss: MSS } });
  t.expectState('ESTABLISHED');
  assert.equal(t.c.info().options.ecn, true);

  const u = tcpTest({ cfg: { ecn: 'on' } });
  u.user.connect();
  u.recv({ flags: 'SYN,ECE,CWR', seq: 1000 });
  u.send({ flags: 'SYN', seq: 5000, options: { mss: MSS } });
  u.recv({ flags: 'SYN,ACK', seq: 1000, ack: 5001 });
  assert.equal(u.c.info().options.ecn, false);
});

test('P5 no ECT on retransmissions (RFC 3168 §6.1.5) nor on zero-window probes (§6.1.6)', () => {
  const t = ecnActive();
  t.user.send('abc');
  t.recv({ flags: 'PSH,ACK', seq: 1001, len: 3, ecn: ECT0 });
  t.advance(1000); // RTO
  const rtx = t.recv({ flags: 'PSH,ACK', seq: 1001, len: 3, ecn: NOT_ECT });
  assert.equal(rtx.rtx, true);
  // The peer takes it and closes its window; the next data waits for the persist timer's probe.
  t.send({ flags: 'ACK', seq: 5001, ack: 1004, window: 0 });
  t.user.send('defg');
  t.recvNothing();
  t.advance(3000);
  t.recv({ flags: 'ACK', seq: 1004, len: 1, ecn: NOT_ECT }); // the one-octet probe
  // The window opens: the rest is new data again, ECT(0), and the first of it says CWR (the RTO cut cwnd, RFC 3168 §6.1.2).
  t.send({ flags: 'ACK', seq: 5001, ack: 1005, window: 65535 });
  t.recv({ flags: 'PSH,ACK,CWR', seq: 1005, len: 3, ecn: ECT0 });
});

test('P5 receiver: a CE mark sets ECE on every ACK until a CWR arrives, and the first CE is ACKed at once despite delayed ACKs (RFC 3168 §6.1.3, Linux tcp_ecn_check_ce)', () => {
  const t = ecnPassive({ delayedAck: true });
  const data = (seq: number, ecn: number, flags = 'ACK'): void => t.send({ flags, seq, ack: 1001, payload: 'x'.repeat(100), ecn });
  // An ECT(0) segment without congestion: the ACK is delayed as usual, and carries no ECE.
  data(5001, ECT0);
  t.recvNothing();
  t.advance(40);
  t.recv({ flags: 'ACK', ack: 5101 });
  // CE: ACK at once, with ECE.
  data(5101, CE);
  t.recv({ flags: 'ACK,ECE', ack: 5201 });
  // ECT(0) again, no CWR yet: the (delayed) ACK still carries ECE; so does our data.
  data(5201, ECT0);
  t.advance(40);
  t.recv({ flags: 'ACK,ECE', ack: 5301 });
  t.user.send('reply');
  t.recv({ flags: 'PSH,ACK,ECE', seq: 1001, len: 5, ecn: ECT0 });
  // CWR on data: the latch clears, and that ACK goes at once (the sender's window may be tiny).
  t.send({ flags: 'ACK,CWR', seq: 5301, ack: 1006, payload: 'x'.repeat(100), ecn: ECT0 });
  t.recv({ flags: 'ACK', ack: 5401 });
  data(5401, ECT0);
  t.advance(40);
  t.recv({ flags: 'ACK', ack: 5501 });
  // CWR and CE on the same segment: CWR clears the old latch, the new CE sets it again.
  t.send({ flags: 'ACK,CWR', seq: 5501, ack: 1006, payload: 'x'.repeat(100), ecn: CE });
  t.recv({ flags: 'ACK,ECE', ack: 5601 });
});

test('P5 receiver: without ECN negotiated, CE marks are ignored (no ECE)', () => {
  const t = tcpTest();
  t.establishPassive();
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, payload: 'x'.repeat(100), ecn: CE });
  t.recv({ flags: 'ACK', ack: 5101 });
});

test('P5 sender: ECE cuts cwnd once per window, with no retransmission; the next new data segment carries CWR (RFC 3168 §6.1.2)', () => {
  const t = ecnActive({ congestionControl: 'newreno', noDelay: true });
  t.user.send(new Uint8Array(30 * MSS));
  const first = t.out.splice(0);
  assert.equal(first.length, 10, 'the initial window: 10 segments');
  assert.ok(first.every((s) => s.ecn === ECT0 && !s.rtx));
  const flight = 10 * MSS;
  assert.equal(t.c.cc.cwnd, flight);

  // The peer saw CE: its ACK of the first two segments carries ECE. cwnd halves (NewReno: FlightSize/2), nothing is resent.
  t.send({ flags: 'ACK,ECE', seq: 5001, ack: 1001 + 2 * MSS });
  assert.equal(t.c.cc.ssthresh, flight / 2);
  assert.equal(t.c.cc.cwnd, flight / 2);
  t.recvNothing(); // 8 segments in flight > cwnd of 5
  assert.equal(t.counts.TCPDeliveredCE, 2);

  // Further ECEs for the same window change nothing (and cwnd does not grow meanwhile).
  t.send({ flags: 'ACK,ECE', seq: 5001, ack: 1001 + 6 * MSS });
  assert.equal(t.c.cc.cwnd, flight / 2);
  // 4 in flight, cwnd 5: one new segment, carrying CWR and ECT(0); the one after it no CWR.
  t.recv({ flags: 'ACK,CWR', seq: 1001 + 10 * MSS, len: MSS, ecn: ECT0 });
  t.recvNothing();
  t.send({ flags: 'ACK,ECE', seq: 5001, ack: 1001 + 7 * MSS });
  t.recv({ flags: 'ACK', seq: 1001 + 11 * MSS, len: MSS, ecn: ECT0 });
  assert.equal(t.c.cc.cwnd, flight / 2, 'still the same window: no second cut');

  // Once SND.UNA passes the end of that window, a new ECE is a new congestion event.
  t.send({ flags: 'ACK', seq: 5001, ack: 1001 + 10 * MSS });
  t.out.splice(0);
  const flightNow = t.c.info().bytesInFlight;
  t.send({ flags: 'ACK,ECE', seq: 5001, ack: 1001 + 11 * MSS });
  assert.equal(t.c.cc.ssthresh, Math.max(Math.floor(flightNow / 2), 2 * MSS));
  assert.equal(flightNow, 5 * MSS);
  t.recvNothing(); // 4 segments in flight, cwnd 2.5
  t.send({ flags: 'ACK', seq: 5001, ack: 1001 + 15 * MSS });
  t.recv({ flags: 'ACK,CWR', seq: 1001 + 15 * MSS, len: MSS, ecn: ECT0 });
  assert.equal(t.c.info().totalRetrans, 0, 'no retransmission at all');
});

test('P5 sender: an ECE while loss recovery runs does not cut cwnd again', () => {
  const t = ecnActive({ congestionControl: 'newreno', noDelay: true });
  t.user.send(new Uint8Array(10 * MSS));
  t.out.splice(0);
  // Three duplicate ACKs: fast retransmit, cwnd halves once.
  for (let i = 0; i < 3; i++) t.send({ flags: 'ACK', seq: 5001, ack: 1001 });
  const rtx = t.out.find((s) => s.rtx);
  assert.ok(rtx, 'fast retransmit');
  assert.equal(rtx.ecn ?? NOT_ECT, NOT_ECT, 'the retransmission is Not-ECT');
  const ssthresh = t.c.cc.ssthresh;
  t.send({ flags: 'ACK,ECE', seq: 5001, ack: 1001 });
  assert.equal(t.c.cc.ssthresh, ssthresh);
});
