/**
 * RACK time-based loss detection (RFC 8985 §6), as Linux by default on SACK
 * connections (tcp_recovery = 1): a segment is lost once a segment sent after
 * it is delivered and RACK.rtt + reo_wnd has passed since it was sent.
 * TCP-BEHAVIOR P2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest, type TcpTest } from '../helpers/tcp-test.js';
import { MSS, ack, establishSackSender, sent } from '../helpers/sack-sender.js';
import type { TcpConfig } from '../../src/tcp/config.js';
import { MAX_RACK_RECORDS, REO_WND_PERSIST, Rack, reorderingWindow, type RackAck } from '../../src/tcp/rack.js';
import { SackScoreboard } from '../../src/tcp/sack-scoreboard.js';

// Our ISN is 1000, the peer's 5000. The peer offers MSS 1460 and SACK, no timestamps.
/** The path's round trip: min_RTT / 4 = 10 ms is the reordering window. */
const RTT = 40;
const REO = RTT / 4;

/** Handshake, then one octet ACKed after RTT: SRTT and min_RTT are 40 ms. */
function establish(cfg: Partial<TcpConfig> = {}): TcpTest {
  const t = establishSackSender(RTT, cfg);
  assert.equal(t.c.info().minRtt, RTT);
  return t;
}

test('P2 RACK: a lost segment with one later segment SACKed is retransmitted at RACK.rtt + min_RTT/4, long before the RTO', () => {
  const t = establish();
  t.user.send(new Uint8Array(2 * MSS));
  assert.deepEqual(sent(t), ['0', '1']);
  const t0 = t.now;
  t.advance(RTT);
  ack(t, 0, [[1, 2]]); // segment 0 lost: one duplicate ACK, far below DupThresh
  assert.deepEqual(sent(t), [], 'not yet: segment 0 may only be reordered');
  assert.equal(t.c.info().caState, 'disorder');
  // Segment 0 was sent with segment 1; RACK.rtt is 40 ms; the reorder timer fires reo_wnd = 10 ms later.
  t.advance(REO - 1);
  assert.deepEqual(sent(t), []);
  t.advance(1);
  assert.deepEqual(sent(t), ['0R'], 'the RACK reordering timer (RFC 8985 §6.3)');
  assert.equal(t.now - t0, RTT + REO);
  assert.equal(t.c.info().caState, 'recovery');
  assert.equal(t.counts.TCPSackRecovery, 1);
  t.advance(RTT);
  ack(t, 2);
  assert.equal(t.c.info().caState, 'open');
  t.advance(2000);
  assert.deepEqual(sent(t), []);
  assert.equal(t.counts.TCPTimeouts, undefined, 'no RTO');
});

test('P2 with rack off, the same single loss with one SACKed segment waits for the RTO (DupThresh is not reached)', () => {
  const t = establish({ rack: false });
  t.user.send(new Uint8Array(2 * MSS));
  assert.deepEqual(sent(t), ['0', '1']);
  const t0 = t.now;
  const rto = t.c.info().rto;
  t.advance(RTT);
  ack(t, 0, [[1, 2]]);
  t.advance(rto - RTT - 1);
  assert.deepEqual(sent(t), []);
  t.advance(1);
  assert.deepEqual(sent(t), ['0R']);
  assert.equal(t.now - t0, rto);
  assert.equal(t.counts.TCPTimeouts, 1);
});

test('P2 RACK: two SACKed segments (too few for DupThresh) also recover at RACK.rtt + reo_wnd', () => {
  const t = establish();
  t.user.send(new Uint8Array(3 * MSS));
  assert.deepEqual(sent(t), ['0', '1', '2']);
  const t0 = t.now;
  t.advance(RTT);
  ack(t, 0, [[1, 2]]);
  ack(t, 0, [[1, 3]]);
  assert.deepEqual(sent(t), []);
  t.advance(REO - 1);
  assert.deepEqual(sent(t), []);
  t.advance(1);
  assert.deepEqual(sent(t), ['0R']);
  assert.equal(t.now - t0, RTT + REO);
  assert.equal(t.counts.TCPTimeouts, undefined);
});

