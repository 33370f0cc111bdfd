import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest } from '../helpers/tcp-test.js';
import { Cubic } from '../../src/tcp/cubic.js';
import { NewReno } from '../../src/tcp/newreno.js';
import { createCongestionControl, type CongestionControl } from '../../src/tcp/congestion.js';
import { resolveConfig } from '../../src/tcp/config.js';

const MSS = 1000;
const RTT = 100; // ms

/** Drive a controller through `rounds` round trips of a sender that always fills cwnd; returns cwnd (segments) per round. */
function rounds(cc: CongestionControl, from: number, n: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < n; r++) {
    const now = from + r * RTT;
    const segs = Math.floor(cc.cwnd / MSS);
    for (let i = 0; i < segs; i++) cc.onAck(MSS, now, RTT);
    out.push(cc.cwnd / MSS);
  }
  return out;
}

test('D7 CUBIC is the default congestion controller; the config selects NewReno', () => {
  assert.equal(resolveConfig({}).congestionControl, 'cubic');
  const t = tcpTest({ cfg: { congestionControl: undefined } });
  t.establishActive();
  assert.equal(t.c.info().congestionControl, 'cubic');
  const n = tcpTest({ cfg: { congestionControl: 'newreno' } });
  n.establishActive();
  assert.equal(n.c.info().congestionControl, 'newreno');
  assert.throws(() => resolveConfig({ congestionControl: 'bbr' as never }), RangeError);
});

test('D7 slow start doubles cwnd every round trip from the initial window of 10 segments (RFC 5681 §3.1, RFC 6928)', () => {
  for (const name of ['cubic', 'newreno'] as const) {
    const cc = createCongestionControl(name, MSS, 10);
    assert.equal(cc.cwnd, 10 * MSS);
    assert.deepEqual(rounds(cc, 0, 4), [20, 40, 80, 160], name);
  }
});

test('D7 NewReno congestion avoidance adds one segment per round trip (RFC 5681 §3.1)', () => {
  const cc = new NewReno(MSS, 10);
  cc.onLoss(40 * MSS); // ssthresh = cwnd = 20 segments
  assert.equal(cc.ssthresh, 20 * MSS);
  assert.deepEqual(rounds(cc, 0, 5), [21, 22, 23, 24, 25]);
});

test('D7 CUBIC window growth is concave below W_max and convex above it (RFC 9438 §4.2–4.5)', () => {
  const cc = new Cubic(MSS, 10);
  rounds(cc, 0, 4); // slow start to 160 segments
  cc.onLoss(100 * MSS, 1000); // a loss with 100 segments in flight…
  cc.onRecoveryEnd(1000);
  // …W_max is cwnd at the loss (fast convergence does not apply to the first one), cwnd = β·flight.
  assert.equal(cc.wmax, 160);
  assert.equal(cc.cwnd, 70 * MSS);
  const w = rounds(cc, 2000, 120); // 12 s of round trips
  const k = cc.kSeconds; // K = ∛(W_max·(1 − β)/C) … with cwnd_epoch = 70: ∛((160 − 70)/0.4)
  assert.ok(Math.abs(k - Math.cbrt((160 - 70) / 0.4)) < 1e-9);
  const kRound = Math.round((k * 1000) / RTT);
  const d = w.slice(1).map((x, i) => x - w[i]!);
  // Concave: the increments shrink on the way up to the plateau…
  for (let i = 2; i < kRound - 3; i++) assert.ok(d[i]! <= d[i - 1]! + 1e-9, `concave at round ${i}: ${d[i - 1]} then ${d[i]}`);
  // …convex: they grow again past it.
  for (let i = kRound + 3; i < d.length; i++) assert.ok(d[i]! >= d[i - 1]! - 1e-9, `convex at round ${i}: ${d[i - 1]} then ${d[i]}`);
  // The plateau sits at W_max around t = K.
  assert.ok(Math.abs(w[kRound]! - 160) < 160 * 0.03, `cwnd ${w[kRound]} at K ≈ W_max 160`);
  const slowest = d.indexOf(Math.min(...d.slice(1)));
  assert.ok(Math.abs(slowest - kRound) <= 2, `slowest growth at round ${slowest}, K at round ${kRound}`);
  // And above W_max it keeps accelerating.
  assert.ok(w[w.length - 1]! > 200);
});

