import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findScenario } from '../../src/sim/catalogue.js';
import { errors, path, run, segments, seqDiff } from './doc-helpers.js';

test('spurious-rto-undo: the delay spike fires the RTO, the echo of the original TSval undoes it, B D-SACKs the needless retransmission; both ends close normally', () => {
  const doc = run('spurious-rto-undo');
  const dataA = segments(doc, 'A').filter((s) => s.len > 0);
  assert.ok(dataA.every((s) => !s.dropped), 'nothing is lost: only delayed');
  const rtx = dataA.filter((s) => s.rtx);
  assert.equal(rtx.length, 1, 'one retransmission: the RTO resends the first segment of the burst, nothing else');
  const burst = dataA.filter((s) => !s.rtx && s.t < rtx[0]!.t);
  assert.equal(rtx[0]!.seq, burst[0]!.seq);
  assert.ok(rtx[0]!.t - burst[0]!.t >= 200, 'at the RTO (rtoMin 200 ms), not earlier');
  assert.equal(rtx[0]!.note, 'duplicate → D-SACK', 'B takes the retransmission for the duplicate it is');
  // B: the first ACK after the RTO acknowledges the originals; A finds the RTO spurious by the echo.
  const acksB = segments(doc, 'B').filter((s) => s.t > rtx[0]!.t && s.len === 0 && s.flags === 'ACK');
  assert.equal(acksB[0]!.note, 'spurious RTO undone, by Eifel');
  // B's D-SACK: the first SACK block is the retransmitted segment, below the cumulative ACK (RFC 2883 §4).
  const dsack = acksB.find((s) => s.sack !== undefined);
  assert.ok(dsack, 'B sends a D-SACK');
  assert.deepEqual(dsack.sack, [[rtx[0]!.seq, rtx[0]!.seq + rtx[0]!.len]]);
  assert.ok(seqDiff(dsack.ack, dsack.sack![0]![1]) >= 0, 'below the ACK');
  assert.equal(dsack.note, 'D-SACK');
  // The undo restored cwnd: A's next write (6 segments) leaves in one flight, not in slow start from one segment.
  const later = dataA.filter((s) => s.t > dsack.t);
  assert.equal(later.length, 6);
  assert.ok(later.every((s) => s.t === later[0]!.t), `one flight: ${later.map((s) => s.t).join(' ')}`);
  assert.deepEqual(path(doc, 'A'), ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'TIME_WAIT', 'CLOSED']);
  assert.deepEqual(path(doc, 'B'), ['CLOSED', 'LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
  assert.deepEqual(errors(doc), []);
  assert.deepEqual(doc.settings, ['A: tail loss probes off (tlp: false), so that the delay spike meets the RTO itself']);
});

test('spurious-rto-undo: the counters on both ends say what happened (as Linux nstat would)', () => {
  const w = findScenario('spurious-rto-undo')!.run({ seed: 1 });
  const a = w.a.stats();
  const b = w.b.stats();
  assert.equal(a.TCPTimeouts, 1);
  assert.equal(a.TCPSpuriousRTOs, 1);
  assert.equal(a.TCPLossUndo, 1);
  assert.equal(a.TCPDSACKRecv, 1);
  assert.equal(a.TCPDSACKIgnoredNoUndo, 1, 'the D-SACK came after the undo');
  assert.equal(b.TCPDSACKOldSent, 1);
  for (const s of [a, b]) for (const k of ['TCPFullUndo', 'TCPPartialUndo', 'TCPDSACKUndo', 'TCPDSACKIgnoredDubious', 'TCPDSACKOfoSent'] as const) assert.equal(s[k], 0, k);
});
