import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest, type TcpTest } from '../helpers/tcp-test.js';
import type { TcpConfig } from '../../src/tcp/config.js';
import type { TcpOptions } from '../../src/wire/tcp-options.js';
import { Cubic } from '../../src/tcp/cubic.js';
import { NewReno } from '../../src/tcp/newreno.js';

// P3 spurious retransmissions detected (Eifel, RFC 3522; D-SACK, RFC 2883/3708) and their congestion response
// undone, as Linux (undo.ts). Our ISN is 1000, the peer's 5000; MSS 1460; SACK negotiated; with `ts`, timestamps
// too: our TSval is the virtual time in ms, so a TSecr says which transmission the peer's ACK answers.

const MSS = 1460;
let smss = MSS; // payload per segment: 1448 with timestamps (set by establish)
const seg = (k: number) => 1001 + smss * k;
const T0 = 5; // connect at t = 5 ms: TSval 0 would read as "no echo"

function establish(ts: boolean, cfg: Partial<TcpConfig> = {}): TcpTest {
  // DupThresh starts fast recovery in these scripts (rack off): RACK, with their zero RTT, would start it at the
  // first SACK; what is tested is the undo that follows, whichever detector started the recovery.
  const t = tcpTest({ cfg: { sack: true, timestamps: ts, tlp: false, rack: false, ...cfg } });
  t.now = T0;
  t.user.connect();
  t.recv({ flags: 'SYN', seq: 1000 });
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, window: 65535, options: { mss: MSS, sackPermitted: true, ...(ts ? { ts: { val: 7000, ecr: T0 } } : {}) } });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001 });
  smss = t.c.sndMss;
  return t;
}

let peerTs = 7001;
/** The peer ACKs up to segment `ackSeg` with SACK blocks (segment indices), echoing `ecr` when timestamps are on. */
function ack(t: TcpTest, ackSeg: number, blocks: Array<[number, number]> = [], ecr?: number): string[] {
  const options: TcpOptions = {};
  if (blocks.length > 0) options.sack = blocks.map(([a, b]) => [seg(a), seg(b)] as [number, number]);
  if (ecr !== undefined) options.ts = { val: peerTs++, ecr };
  t.send({ flags: 'ACK', seq: 5001, ack: seg(ackSeg), window: 65535, options });
  return t.out.splice(0).map((s) => `${(s.seq - 1001) / smss}${s.rtx ? 'R' : ''}`);
}

const cwndSegs = (t: TcpTest) => t.c.info().cwnd / smss;

/**
 * Four segments leave at t = 10 (TSval 10) and nothing comes back: the RTO resends segment 0, alone, and cwnd
 * collapses to one segment. Returns cwnd and ssthresh before, and the retransmission's TSval.
 */
function rtoFires(t: TcpTest): { cwnd: number; ssthresh: number; rtxTsval: number } {
  t.now = 10;
  t.user.send(new Uint8Array(4 * smss));
  assert.equal(t.out.splice(0).length, 4);
  const { cwnd, ssthresh, rto } = t.c.info();
  t.advance(rto + 1);
  const rtx = t.out.splice(0);
  assert.deepEqual(rtx.map((s) => `${(s.seq - 1001) / smss}${s.rtx ? 'R' : ''}`), ['0R']);
  assert.equal(cwndSegs(t), 1);
  assert.equal(t.c.info().caState, 'loss');
  return { cwnd, ssthresh, rtxTsval: rtx[0]!.options.ts?.val ?? 0 };
}

/**
 * Ten segments leave at t = 10 (TSval 10); segment 0 is missing at the peer: three duplicate ACKs SACKing 1–3
 * at t = 30 (echoing TSval 10 with timestamps) bring the fast retransmit of 0. Returns cwnd before it.
 */