test('P2 RACK without reordering seen: DupThresh SACKed segments make reo_wnd 0, and the loss is retransmitted at once', () => {
  const t = establish();
  t.user.send(new Uint8Array(5 * MSS));
  assert.equal(sent(t).length, 5);
  t.advance(RTT);
  ack(t, 0, [[1, 2]]);
  ack(t, 0, [[1, 3]]);
  assert.deepEqual(sent(t), []);
  ack(t, 0, [[1, 4]]);
  assert.deepEqual(sent(t), ['0R'], 'RFC 8985 §6.2 step 4: as fast as DupThresh when no reordering was ever seen');
});

/** One flight of `n` segments where segment 0 arrives `late` ms after the rest; returns what we sent meanwhile. */
function reorderedFlight(t: TcpTest, first: number, n: number, late: number): string[] {
  t.user.send(new Uint8Array(n * MSS));
  assert.equal(sent(t).length, n);
  t.advance(RTT);
  for (let k = 1; k < n; k++) ack(t, first, [[first + 1, first + 1 + k]]);
  const out = sent(t);
  t.advance(late);
  out.push(...sent(t));
  ack(t, first + n);
  out.push(...sent(t));
  return out;
}

test('P2 RACK: reordering by less than reo_wnd costs no retransmission, and once seen it holds back even DupThresh duplicate ACKs', () => {
  const t = establish();
  // Segment 0 arrives 8 ms after segments 1 and 2 (reo_wnd is 10 ms): no retransmission, reordering detected.
  assert.deepEqual(reorderedFlight(t, 0, 3, REO - 2), []);
  assert.equal(t.counts.TCPSACKReorder, 1, 'RFC 8985 §6.2 step 3: delivered below RACK.fack, never retransmitted');
  assert.equal(t.c.info().caState, 'open');
  // Now five segments overtake the first of the next flight by 8 ms: four duplicate ACKs, beyond DupThresh,
  // yet RACK knows the path reorders and waits reo_wnd before calling the segment lost.
  t.advance(RTT);
  assert.deepEqual(reorderedFlight(t, 3, 6, REO - 2), [], 'no spurious retransmission');
  assert.equal(t.counts.TCPSACKReorder, 2);
  assert.equal(t.counts.TCPSackRecovery, undefined, 'no recovery entered');
  assert.equal(t.c.info().totalRetrans, 0);
  t.advance(2000);
  assert.deepEqual(sent(t), []);
});

test('P2 RACK: once reordering was seen, a real loss behind DupThresh SACKed segments is retransmitted reo_wnd after RACK.rtt', () => {
  const t = establish();
  assert.deepEqual(reorderedFlight(t, 0, 3, 1), []);
  assert.equal(t.counts.TCPSACKReorder, 1);
  t.advance(RTT);
  t.user.send(new Uint8Array(6 * MSS));
  assert.equal(sent(t).length, 6); // segments 3–8
  const t0 = t.now;
  t.advance(RTT);
  for (let k = 1; k < 6; k++) ack(t, 3, [[4, 4 + k]]);
  assert.deepEqual(sent(t), [], 'five duplicate ACKs: DupThresh would have retransmitted at the third');
  t.advance(REO - 1);
  assert.deepEqual(sent(t), []);
  t.advance(1);
  assert.deepEqual(sent(t), ['3R']);
  assert.equal(t.now - t0, RTT + REO, 'xmit_ts + RACK.rtt + reo_wnd');
  assert.equal(t.counts.TCPTimeouts, undefined);
});

