import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest, type TcpTest } from '../helpers/tcp-test.js';
import type { TcpConfig } from '../../src/tcp/config.js';

// P4 PRR (RFC 9937, obsoleting RFC 6937; Linux tcp_cwnd_reduction) during fast recovery, with SACK and without.
// Our ISN is 1000, the peer's 5000; the peer offers MSS 1460 and SACK, no timestamps.
const MSS = 1460;
const seg = (k: number) => 1001 + MSS * k;

function establishSack(cfg: Partial<TcpConfig> = {}): TcpTest {
  // DupThresh starts recovery here (rack off): these scripts time PRR's arithmetic per ACK, and with their zero
  // RTT RACK would start it at the first SACK (RFC 8985 §6.2, tested in rack.test.ts).
  const t = tcpTest({ cfg: { sack: true, rack: false, ...cfg } });
  t.user.connect();
  t.recv({ flags: 'SYN', seq: 1000 });
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, window: 65535, options: { mss: MSS, sackPermitted: true } });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001 });
  return t;
}

/** The peer ACKs `ackSeg` with SACK blocks (segment indices, [from, to)); returns what we sent: index, R for a retransmission. */
function sackAck(t: TcpTest, ackSeg: number, blocks: Array<[number, number]>): string[] {
  t.send({ flags: 'ACK', seq: 5001, ack: seg(ackSeg), window: 65535, options: { sack: blocks.map(([a, b]) => [seg(a), seg(b)] as [number, number]) } });
  return t.out.splice(0).map((s) => `${(s.seq - 1001) / MSS}${s.rtx ? 'R' : ''}`);
}

/** 20 segments in flight (initial window 20, NewReno so ssthresh = FlightSize/2 is a whole number of segments). */
function flightOf20(): TcpTest {
  const t = establishSack({ congestionControl: 'newreno', initialCwnd: 20 });
  t.user.send(new Uint8Array(44 * MSS));
  assert.equal(t.out.splice(0).length, 20);
  return t;
}

test('P4 PRR: after one loss, each SACK releases ssthresh/RecoverFS of what it delivered (RFC 9937 proportional part)', () => {
  const t = flightOf20();
  // Segment 0 is lost, 1..19 arrive. The first two SACKs release one new segment each (20, 21): no recovery yet.
  assert.deepEqual(sackAck(t, 0, [[1, 2]]), ['20']);
  assert.deepEqual(sackAck(t, 0, [[1, 3]]), ['21']);
  // The third SACKed segment marks segment 0 lost (RFC 6675 IsLost): recovery with FlightSize 22, ssthresh 11,
  // RecoverFS = 22 in flight − 2 SACKed before this ACK = 20 segments.
  const perAck: number[] = [];
  const sent: string[] = [];
  for (let k = 3; k < 20; k++) {
    const s = sackAck(t, 0, [[1, k + 1]]);
    perAck.push(s.length);
    sent.push(...s);
    const i = t.c.info();
    assert.equal(i.caState, 'recovery');
    assert.ok(i.pipe <= i.cwnd, `PRR never lets pipe exceed its window: ${k} ${i.pipe / MSS} ${i.cwnd / MSS}`);
  }
  assert.equal(t.c.info().ssthresh, 11 * MSS);
  // After k segments delivered, ⌈k·11/20⌉ segments may have been sent (the fast retransmission first),
  // as long as pipe > ssthresh; once pipe reaches ssthresh (the 17th SACK), nothing more.
  const expected = [];
  for (let k = 1; k <= 16; k++) expected.push(Math.ceil((k * 11) / 20) - Math.ceil(((k - 1) * 11) / 20));
  expected.push(0);
  assert.deepEqual(perAck, expected);
  assert.deepEqual(perAck, [1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0]);
  // No half-RTT silence: new data goes on the second ACK of recovery (RFC 6675 alone waits until pipe < cwnd = 11).
  assert.deepEqual(sent, ['0R', '22', '23', '24', '25', '26', '27', '28', '29']);
  // `ss` shows PRR's window: pipe + what this ACK allowed.
  assert.equal(t.c.info().cwnd, 11 * MSS);
});

test('P4 PRR: no burst when recovery ends — cwnd = ssthresh and the full ACK releases only what it delivered', () => {
  const t = flightOf20();
  sackAck(t, 0, [[1, 2]]);
  sackAck(t, 0, [[1, 3]]);
  for (let k = 3; k < 20; k++) sackAck(t, 0, [[1, k + 1]]);
  assert.equal(t.c.info().bytesInFlight, 30 * MSS, 'SND.UNA is still at 0; 22..29 went out during recovery');
  // The retransmission arrives: everything up to 22 is acknowledged, of which 0, 20 and 21 were not SACKed.
  const sent = sackAck(t, 22, []);
  const i = t.c.info();
  assert.equal(i.caState, 'open');
  assert.equal(i.cwnd, i.ssthresh);
  assert.deepEqual(sent, ['30', '31', '32'], 'three segments delivered, three sent');
  assert.equal(i.bytesInFlight, i.ssthresh, 'the flight ends recovery at ssthresh');
});