function fastRetransmit(t: TcpTest, ts: boolean): number {
  t.now = 10;
  t.user.send(new Uint8Array(10 * smss));
  assert.equal(t.out.splice(0).length, 10);
  const before = t.c.info().cwnd;
  t.now = 30;
  const ecr = ts ? 10 : undefined;
  ack(t, 0, [[1, 2]], ecr);
  ack(t, 0, [[1, 3]], ecr);
  assert.deepEqual(ack(t, 0, [[1, 4]], ecr), ['0R'], 'fast retransmit at t = 30');
  assert.equal(t.c.info().caState, 'recovery');
  assert.ok(t.c.info().cwnd < before);
  return before;
}

test('P3 a spurious RTO is undone by Eifel: the first ACK after it echoes the original TSval (RFC 3522, RFC 4015)', () => {
  const t = establish(true);
  const before = rtoFires(t); // a delay spike: nothing comes back, the RTO fires
  const rtxAt = before.rtxTsval;
  assert.equal(rtxAt, 10 + t.c.info().rto / 2, 'the retransmission carries the TSval of its own time (RTO backed off since)');
  // The delayed originals arrive; the peer's ACK echoes their TSval (10), older than the retransmission's.
  const sent = ack(t, 4, [], 10);
  assert.equal(t.c.info().caState, 'open');
  assert.equal(t.c.info().cwnd, before.cwnd, 'cwnd as before the RTO');
  assert.equal(t.c.info().ssthresh, before.ssthresh, 'ssthresh as before (still infinite: slow start never ended)');
  assert.equal(t.counts.TCPLossUndo, 1);
  assert.equal(t.counts.TCPSpuriousRTOs, 1);
  assert.deepEqual(sent, [], 'nothing is resent after the undo (go-back-N stops)');
  // Then the needless retransmission reaches the peer: it is D-SACKed (the undo already happened).
  ack(t, 4, [[0, 1]], rtxAt);
  assert.equal(t.counts.TCPDSACKRecv, 1);
  assert.equal(t.counts.TCPDSACKIgnoredNoUndo, 1);
  assert.equal(t.counts.TCPDSACKUndo, undefined);
});

test('P3 a genuine loss is not undone: the ACK after the RTO echoes the retransmission, cwnd stays collapsed', () => {
  const t = establish(true);
  const rtxAt = rtoFires(t).rtxTsval;
  ack(t, 4, [], rtxAt); // the retransmission filled the hole: the peer echoes its TSval
  assert.ok(cwndSegs(t) <= 3, `slow start from the loss window: cwnd ${cwndSegs(t)} segments`);
  assert.equal(t.counts.TCPLossUndo, undefined);
  assert.equal(t.counts.TCPSpuriousRTOs, undefined);
  assert.ok(t.c.info().ssthresh < 4 * smss, 'ssthresh was cut');
});

test('P3 without timestamps a spurious RTO is undone once every retransmission is D-SACKed (Linux undo_retrans)', () => {
  const t = establish(false, { congestionControl: 'newreno' });
  const before = rtoFires(t).cwnd;
  // A D-SACK for the retransmitted segment 0 together with the cumulative ACK of all four.
  ack(t, 4, [[0, 1]]);
  assert.equal(t.counts.TCPDSACKRecv, 1);
  assert.equal(t.counts.TCPLossUndo, 1);
  assert.equal(t.counts.TCPSpuriousRTOs, 1);
  assert.equal(t.c.info().cwnd, before);
});

test('P3 fast recovery caused by reordering is undone at the full ACK when it echoes the original (TCPFullUndo)', () => {
  const t = establish(true, { congestionControl: 'newreno' });
  const before = fastRetransmit(t, true);
  t.now = 32;
  ack(t, 10, [], 10); // segment 0's original arrives late: every segment acknowledged, echoing TSval 10 < 30
  assert.equal(t.counts.TCPFullUndo, 1);
  assert.equal(t.counts.TCPSpuriousRTOs, undefined, 'no RTO involved');
  assert.equal(t.c.info().cwnd, before);
  assert.equal(t.c.info().caState, 'open');
});

