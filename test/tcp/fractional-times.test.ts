/**
 * Issue 11: RTT and RACK times are kept in number fields (a sentinel for "none", undefined shown through accessors)
 * so that V8 updates them in place. What they hold must not change: fractional milliseconds (a RealClock's, a
 * virtual clock's on a rate-limited link) come out exactly as they went in, "none" is undefined, and RACK's
 * decisions over such times (RFC 8985 §6.2: RACK.rtt, min_RTT, the reordering timer) are the RFC's arithmetic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rack, RackInputs, type RackAck } from '../../src/tcp/rack.js';
import { RtoEstimator } from '../../src/tcp/rto.js';
import { SackScoreboard } from '../../src/tcp/sack-scoreboard.js';

test('RFC 6298 over fractional samples: SRTT is undefined before the first, then exactly the RFC’s smoothing, and the RTO bound follows it', () => {
  const r = new RtoEstimator(1000, 0.5, 120_000);
  assert.equal(r.srtt, undefined);
  r.fallbackAfterSynLoss();
  assert.equal(r.rto, 3000, '§5.7 applies only while no sample arrived');
  r.sample(10.375);
  assert.equal(r.srtt, 10.375);
  assert.equal(r.rttvar, 10.375 / 2);
  r.sample(0.0625);
  const srtt = 0.875 * 10.375 + 0.125 * 0.0625;
  const rttvar = 0.75 * (10.375 / 2) + 0.25 * Math.abs(10.375 - 0.0625);
  assert.equal(r.srtt, srtt);
  assert.equal(r.rttvar, rttvar);
  assert.equal(r.rto, srtt + 4 * rttvar);
  r.fallbackAfterSynLoss();
  assert.equal(r.rto, srtt + 4 * rttvar, 'a sample was taken: no 3 s fallback');
  r.sample(0); // a 0 ms sample is a sample (≥ 0), not "none"
  assert.equal(r.srtt, 0.875 * srtt);
});

test('RACK over fractional send and ACK times: RACK.rtt, min_RTT and the reordering timer are the exact differences, undefined before any', () => {
  const sb = new SackScoreboard();
  const rack = new Rack(() => sb);
  assert.equal(rack.rtt, undefined);
  assert.equal(rack.minRtt, undefined);
  assert.equal(rack.at, undefined);
  assert.equal(rack.sackedSentAt, undefined);
  rack.onSend(0, 100, 0.25);
  rack.onSend(100, 200, 0.5);
  rack.onSend(200, 300, 0.75);
  sb.update([[200, 300]], 0, 300);
  const a = new RackInputs();
  a.now = 10.875;
  a.una = 0;
  a.blocks = [[200, 300]];
  a.minRtt = undefined;
  a.srtt = 10.125;
  assert.equal(a.minRtt, undefined);
  assert.equal(a.echoedAt, undefined);
  assert.equal(rack.onAck(a), 0, 'within reo_wnd: nothing lost yet');
  assert.equal(rack.rtt, 10.875 - 0.75);
  assert.equal(rack.minRtt, 10.875 - 0.75);
  assert.equal(rack.sackedSentAt, 0.75);
  // Not a DupThresh of SACKed segments yet, no reordering seen: reo_wnd = min_RTT / 4 (≤ SRTT); the timer is armed
  // for when the last of the two records below would be lost: its send time + RACK.rtt + reo_wnd (RFC 8985 §6.3).
  const reo = (10.875 - 0.75) / 4;
  assert.equal(rack.reorderingWindow, reo);
  assert.equal(rack.at, 0.5 + (10.875 - 0.75) + reo);
  // The timer fires: both holes are lost.
  const t: Omit<RackAck, 'blocks' | 'echoedAt'> = { now: rack.at!, una: 0, minRtt: undefined, srtt: 10.125, inRecovery: false, dupThresh: 3 };
  assert.equal(rack.onTimeout(t), 2);
  assert.equal(rack.at, undefined);
  rack.at = 12.5;
  assert.equal(rack.at, 12.5);
  rack.minRtt = undefined;
  assert.equal(rack.minRtt, undefined);
});
