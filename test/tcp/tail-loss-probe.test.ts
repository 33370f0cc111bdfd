/**
 * Tail Loss Probe (RFC 8985 §7), as Linux by default: a silent flight is
 * probed after ~2·SRTT, and the probe's SACK starts fast recovery for the lost
 * tail instead of an RTO.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest, type TcpTest } from '../helpers/tcp-test.js';
import { BASE, MSS, ack, establishSackSender, seg, sent } from '../helpers/sack-sender.js';
import type { TcpConfig } from '../../src/tcp/config.js';
import { probeTimeout } from '../../src/tcp/tail-loss-probe.js';

// Our ISN is 1000, the peer's 5000. The peer offers MSS 1460 and SACK, no timestamps.
const RTT = 10;

/** Handshake, then one octet ACKed after 10 ms: SRTT is 10 ms. */
const establish = (cfg: Partial<TcpConfig> = {}): TcpTest => establishSackSender(RTT, cfg);

/** Ten segments go out; one RTT later the first seven are ACKed and the last three are lost. Returns the time of that ACK. */
function loseTailOfThree(t: TcpTest): number {
  t.user.send(new Uint8Array(10 * MSS));
  assert.equal(sent(t).length, 10);
  t.advance(RTT);
  ack(t, 7);
  assert.deepEqual(sent(t), [], 'nothing new to send: the application is done');
  const srtt = t.c.info().srtt;
  assert.equal(srtt, RTT, 'two 10 ms samples');
  assert.ok(t.c.info().rto >= 200, 'the RTO would wait 200 ms or more');
  return t.now;
}

test('P2 a lost tail of three segments is probed at 2·SRTT, and the SACK of the probe recovers the holes without an RTO', () => {
  const t = establish();
  const t0 = loseTailOfThree(t);
  // PTO = 2·SRTT + Linux's 2 ms cushion = 22 ms after the ACK.
  t.advance(2 * RTT - 1);
  assert.deepEqual(sent(t), [], 'no probe before 2·SRTT');
  t.advance(5);
  const probe = t.recv({ flags: 'ACK,PSH', seq: seg(9), len: MSS });
  assert.equal(probe.rtx, true, 'no new data: the last segment goes again (RFC 8985 §7.3)');
  const probeAt = t.now;
  assert.ok(probeAt - t0 >= 2 * RTT && probeAt - t0 <= 2 * RTT + 5, `probe ${probeAt - t0} ms after the last ACK`);
  assert.equal(t.counts.TCPLossProbes, 1);
  // One RTT later the peer SACKs the probe: segments 7 and 8 were sent more than a PTO before it and are still missing.
  t.advance(RTT);
  ack(t, 7, [[9, 10]]);
  // PRR (RFC 9937, as Linux's tcp_cwnd_reduction): this ACK delivered one segment and did not advance SND.UNA,
  // so one segment goes (the reduction bound, PRR-CRB), not both holes at once as RFC 6675 alone allowed.
  assert.deepEqual(sent(t), ['7R'], 'the first hole, by SACK recovery');
  assert.equal(t.c.info().caState, 'recovery');
  assert.equal(t.counts.TCPSackRecovery, 1);
  t.advance(RTT);
  // 7R arrives: SND.UNA advances (a "safe" ACK), PRR-SSRB releases the second hole.
  ack(t, 8, [[9, 10]]);
  assert.deepEqual(sent(t), ['8R'], 'the second hole, one ACK later');
  t.advance(RTT);
  ack(t, 10);
  assert.equal(t.c.info().caState, 'open');
  t.advance(2000);
  assert.deepEqual(sent(t), [], 'nothing more: all was delivered');
  assert.equal(t.counts.TCPTimeouts, undefined, 'no RTO fired');
  assert.equal(t.c.info().rtoExpirations, 0);
  assert.equal(t.counts.TCPLossProbes, 1, 'one probe');
});

test('P2 a cwnd-limited flight is probed with new data when the peer\'s window takes it (RFC 8985 §7.3)', () => {
  const t = establish({ initialCwnd: 2 });
  t.user.send(new Uint8Array(6 * MSS));
  assert.deepEqual(sent(t), ['0', '1'], 'cwnd allows two');
  t.advance(2 * RTT + 1);
  assert.deepEqual(sent(t), []);
  t.advance(1);
  const probe = t.recv({ flags: 'ACK', seq: seg(2), len: MSS });
  assert.notEqual(probe.rtx, true, 'new data, beyond cwnd');
  assert.equal(t.counts.TCPLossProbes, 1);
  // Segments 0 and 1 were lost; the peer SACKs the probe, and recovery starts with segment 0.
  t.advance(RTT);
  ack(t, 0, [[2, 3]]);
  assert.equal(sent(t)[0], '0R');
  assert.equal(t.c.info().caState, 'recovery');
  assert.equal(t.counts.TCPTimeouts, undefined);
});