test('P3 fast recovery after reordering, no timestamps: D-SACK of the retransmission after the full ACK undoes it (TCPDSACKUndo)', () => {
  const t = establish(false, { congestionControl: 'newreno' });
  const before = fastRetransmit(t, false);
  ack(t, 10); // the original of segment 0 arrives: full ACK; without timestamps nothing says it was not the retransmission
  assert.equal(t.c.info().caState, 'open');
  assert.ok(t.c.info().cwnd < before, 'recovery ended with the reduced window');
  assert.equal(t.counts.TCPFullUndo, undefined);
  ack(t, 10, [[0, 1]]); // then the retransmission arrives and is D-SACKed
  assert.equal(t.counts.TCPDSACKRecv, 1);
  assert.equal(t.counts.TCPDSACKUndo, 1);
  assert.equal(t.c.info().cwnd, before);
});

test('P3 a partial ACK of the original (Eifel) with no retransmission in flight undoes fast recovery (TCPPartialUndo)', () => {
  const t = establish(true, { congestionControl: 'newreno' });
  const before = fastRetransmit(t, true);
  t.now = 32;
  ack(t, 5, [[6, 7]], 10); // the original 0 arrives (0–4 acked), 5 still missing: a partial ACK echoing TSval 10
  assert.equal(t.counts.TCPPartialUndo, 1);
  assert.equal(t.c.info().cwnd, before);
  assert.notEqual(t.c.info().caState, 'recovery');
});

test('P3 a genuine fast-recovery loss is not undone: the full ACK echoes the retransmission', () => {
  const t = establish(true, { congestionControl: 'newreno' });
  const before = fastRetransmit(t, true);
  t.now = 50;
  ack(t, 10, [], 30);
  assert.equal(t.c.info().caState, 'open');
  assert.equal(t.c.info().cwnd, Math.max(Math.floor((10 * smss) / 2), 2 * smss), 'NewReno: cwnd = ssthresh = FlightSize/2');
  assert.ok(t.c.info().cwnd < before);
  for (const k of ['TCPFullUndo', 'TCPPartialUndo', 'TCPDSACKUndo', 'TCPLossUndo', 'TCPSpuriousRTOs'] as const) assert.equal(t.counts[k], undefined, k);
});

test('P3 a D-SACK for data never retransmitted is dubious and ignored; a D-SACK inside the second block counts as TCPDSACKOfoRecv', () => {
  const t = establish(false);
  t.user.send(new Uint8Array(6 * smss));
  t.out.length = 0;
  ack(t, 2, [[0, 1]]); // "duplicate" of segment 0, which we sent once only (a network duplicate, or a lying peer)
  assert.equal(t.counts.TCPDSACKRecv, 1);
  assert.equal(t.counts.TCPDSACKIgnoredDubious, 1);
  ack(t, 2, [[3, 4], [3, 5]]);
  assert.equal(t.counts.TCPDSACKOfoRecv, 1);
  assert.equal(t.counts.TCPDSACKIgnoredDubious, 2, 'still more duplicates than retransmissions');
  assert.equal(t.c.info().sacked, 2 * smss, 'the blocks still SACK what they cover');
});

test('P3 congestion controllers undo to the window before the reduction (Linux tcp_undo_cwnd_reduction; RFC 9438 §4.9)', () => {
  const c = new Cubic(MSS, 10);
  for (let i = 0; i < 20; i++) c.onAck(MSS, i);
  const prior = { cwnd: c.cwnd, ssthresh: Math.floor((c.cwnd * 3) / 4) };
  const wmax = c.wmax;
  c.onLoss(c.cwnd, 100);
  assert.ok(c.cwnd < prior.cwnd);
  c.undo(prior);
  assert.equal(c.cwnd, prior.cwnd);
  assert.equal(c.ssthresh, prior.ssthresh);
  assert.equal(c.wmax, wmax, 'W_max as before the event');
  const r = new NewReno(MSS, 10);
  r.onRto(10 * MSS);
  r.undo({ cwnd: 10 * MSS, ssthresh: Number.MAX_SAFE_INTEGER });
  assert.equal(r.cwnd, 10 * MSS);
  assert.equal(r.ssthresh, Number.MAX_SAFE_INTEGER);
  r.undo({ cwnd: 2 * MSS, ssthresh: 2 * MSS });
  assert.equal(r.cwnd, 10 * MSS, 'undo never lowers the window');
});