test('P4 PRR-SSRB: after heavy loss, ACKs that advance SND.UNA grow the flight back to ssthresh by one extra segment each', () => {
  const t = flightOf20();
  // Segments 0..13 are lost; 14..19 arrive.
  assert.deepEqual(sackAck(t, 0, [[14, 15]]), ['20']);
  assert.deepEqual(sackAck(t, 0, [[14, 16]]), ['21']);
  // Recovery: pipe = 22 − 3 SACKed − 14 lost = 5, far below ssthresh 11. The reduction bound applies:
  // RFC 6675 alone would send 6 segments at once here; PRR sends what was delivered.
  assert.deepEqual(sackAck(t, 0, [[14, 17]]), ['0R']);
  assert.equal(t.c.info().ssthresh, 11 * MSS);
  // SACK-only ACKs are not "safe" (SND.UNA does not move): PRR-CRB, one segment out per segment delivered.
  assert.deepEqual(sackAck(t, 0, [[14, 18]]), ['1R']);
  assert.deepEqual(sackAck(t, 0, [[14, 19]]), ['2R']);
  assert.deepEqual(sackAck(t, 0, [[14, 20]]), ['3R']);
  assert.equal(t.c.info().pipe, 6 * MSS);
  // Retransmissions arrive, each ACK advancing SND.UNA by one segment: PRR-SSRB sends it plus one, a slow
  // start that brings pipe up to ssthresh (6 → 11) and no further.
  const pipes: number[] = [];
  const counts: number[] = [];
  for (let a = 1; a <= 8; a++) {
    counts.push(sackAck(t, a, [[14, 20]]).length);
    pipes.push(t.c.info().pipe / MSS);
  }
  assert.deepEqual(counts, [2, 2, 2, 2, 2, 1, 1, 1]);
  assert.deepEqual(pipes, [7, 8, 9, 10, 11, 11, 11, 11]);
  assert.equal(t.c.info().caState, 'recovery');
});

test('P4 PRR: an RTO during recovery ends PRR; the loss state runs on the controller\'s window of one segment', () => {
  const t = flightOf20();
  sackAck(t, 0, [[1, 2]]);
  sackAck(t, 0, [[1, 3]]);
  sackAck(t, 0, [[1, 4]]);
  assert.equal(t.c.info().caState, 'recovery');
  t.advance(1000); // no more ACKs: the RTO (initial 1 s) fires
  const i = t.c.info();
  assert.equal(i.caState, 'loss');
  assert.equal(i.cwnd, MSS);
});

test('P4 PRR: recovery entered on a duplicate ACK that delivers nothing holds the flight where it is (fast retransmission only)', () => {
  const t = flightOf20();
  assert.deepEqual(sackAck(t, 0, [[1, 2]]), ['20']);
  assert.deepEqual(sackAck(t, 0, [[1, 3]]), ['21']);
  // The same SACK again (a duplicate ACK, RFC 6675 counts it): the third duplicate starts recovery, but
  // DeliveredData is 0, so PRR lets nothing new out (RFC 9937: an ACK delivering nothing changes nothing).
  assert.deepEqual(sackAck(t, 0, [[1, 3]]), ['0R']);
  const i = t.c.info();
  assert.equal(i.caState, 'recovery');
  assert.equal(i.cwnd, i.pipe - MSS, 'the window is the pipe before the fast retransmission');
  // The next SACK delivers a segment: the proportional share (⌈1·11/20⌉ = 1) is already used by the retransmission.
  assert.deepEqual(sackAck(t, 0, [[1, 4]]), []);
  assert.deepEqual(sackAck(t, 0, [[1, 5]]), ['22']);
});

test('P4 PRR without SACK: each duplicate ACK counts as one segment delivered (as Linux\'s Reno sacked_out), with the same proportional pacing', () => {
  const t = tcpTest({ cfg: { congestionControl: 'newreno', initialCwnd: 20 } }); // no SACK
  t.establishActive();
  t.user.send(new Uint8Array(44 * MSS));
  assert.equal(t.out.splice(0).length, 20);
  const dup = (): string[] => {
    t.send({ flags: 'ACK', seq: 5001, ack: seg(0), window: 65535 });
    return t.out.splice(0).map((s) => `${(s.seq - 1001) / MSS}${s.rtx ? 'R' : ''}`);
  };
  // Limited transmit (RFC 3042) for the first two duplicates, then recovery: FlightSize 22, ssthresh 11,
  // RecoverFS = 22 − 2 segments shown delivered before = 20, as in the SACK case above.
  assert.deepEqual(dup(), ['20']);
  assert.deepEqual(dup(), ['21']);
  const perAck: number[] = [];
  for (let k = 3; k < 20; k++) perAck.push(dup().length);
  assert.deepEqual(perAck, [1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0]);
  // The retransmission arrives: the full ACK ends recovery with the flight at ssthresh, no burst.
  t.send({ flags: 'ACK', seq: 5001, ack: seg(22), window: 65535 });
  const sent = t.out.splice(0);
  const i = t.c.info();
  assert.equal(i.caState, 'open');
  assert.equal(i.cwnd, 11 * MSS);
  assert.equal(sent.length, 3);
  assert.equal(i.bytesInFlight, 11 * MSS);
});