test('P2 with one segment in flight the PTO adds the worst-case delayed ACK (RFC 8985 §7.2 WCDelAckT = tcp_rto_min, as Linux)', () => {
  // A variable path: SRTT 10 ms, then two slow answers (each just before the probe would go) raise RTTVAR
  // so that the RTO lies beyond 2·SRTT + 200 ms and the allowance shows.
  const t = establish();
  let next = BASE;
  for (const wait of [199, 236]) {
    t.user.send('a');
    t.recv({ flags: 'ACK,PSH', seq: next, len: 1 });
    t.advance(wait);
    next++;
    t.send({ flags: 'ACK', seq: 5001, ack: next, window: 65535 });
    t.recvNothing();
  }
  const { srtt, rto } = t.c.info();
  assert.ok(srtt !== undefined && rto > 2 * srtt + 200, `srtt ${srtt}, rto ${rto}`);
  const t0 = t.now;
  t.user.send('b');
  t.recv({ flags: 'ACK,PSH', seq: next, len: 1 });
  t.advance(2 * srtt + 200 - 1);
  assert.deepEqual(sent(t), [], 'not at 2·SRTT: the peer may be holding a delayed ACK');
  t.advance(2);
  const probe = t.recv({ flags: 'ACK,PSH', seq: next, len: 1 });
  assert.equal(probe.rtx, true);
  assert.ok(t.now - t0 < rto, 'before the RTO');
  assert.equal(t.counts.TCPLossProbes, 1);
  assert.equal(t.counts.TCPTimeouts, undefined);
});

test('P2 the PTO never lies beyond the RTO: with one segment in flight on a short path it fires when the RTO would', () => {
  const t = establish();
  t.user.send('a');
  t.recv({ flags: 'ACK,PSH', seq: BASE, len: 1 });
  const rto = t.c.info().rto;
  assert.equal(rto, 200, 'rtoMin');
  t.advance(rto - 1);
  assert.deepEqual(sent(t), []);
  t.advance(1);
  t.recv({ flags: 'ACK,PSH', seq: BASE, len: 1 });
  assert.equal(t.counts.TCPLossProbes, 1, 'the probe timer stands in for the RTO (as Linux: one timer)');
  assert.equal(t.counts.TCPTimeouts, undefined);
  // The probe restarted the RTO; unanswered, it fires one RTO later.
  t.advance(rto - 1);
  assert.deepEqual(sent(t), []);
  t.advance(1);
  t.recv({ flags: 'ACK,PSH', seq: BASE, len: 1 });
  assert.equal(t.counts.TCPTimeouts, 1);
  assert.equal(t.counts.TCPLossProbes, 1, 'one probe per flight');
});

test('P2 a duplicate ACK without SACK blocks (e.g. for an out-of-order FIN) does not stop the probe (Linux stays in CA_Open)', () => {
  const t = establish();
  const t0 = loseTailOfThree(t);
  ack(t, 7); // a duplicate: no SACK information
  assert.equal(t.c.info().caState, 'disorder');
  t.advance(2 * RTT + 2 - (t.now - t0));
  assert.deepEqual(sent(t), ['9R'], 'the probe, on time');
  assert.equal(t.counts.TCPLossProbes, 1);
});

test('P2 one probe per flight: an unanswered probe is followed by the RTO, not by another probe', () => {
  const t = establish();
  loseTailOfThree(t);
  t.advance(2 * RTT + 2);
  assert.deepEqual(sent(t), ['9R']);
  const rto = t.c.info().rto;
  t.advance(rto - 1);
  assert.deepEqual(sent(t), [], 'no second probe');
  t.advance(1);
  assert.deepEqual(sent(t), ['7R'], 'the RTO, one RTO after the probe');
  assert.equal(t.counts.TCPTimeouts, 1);
  assert.equal(t.counts.TCPLossProbes, 1);
});

test('P2 with tlp off the lost tail waits for the RTO', () => {
  const t = establish({ tlp: false });
  const t0 = loseTailOfThree(t);
  const rto = t.c.info().rto;
  t.advance(rto - 1);
  assert.deepEqual(sent(t), [], 'no probe');
  t.advance(1);
  assert.deepEqual(sent(t), ['7R']);
  assert.equal(t.now - t0, rto);
  assert.equal(t.counts.TCPTimeouts, 1);
  assert.equal(t.counts.TCPLossProbes, undefined);
});

test('P2 without SACK there is no probe (RFC 8985 §7 needs SACK), even with tlp on', () => {
  const t = tcpTest({ cfg: { sack: false, tlp: true } });
  t.establishActive();
  t.user.send(new Uint8Array(3 * MSS));
  assert.equal(t.out.splice(0).length, 3);
  const rto = t.c.info().rto;
  t.advance(rto - 1);
  t.recvNothing();
  t.advance(1);
  t.recv({ flags: 'ACK', seq: 1001, len: MSS });
  assert.equal(t.counts.TCPLossProbes, undefined);
  assert.equal(t.counts.TCPTimeouts, 1);
});

test('P2 probeTimeout: 2·SRTT + 2 ms, + WCDelAckT below two segments, 1 s without a sample, capped by the RTO', () => {
  const base = { mss: 1000, wcDelAck: 200, rtoLeft: 10_000 };
  assert.equal(probeTimeout({ ...base, srtt: 10, flight: 3000 }), 22);
  assert.equal(probeTimeout({ ...base, srtt: 10, flight: 1000 }), 220);
  assert.equal(probeTimeout({ ...base, srtt: 10, flight: 1999 }), 220, 'below two MSS a delayed ACK may hold the answer');
  assert.equal(probeTimeout({ ...base, srtt: 10, flight: 2000 }), 22);
  assert.equal(probeTimeout({ ...base, srtt: undefined, flight: 3000 }), 1000);
  assert.equal(probeTimeout({ ...base, srtt: 10, flight: 3000, rtoLeft: 15 }), 15);
  assert.equal(probeTimeout({ ...base, srtt: 10, flight: 3000, rtoLeft: -5 }), 0);
});
