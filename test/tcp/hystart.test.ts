/**
 * P4 HyStart++ (RFC 9406) in the initial slow start: the RFC's rules on
 * scripted RTT samples, then whole transfers over the MemoryLink in virtual time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CSS_GROWTH_DIVISOR, CSS_ROUNDS, HyStartPlusPlus, N_RTT_SAMPLE } from '../../src/tcp/hystart.js';
import type { ConnCounter } from '../../src/tcp/events.js';
import { Cubic, NewReno } from '../../src/tcp/congestion.js';
import { runSlowStart } from '../../bench/slow-start.js';

const MSS = 1448;

/**
 * Feeds HyStart++ one round trip at a time: round r acknowledges [W_r, W_r + n) and SND.NXT stands at
 * W_{r+1} = W_r + 1000, so the first ACK of each round reaches the last round's SND.NXT (RFC 9406 §4.2 windowEnd).
 */
class Rounds {
  private w = 1;
  readonly counts: ConnCounter[] = [];
  readonly h = new HyStartPlusPlus((c) => this.counts.push(c));

  /** One round with these RTT samples (ms); returns the phase after each ACK, and 'CA' where CSS ended. */
  round(rtts: number[]): string[] {
    const out: string[] = [];
    rtts.forEach((rtt, i) => {
      const ca = this.h.onAck({ ack: this.w + i, sndNxt: this.w + 1000, rtt });
      out.push(ca ? 'CA' : this.h.phase);
    });
    this.w += 1000;
    return out;
  }
}

const flat = (rtt: number, n = 12): number[] => Array.from({ length: n }, () => rtt);

test('P4 HyStart++: with a fixed RTT slow start goes on, round after round (RFC 9406 §4.2)', () => {
  const r = new Rounds();
  for (let k = 0; k < 20; k++) assert.deepEqual(new Set(r.round(flat(40))), new Set(['slow-start']));
  assert.equal(r.h.growthDivisor, 1);
  assert.deepEqual(r.counts, []);
});

test('P4 HyStart++: a round whose least RTT rose by RttThresh enters CSS after N_RTT_SAMPLE samples, counted as TCPHystartDelayDetect', () => {
  const r = new Rounds();
  r.round(flat(40));
  r.round(flat(40));
  // lastRoundMinRTT 40 ms → RttThresh = clamp(40/8, 4, 16) = 5 ms. 44.9 ms is not enough.
  assert.deepEqual(new Set(r.round(flat(44.9))), new Set(['slow-start']));
  // Now the last round's least RTT is 44.9 (RttThresh 5.6): a rise to 51 ms is decided on the 8th sample, not before.
  const phases = r.round(flat(51));
  assert.deepEqual(phases.slice(0, N_RTT_SAMPLE - 1), Array(N_RTT_SAMPLE - 1).fill('slow-start'));
  assert.equal(phases[N_RTT_SAMPLE - 1], 'css');
  assert.equal(r.h.growthDivisor, CSS_GROWTH_DIVISOR);
  assert.deepEqual(r.counts, ['TCPHystartDelayDetect']);
});

test('P4 HyStart++: RttThresh is lastRoundMinRTT/8 clamped to [4 ms, 16 ms]', () => {
  const cases: Array<[number, number]> = [
    [10, 4], // 10/8 = 1.25 → MIN_RTT_THRESH
    [80, 10], // 80/8
    [400, 16], // 400/8 = 50 → MAX_RTT_THRESH
  ];
  for (const [base, thresh] of cases) {
    const below = new Rounds();
    below.round(flat(base));
    assert.equal(below.round(flat(base + thresh - 0.01)).at(-1), 'slow-start', `${base} ms + just under ${thresh}`);
    const at = new Rounds();
    at.round(flat(base));
    assert.equal(at.round(flat(base + thresh)).at(-1), 'css', `${base} ms + ${thresh}`);
  }
});

test('P4 HyStart++: CSS goes back to slow start when a round\'s least RTT falls below the CSS baseline (a spurious exit)', () => {
  const r = new Rounds();
  r.round(flat(40));
  r.round(flat(50)); // CSS, baseline 50 ms
  assert.equal(r.h.phase, 'css');
  // The next round: 7 lower samples are not enough to judge; the 8th is.
  const phases = r.round(flat(45));
  assert.deepEqual(phases.slice(0, N_RTT_SAMPLE - 1), Array(N_RTT_SAMPLE - 1).fill('css'));
  assert.equal(phases[N_RTT_SAMPLE - 1], 'slow-start');
  assert.equal(r.h.growthDivisor, 1);
  // Slow start with HyStart++ again: a new rise enters CSS again.
  r.round(flat(56));
  assert.equal(r.h.phase, 'css');
  assert.deepEqual(r.counts, ['TCPHystartDelayDetect', 'TCPHystartDelayDetect']);
});