test('D7 CUBIC fast convergence: a loss below the previous W_max lowers W_max further (RFC 9438 §4.7)', () => {
  const cc = new Cubic(MSS, 10);
  rounds(cc, 0, 3); // 80 segments
  cc.onLoss(80 * MSS, 0);
  assert.equal(cc.wmax, 80);
  cc.onRecoveryEnd(0); // cwnd 56
  cc.onLoss(56 * MSS, 100); // lost again before regaining W_max
  assert.equal(cc.wmax, (56 * (1 + 0.7)) / 2);
});

test('D7 CUBIC after an RTO: cwnd is one segment, ssthresh = β·flight, and growth restarts with K = 0 (RFC 9438 §4.8)', () => {
  const cc = new Cubic(MSS, 10);
  rounds(cc, 0, 2); // 40 segments
  cc.onRto(40 * MSS, 500);
  assert.equal(cc.cwnd, MSS);
  assert.equal(cc.ssthresh, 28 * MSS);
});

test('D7 restart after idle (RFC 5681 §4.1): after more than an RTO without sending, cwnd falls back to the initial window', () => {
  const t = tcpTest({ cfg: { congestionControl: 'newreno' } });
  t.establishActive(65535);
  t.user.send(new Uint8Array(10 * 1460));
  assert.equal(t.out.splice(0).length, 10);
  for (let k = 1; k <= 10; k++) t.send({ flags: 'ACK', seq: 5001, ack: 1001 + k * 1460, window: 65535 });
  assert.equal(t.c.info().cwnd, 20 * 1460, 'slow start grew the window');
  t.advance(10_000); // idle far longer than the RTO
  t.user.send(new Uint8Array(30 * 1460));
  assert.equal(t.out.splice(0).length, 10, 'only the restart window goes out');
  assert.equal(t.c.info().cwnd, 10 * 1460);
});

test('D7 an application-limited sender does not grow cwnd (RFC 7661, as Linux)', () => {
  const t = tcpTest({ cfg: { congestionControl: 'newreno' } });
  t.establishActive(65535);
  for (let i = 0; i < 20; i++) {
    t.user.send('ping');
    t.out.length = 0;
    t.send({ flags: 'ACK', seq: 5001, ack: t.c.sndNxt, window: 65535 });
  }
  assert.equal(t.c.info().cwnd, 10 * 1460);
});

test('D7 info() reports what `ss -ti` shows', () => {
  const t = tcpTest({ cfg: { timestamps: true, sack: true, windowScaling: true } });
  t.user.connect();
  t.recv({ flags: 'SYN' });
  t.advance(20);
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, options: { mss: 1460, sackPermitted: true, wscale: 7, ts: { val: 9, ecr: 0 } } });
  t.recv({ flags: 'ACK' });
  t.user.send(new Uint8Array(3000));
  t.out.length = 0;
  t.advance(20);
  t.send({ flags: 'ACK', seq: 5001, ack: 4001, options: { ts: { val: 10, ecr: 20 } }, payload: 'hello' });
  const i = t.c.info();
  assert.equal(i.congestionControl, 'cubic');
  assert.equal(i.caState, 'open');
  assert.equal(i.mss, 1460 - 12);
  assert.equal(i.advMss, 1460);
  assert.equal(i.srtt, 20);
  assert.equal(i.minRtt, 20);
  assert.equal(i.bytesAcked, 3000);
  assert.equal(i.bytesSent, 3000);
  assert.equal(i.bytesReceived, 5);
  assert.equal(i.dataSegsOut, 3);
  assert.equal(i.dataSegsIn, 1);
  assert.equal(i.totalRetrans, 0);
  assert.equal(i.cwndSegments, Math.floor(i.cwnd / i.mss));
  assert.deepEqual(i.options, { wscale: [7, 10], sack: true, timestamps: true, ecn: false, ecnSeen: false }); // the buffer may autotune up to tcp_rmem[2] = 32 MiB → our shift 10, as Linux
});