test('P2 RACK: a retransmission made needless by a late original (its ACK comes back faster than min_RTT) shows reordering too', () => {
  const t = establish();
  t.user.send(new Uint8Array(10 * MSS));
  assert.equal(sent(t).length, 10);
  t.advance(RTT);
  for (let k = 1; k < 4; k++) ack(t, 0, [[1, 1 + k]]);
  assert.deepEqual(sent(t), ['0R'], 'no reordering seen yet: DupThresh SACKed segments make reo_wnd 0');
  assert.equal(t.counts.TCPSACKReorder, undefined);
  t.advance(3);
  ack(t, 10); // 3 ms after the retransmission: the delayed original filled the hole
  assert.equal(t.counts.TCPSACKReorder, 1, 'reordering: the original arrived below RACK.fack');
  assert.equal(t.c.info().caState, 'open');
  // The next time segments overtake one, RACK waits reo_wnd instead of retransmitting at once.
  t.advance(RTT);
  t.user.send(new Uint8Array(5 * MSS));
  assert.equal(sent(t).length, 5);
  t.advance(RTT);
  for (let k = 1; k < 5; k++) ack(t, 10, [[11, 11 + k]]);
  t.advance(REO - 2);
  ack(t, 15);
  assert.deepEqual(sent(t), [], 'no spurious retransmission this time');
});

test('P2 RACK: a lost retransmission is found once data sent after it is SACKed, and sent again without an RTO', () => {
  const t = establish();
  t.user.send(new Uint8Array(20 * MSS));
  assert.equal(sent(t).length, 10); // segments 0–9, the initial window
  t.advance(RTT);
  ack(t, 0, [[1, 10]]); // segment 0 lost: nine SACKed, reo_wnd 0, recovery at once
  const first = sent(t);
  assert.equal(first[0], '0R');
  assert.ok(first.length > 1 && first.slice(1).every((s) => !s.endsWith('R')), `then new data: ${first.join(' ')}`);
  const lastNew = Number(first[first.length - 1]);
  // The retransmission is lost again; the new data sent with (after) it arrives.
  t.advance(RTT);
  ack(t, 0, [[1, lastNew + 1]]);
  const again = sent(t);
  assert.equal(again[0], '0R', `the retransmission, again: ${again.join(' ')}`);
  assert.equal(again.filter((s) => s.endsWith('R')).length, 1, 'only segment 0');
  assert.equal(t.counts.TCPLostRetransmit, 1);
  assert.equal(t.counts.TCPTimeouts, undefined);
  assert.equal(t.c.info().lostRetransmits, 0, 'the RFC 6675 fallback did not act');
});

test('P2 RACK: SACKs of data sent before a retransmission never mark it lost', () => {
  const t = establish();
  t.user.send(new Uint8Array(10 * MSS));
  assert.equal(sent(t).length, 10);
  t.advance(RTT);
  ack(t, 0, [[1, 5]]); // 0 lost, recovery: 0R
  assert.deepEqual(sent(t), ['0R']);
  t.advance(1);
  ack(t, 0, [[1, 10]]); // the rest of the first flight, all sent before 0R
  assert.deepEqual(sent(t).filter((s) => s.endsWith('R')), [], 'no second retransmission of 0');
  assert.equal(t.counts.TCPLostRetransmit, undefined);
});

test('P2 RACK is not used without SACK: DupThresh and NewReno decide (RFC 5681, 6582)', () => {
  const t = tcpTest({ cfg: { sack: false, rack: true } });
  t.establishActive();
  t.user.send(new Uint8Array(5 * MSS));
  assert.equal(t.out.splice(0).length, 5);
  for (let k = 0; k < 2; k++) t.send({ flags: 'ACK', seq: 5001, ack: 1001, window: 65535 });
  t.advance(100);
  t.recvNothing();
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, window: 65535 });
  t.recv({ flags: 'ACK', seq: 1001, len: MSS }); // the third duplicate ACK
  assert.equal(t.counts.TCPRenoRecovery, 1);
});

// ───────────── the RACK object directly ─────────────

function rackAck(now: number, una: number, blocks?: Array<[number, number]>, extra: Partial<RackAck> = {}): RackAck {
  return { now, una, blocks, echoedAt: undefined, minRtt: RTT, srtt: RTT, inRecovery: false, dupThresh: 3, ...extra };
}

