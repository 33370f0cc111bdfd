import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors, path, run, segments } from './doc-helpers.js';

test('tail-loss-probe: the lost tail is probed at ~2×SRTT and repaired by SACK recovery, no RTO; both ends close normally', () => {
  const doc = run('tail-loss-probe');
  const dataA = segments(doc, 'A').filter((s) => s.len > 0);
  const lost = dataA.filter((s) => s.dropped);
  assert.equal(lost.length, 3, 'the last three data segments are lost');
  const lastFirstSend = Math.max(...dataA.filter((s) => !s.rtx).map((s) => s.t));
  const rtx = dataA.filter((s) => s.rtx);
  // The probe: the first retransmission, the last segment again, well before an RTO (≥ 200 ms) could fire.
  const probe = rtx[0]!;
  const highest = lost[lost.length - 1]!;
  assert.equal(probe.seq, highest.seq, 'the probe resends the last segment');
  assert.ok(probe.t - lastFirstSend < 200, `probe ${probe.t - lastFirstSend} ms after the burst: before any RTO`);
  // B answers the probe with SACK over the two holes; A then resends exactly those holes.
  const sackAfterProbe = segments(doc, 'B').find((s) => s.t > probe.t && s.sack !== undefined && s.sack.length > 0);
  assert.ok(sackAfterProbe, 'B SACKs the probe');
  const repairs = rtx.slice(1).filter((s) => s.t >= sackAfterProbe.t);
  assert.deepEqual(repairs.map((s) => s.seq), [lost[0]!.seq, lost[1]!.seq], 'the two holes, once each');
  assert.ok(repairs[0]!.t - probe.t < 200, 'the holes go one round trip after the probe, not at RTO');
  assert.equal(rtx.length, 3, 'no other retransmission: no RTO');
  assert.deepEqual(path(doc, 'A'), ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSED']);
  assert.deepEqual(path(doc, 'B'), ['CLOSED', 'LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
  assert.deepEqual(errors(doc), []);
});
