/**
 * RACK's transmit records (rack.ts) on the data path: one typed array whose
 * delivered prefix is reclaimed in place, so a steady bulk flow neither grows
 * it nor allocates per ACK, and a split in the middle (a partial
 * retransmission) keeps every record where it belongs. R9, TCP-BEHAVIOR P2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rack, type RackAck } from '../../src/tcp/rack.js';
import { SackScoreboard } from '../../src/tcp/sack-scoreboard.js';

const MSS = 1000;

function ackInputs(): RackAck {
  return { now: 0, una: 0, blocks: undefined, echoedAt: undefined, minRtt: 10, srtt: 10, inRecovery: false, dupThresh: 3 };
}

/** The length of the records array (private): what the records cost in memory. */
const arrayLength = (rack: Rack): number => (rack as unknown as { r: Float64Array }).r.length;

test('R9 RACK records: a steady flight of 90 segments over 100 000 ACKs keeps one bounded array, and none once all is ACKed', () => {
  const sb = new SackScoreboard();
  const rack = new Rack(() => sb);
  const a = ackInputs();
  let nxt = 0;
  let una = 0;
  let now = 0;
  for (let i = 0; i < 90; i++, nxt += MSS) rack.onSend(nxt, nxt + MSS, now);
  let largest = 0;
  for (let k = 0; k < 100_000; k++) {
    now += 0.1;
    una += 2 * MSS;
    a.now = now;
    a.una = una;
    assert.equal(rack.onAck(a), 0);
    for (let j = 0; j < 2; j++, nxt += MSS) rack.onSend(nxt, nxt + MSS, now);
    largest = Math.max(largest, arrayLength(rack));
  }
  assert.equal(rack.records, 90);
  assert.ok(largest <= 2 * 128 * 5, `records array grew to ${largest} numbers`);
  a.una = nxt;
  rack.onAck(a);
  assert.equal(rack.records, 0);
  assert.equal(arrayLength(rack), 0, 'an idle connection holds no array');
});

test('P2 RACK records: a retransmission of part of a middle segment, with the array full, splits it and RACK still marks the right octets lost', () => {
  const sb = new SackScoreboard();
  const rack = new Rack(() => sb);
  // 16 segments fill the array exactly (it doubles from one record); the peer ACKs none yet.
  for (let i = 0; i < 16; i++) rack.onSend(i * MSS, (i + 1) * MSS, 0);
  assert.equal(rack.records, 16);
  // Part of segment 5 goes again at t = 5 (say after an MSS change): the record is cut in two, the array grows.
  rack.onSend(5 * MSS + 400, 6 * MSS, 5);
  assert.equal(rack.records, 17);
  // At t = 30 the peer SACKs segments 6–15, sent at 0: everything below them sent at 0 and still missing is lost
  // (RACK.rtt 30 ms, reo_wnd 0 at DupThresh SACKed); the retransmitted part, sent after them, is not.
  const a = ackInputs();
  a.now = 30;
  a.una = 0;
  a.blocks = [[6 * MSS, 16 * MSS]];
  sb.update(a.blocks, 0, 16 * MSS);
  assert.equal(rack.onAck(a), 6, 'segments 0–4 and the first 400 octets of 5');
  assert.equal(rack.lostBytes, 5 * MSS + 400);
  assert.deepEqual(rack.nextLost(0), { seq: 0, end: MSS });
  assert.deepEqual(rack.nextLost(5 * MSS), { seq: 5 * MSS, end: 5 * MSS + 400 });
  assert.equal(rack.nextLost(5 * MSS + 400), undefined, 'the retransmitted part is in flight, not lost');
});