test('P2 RACK reo_wnd grows by min_RTT/4 per round trip with a D-SACK and falls back after 16 recoveries (RFC 8985 §6.2 step 4)', () => {
  const sb = new SackScoreboard();
  const rack = new Rack(() => sb);
  rack.onSend(0, 100, 0);
  rack.onSend(100, 200, 0);
  sb.update([[100, 200]], 0, 200);
  rack.onAck(rackAck(RTT, 0, [[100, 200]]));
  assert.equal(rack.reorderingWindow, REO);
  assert.equal(rack.at, RTT + REO, 'segment 0 is judged at xmit_ts + RACK.rtt + reo_wnd');
  rack.onDsack(200);
  assert.equal(rack.reoWndMult, 2);
  rack.onDsack(200);
  assert.equal(rack.reoWndMult, 2, 'one step per round trip');
  rack.onTimeout(rackAck(RTT + REO, 0));
  assert.equal(rack.reorderingWindow, 2 * REO);
  assert.equal(rack.lostBytes, 0, 'not lost yet: the window grew');
  assert.equal(rack.at, RTT + 2 * REO);
  // The round ends when SND.UNA passes SND.NXT as it was at the D-SACK; the next D-SACK grows the window again.
  rack.onSend(200, 300, RTT + REO);
  rack.onAck(rackAck(RTT + 2 * REO, 200));
  rack.onDsack(300);
  assert.equal(rack.reoWndMult, 3);
  // reo_wnd never exceeds SRTT.
  for (let k = 0; k < 10; k++) {
    rack.onAck(rackAck(100 + k, 300));
    rack.onDsack(300);
  }
  assert.equal(rack.reoWndMult, 13);
  assert.equal(reorderingWindow({ reorderingSeen: true, inRecovery: false, segsSacked: 0, dupThresh: 3, mult: 13, minRtt: RTT, srtt: RTT }), RTT);
  // Sixteen recoveries without a D-SACK reset it.
  for (let k = 1; k < REO_WND_PERSIST; k++) rack.onRecoveryEnd();
  assert.equal(rack.reoWndMult, 13);
  rack.onRecoveryEnd();
  assert.equal(rack.reoWndMult, 1);
});

test('P2 RACK reorderingWindow: 0 in recovery or at DupThresh SACKed until reordering is seen; min_RTT/4 otherwise', () => {
  const base = { reorderingSeen: false, inRecovery: false, segsSacked: 1, dupThresh: 3, mult: 1, minRtt: 40, srtt: 60 };
  assert.equal(reorderingWindow(base), 10);
  assert.equal(reorderingWindow({ ...base, inRecovery: true }), 0);
  assert.equal(reorderingWindow({ ...base, segsSacked: 3 }), 0);
  assert.equal(reorderingWindow({ ...base, segsSacked: 3, inRecovery: true, reorderingSeen: true }), 10);
  assert.equal(reorderingWindow({ ...base, minRtt: undefined }), 15, 'SRTT stands in before min_RTT');
  assert.equal(reorderingWindow({ ...base, minRtt: undefined, srtt: undefined }), 0);
});

test('P2 RACK: a retransmission acknowledged faster than min_RTT is taken for the original and gives no RTT (RFC 8985 §6.2 step 2)', () => {
  const sb = new SackScoreboard();
  const rack = new Rack(() => sb);
  rack.onSend(0, 100, 0);
  rack.onSend(100, 200, 0);
  rack.onSend(200, 300, 0);
  rack.onSend(0, 100, 100); // retransmission of the first
  rack.onAck(rackAck(110, 100)); // 10 ms later, below min_RTT: the original's ACK
  assert.equal(rack.rtt, undefined, 'ambiguous sample skipped');
  // The timestamp rule: TSecr echoes a time before the retransmission.
  rack.onSend(100, 200, 120);
  rack.onAck(rackAck(200, 200, undefined, { echoedAt: 0 }));
  assert.equal(rack.rtt, undefined);
  rack.onSend(200, 300, 210);
  rack.onAck(rackAck(260, 300, undefined, { echoedAt: 210 }));
  assert.equal(rack.rtt, 50, 'a retransmission the timestamp proves is a valid sample');
});