test('P4 HyStart++: CSS lasts CSS_ROUNDS rounds, then congestion avoidance (ssthresh = cwnd) — in both controllers', () => {
  const r = new Rounds();
  r.round(flat(40));
  r.round(flat(50)); // CSS entered in this round: the first of CSS_ROUNDS
  for (let k = 1; k < CSS_ROUNDS; k++) assert.deepEqual(new Set(r.round(flat(52))), new Set(['css']), `CSS round ${k + 1}`);
  assert.equal(r.round(flat(52))[0], 'CA', 'the next round starts in congestion avoidance');
  assert.equal(r.h.phase, 'done');

  // The controllers: CSS grows cwnd by a quarter of slow start's increase; its end sets ssthresh = cwnd.
  for (const make of [(h: HyStartPlusPlus) => new Cubic(MSS, 10, h), (h: HyStartPlusPlus) => new NewReno(MSS, 10, h)]) {
    const h = new HyStartPlusPlus();
    const cc = make(h);
    let w = 1;
    const roundOf = (rtt: number): void => {
      for (let i = 0; i < 12; i++) cc.onAck(2 * MSS, 0, rtt, { ack: w + i, sndNxt: w + 1000, rtt });
      w += 1000;
    };
    roundOf(40);
    const beforeCss = cc.cwnd;
    roundOf(50); // 7 ACKs of slow start (+2 MSS each), then 5 in CSS (+2 MSS / 4 each)
    assert.ok(Math.abs(cc.cwnd - beforeCss - (7 * 2 * MSS + (5 * 2 * MSS) / CSS_GROWTH_DIVISOR)) < 2, `${cc.name}: CSS grows at a quarter`);
    assert.equal(cc.ssthresh, Number.MAX_SAFE_INTEGER);
    for (let k = 1; k < CSS_ROUNDS; k++) roundOf(52);
    const cwnd = cc.cwnd;
    cc.onAck(2 * MSS, 0, 52, { ack: w, sndNxt: w + 1000, rtt: 52 });
    assert.equal(cc.ssthresh, cwnd, `${cc.name}: ssthresh = cwnd at CSS exit`);
  }
});

test('P4 HyStart++ only runs in the initial slow start: after a loss the next slow start stops at ssthresh alone (RFC 9406 §4.3)', () => {
  const r = new Rounds();
  r.round(flat(40));
  r.h.onCongestion();
  assert.equal(r.h.phase, 'done');
  assert.deepEqual(new Set(r.round(flat(80))), new Set(['done']));
  assert.deepEqual(r.counts, []);
});

// Whole transfers over a rate-limited MemoryLink with a drop-tail queue, in virtual time (bench/slow-start.ts).
const PATH = { rateMbps: 10, rttMs: 40, queueBdp: 4, seconds: 1, congestionControl: 'cubic' as const };

test('P4 HyStart++: as the queue builds and the RTT rises, slow start leaves into CSS before the first loss, and loses fewer packets', () => {
  const on = runSlowStart({ ...PATH, hystart: true });
  const off = runSlowStart({ ...PATH, hystart: false });
  assert.equal(on.hystartDelayDetect, 1);
  assert.ok(on.cssAtMs !== undefined && (on.firstLossMs === undefined || on.cssAtMs < on.firstLossMs), `CSS at ${on.cssAtMs} ms, first loss at ${on.firstLossMs} ms`);
  assert.equal(off.hystartDelayDetect, 0);
  assert.ok(off.lostInFirstSlowStart > 2 * on.lostInFirstSlowStart, `lost in the first slow start: ${off.lostInFirstSlowStart} without, ${on.lostInFirstSlowStart} with HyStart++`);
});

test('P4 HyStart++: on a path with a fixed RTT (no queue builds) slow start continues to the receive window', () => {
  const r = runSlowStart({ rateMbps: 0, rttMs: 40, queueBdp: 0, seconds: 0.25, congestionControl: 'cubic', hystart: true });
  assert.equal(r.hystartDelayDetect, 0);
  assert.equal(r.lostTotal, 0);
  assert.equal(r.slowStartEndMs, undefined, 'ssthresh never set');
  assert.ok(r.cwndNow >= 500, `cwnd ${r.cwndNow} segments after 0.25 s: still doubling every round trip`);
});