test('P2 RACK: a cumulative ACK echoing the original\'s TSval, older than the retransmission, shows reordering (as Linux tcp_packet_delayed)', () => {
  const sb = new SackScoreboard();
  const counts: string[] = [];
  const rack = new Rack(() => sb, (c) => counts.push(c));
  for (let k = 0; k < 5; k++) rack.onSend(k * 100, k * 100 + 100, 0);
  sb.update([[100, 500]], 0, 500);
  rack.onAck(rackAck(RTT, 0, [[100, 500]]));
  assert.equal(rack.lostBytes, 100, 'four SACKed, no reordering seen: lost at once');
  rack.onSend(0, 100, RTT); // the retransmission
  rack.onAck(rackAck(RTT + 30, 500, undefined, { minRtt: 20, echoedAt: 0 })); // 30 ms ≥ min_RTT, but the echo is the original's
  assert.deepEqual(counts, ['TCPSACKReorder']);
  assert.equal(rack.reorderingSeen, true);
  assert.equal(rack.rtt, RTT, 'and no RTT sample from it');
});

test('P2 RACK: segments SACKed again after an RTO cleared the scoreboard are not taken for reordering', () => {
  const sb = new SackScoreboard();
  const counts: string[] = [];
  const rack = new Rack(() => sb, (c) => counts.push(c));
  for (let k = 0; k < 3; k++) rack.onSend(k * 100, k * 100 + 100, 0);
  sb.update([[100, 300]], 0, 300);
  rack.onAck(rackAck(RTT, 0, [[100, 300]]));
  assert.equal(rack.segsSacked, 2);
  // The RTO: the connection forgets its scoreboard (RFC 2018 §8) and resends segment 0; the peer SACKs 1–2 again.
  sb.clear();
  rack.onRto();
  rack.onSend(0, 100, 300);
  sb.update([[100, 300]], 0, 300);
  rack.onAck(rackAck(310, 0, [[100, 300]]));
  assert.deepEqual(counts, [], 'no reordering');
  assert.equal(rack.segsSacked, 2);
});

test('P2 RACK: a record SACKed below a higher island is delivered, and a lost one SACKed late is not retransmitted', () => {
  const sb = new SackScoreboard();
  const rack = new Rack(() => sb);
  for (let k = 0; k < 6; k++) rack.onSend(k * 100, k * 100 + 100, 0);
  // Two islands: 1 and 3–5. Segment 1 lies below a higher island, which must not hide that it is all SACKed.
  sb.update([[100, 200], [300, 600]], 0, 600);
  rack.onAck(rackAck(RTT, 0, [[300, 600], [100, 200]]));
  assert.equal(rack.segsSacked, 4);
  assert.deepEqual(rack.nextLost(0), { seq: 0, end: 100 }, 'DupThresh SACKed, no reordering seen: 0 and 2 are lost');
  // Segment 0's original arrives late and is SACKed while still marked lost (not retransmitted yet).
  sb.update([[0, 200]], 0, 600);
  rack.onAck(rackAck(RTT + 1, 0, [[0, 200]]));
  assert.deepEqual(rack.nextLost(0), { seq: 200, end: 300 }, 'only segment 2 is left to retransmit');
  rack.onSend(200, 300, RTT + 1);
  assert.equal(rack.nextLost(0), undefined, 'and once it went, nothing');
  assert.equal(rack.lostBytes, 0);
});

test('R9 RACK keeps at most MAX_RACK_RECORDS records, and none once everything is acknowledged', () => {
  const sb = new SackScoreboard();
  const rack = new Rack(() => sb);
  for (let k = 0; k < MAX_RACK_RECORDS + 1000; k++) rack.onSend(k, k + 1, k);
  assert.equal(rack.records, MAX_RACK_RECORDS);
  // The last record absorbed the overflow, with the latest send time: nothing is judged lost early.
  sb.update([[MAX_RACK_RECORDS + 999, MAX_RACK_RECORDS + 1000]], 0, MAX_RACK_RECORDS + 1000);
  rack.onAck(rackAck(MAX_RACK_RECORDS + 1000 + RTT, 0, [[MAX_RACK_RECORDS + 999, MAX_RACK_RECORDS + 1000]]));
  assert.equal(rack.segsSacked, 0, 'the merged record is only partly SACKed');
  rack.onAck(rackAck(MAX_RACK_RECORDS + 2000, MAX_RACK_RECORDS + 1000));
  assert.equal(rack.records, 0);
  assert.equal(rack.lostBytes, 0);
});
