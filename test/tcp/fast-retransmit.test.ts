import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest, type TcpTest } from '../helpers/tcp-test.js';

// Our ISN is 1000, the peer's 5000; the peer offers MSS 1460 and no SACK or timestamps,
// so every data segment carries 1460 bytes and segment k (0-based) starts at 1001 + 1460·k.
const MSS = 1460;
const seg = (k: number) => 1001 + MSS * k;

/** The peer ACKs `ack`; returns "seq+len" of what we sent in answer, R marking retransmissions. */
function ack(t: TcpTest, a: number): string[] {
  t.send({ flags: 'ACK', seq: 5001, ack: a, window: 65535 });
  return t.out.splice(0).map((s) => `${s.seq}+${s.payload.length}${s.rtx ? 'R' : ''}`);
}

function sendBulk(t: TcpTest, bytes: number): void {
  t.user.send(new Uint8Array(bytes));
}

test('D7 fast retransmit after three duplicate ACKs (NewReno): the hole is resent at once, not after the RTO', () => {
  const t = tcpTest({ cfg: { congestionControl: 'newreno' } });
  t.establishActive();
  sendBulk(t, 14_600); // exactly the initial window: 10 segments (RFC 6928)
  assert.deepEqual(
    t.out.splice(0).map((s) => s.seq),
    Array.from({ length: 10 }, (_, k) => seg(k)),
  );
  // Segment 1 is lost; segments 2, 3 and 4 each draw a duplicate ACK for seg(1).
  assert.deepEqual(ack(t, seg(1)), []); // segment 0 acknowledged: nothing new to send
  assert.deepEqual(ack(t, seg(1)), [], 'first duplicate ACK: no retransmission');
  assert.deepEqual(ack(t, seg(1)), [], 'second duplicate ACK: no retransmission');
  assert.equal(t.c.info().caState, 'disorder');
  assert.deepEqual(ack(t, seg(1)), [`${seg(1)}+1460R`], 'third duplicate ACK: fast retransmit of the first unacknowledged segment');
  const i = t.c.info();
  assert.equal(i.caState, 'recovery');
  assert.equal(i.fastRetransmits, 1);
  // RFC 5681 §3.2 step 2: ssthresh = max(FlightSize / 2, 2·SMSS) with FlightSize = 9 segments outstanding.
  assert.equal(i.ssthresh, Math.floor((9 * MSS) / 2));
  assert.equal(t.now, 0, 'all of it without waiting for a timer');
});

test('D7 fewer than three duplicate ACKs never trigger a retransmission; the RTO does', () => {
  const t = tcpTest({ cfg: { congestionControl: 'newreno' } });
  t.establishActive();
  sendBulk(t, 3 * MSS);
  t.out.length = 0;
  assert.deepEqual(ack(t, seg(0)), []);
  assert.deepEqual(ack(t, seg(0)), []);
  t.advance(999);
  t.recvNothing();
  t.advance(1);
  const r = t.recv({ flags: 'ACK', seq: seg(0), len: MSS });
  assert.equal(r.rtx, true);
  assert.equal(t.c.info().caState, 'loss');
});

test('D7 limited transmit (RFC 3042): each of the first two duplicate ACKs releases one new segment', () => {
  const t = tcpTest({ cfg: { congestionControl: 'newreno' } });
  t.establishActive();
  sendBulk(t, 30 * MSS);
  assert.equal(t.out.splice(0).length, 10, 'initial window');
  assert.deepEqual(ack(t, seg(1)), [`${seg(10)}+1460`, `${seg(11)}+1460`], 'slow start: one segment acked, two sent');
  assert.deepEqual(ack(t, seg(1)), [`${seg(12)}+1460`], 'duplicate 1: one new segment');
  assert.deepEqual(ack(t, seg(1)), [`${seg(13)}+1460`], 'duplicate 2: one new segment');
  assert.deepEqual(ack(t, seg(1)), [`${seg(1)}+1460R`], 'duplicate 3: fast retransmit, no new data (cwnd halved)');
});

test('D7 NewReno (RFC 6582): duplicate ACKs inflate the window, a partial ACK resends the next hole, the full ACK ends recovery', () => {
  const t = tcpTest({ cfg: { congestionControl: 'newreno' } });
  t.establishActive();
  sendBulk(t, 40 * MSS);
  t.out.length = 0; // segments 0–9
  // Segments 1 and 4 are lost. Segment 0 is ACKed (two more go out), then duplicates arrive.
  assert.deepEqual(ack(t, seg(1)), [`${seg(10)}+1460`, `${seg(11)}+1460`]);
  ack(t, seg(1)); // limited transmit: seg 12
  ack(t, seg(1)); // limited transmit: seg 13
  assert.deepEqual(ack(t, seg(1)), [`${seg(1)}+1460R`]);
  const flightAtLoss = seg(14) - seg(1);
  assert.equal(t.c.info().ssthresh, Math.floor(flightAtLoss / 2));
  // cwnd = ssthresh + 3·SMSS, +1 SMSS per further duplicate: new data flows once that exceeds the flight.
  const extra: string[] = [];
  for (let k = 0; k < 8; k++) extra.push(...ack(t, seg(1)));
  assert.ok(extra.length > 0 && extra.every((s) => !s.endsWith('R')), `inflation releases new data: ${extra.join(' ')}`);
  // The retransmission arrives: a partial ACK up to the second hole (segment 4) → resent at once.
  const partial = ack(t, seg(4));
  assert.equal(partial[0], `${seg(4)}+1460R`, `partial ACK: ${partial.join(' ')}`);
  assert.equal(t.c.info().caState, 'recovery');
  // Everything up to the recovery point is acknowledged: recovery ends with cwnd = ssthresh.
  ack(t, t.c.sndNxt);
  const i = t.c.info();
  assert.equal(i.caState, 'open');
  assert.equal(i.cwnd, i.ssthresh);
  assert.equal(i.fastRetransmits, 1, 'one recovery episode for both holes');
});

test('D7 with CUBIC, the multiplicative decrease is β = 0.7 (RFC 9438 §4.6)', () => {
  const t = tcpTest({ cfg: { congestionControl: 'cubic' } });
  t.establishActive();
  sendBulk(t, 14_600);
  t.out.length = 0;
  for (let k = 0; k < 3; k++) ack(t, seg(1));
  assert.deepEqual(ack(t, seg(1)), [`${seg(1)}+1460R`]);
  const i = t.c.info();
  assert.equal(i.congestionControl, 'cubic');
  assert.equal(i.ssthresh, Math.floor(9 * MSS * 0.7));
  // During recovery cwnd is PRR's (RFC 9937, as Linux), no longer ssthresh at once: pipe = 9 in flight − 3 shown
  // delivered by duplicate ACKs − 1 lost = 5 segments, below ssthresh (6.3), so the reduction bound allows one
  // segment on this ACK (the fast retransmission): cwnd = 6 segments.
  assert.equal(i.cwnd, 6 * MSS);
  assert.ok(i.cwnd < i.ssthresh + MSS);
});

test('D7 no second fast retransmit for duplicates that do not pass the previous recovery point (RFC 6582 §3.2 "recover")', () => {
  const t = tcpTest({ cfg: { congestionControl: 'newreno' } });
  t.establishActive();
  sendBulk(t, 40 * MSS);
  t.out.length = 0;
  ack(t, seg(1));
  for (let k = 0; k < 3; k++) ack(t, seg(1)); // limited transmit ×2, then fast retransmit
  const recover = seg(14); // SND.NXT when the loss was detected
  for (let k = 0; k < 8; k++) ack(t, seg(1)); // inflation sends new data beyond `recover`
  assert.ok(t.c.sndNxt > recover);
  ack(t, recover); // full ACK: exactly the recovery point
  assert.equal(t.c.info().caState, 'open');
  // Three duplicates of an ACK that does not cover more than `recover` (e.g. caused by the
  // retransmission reaching a receiver that already had the data) start no new recovery.
  for (let k = 0; k < 3; k++) assert.deepEqual(ack(t, recover).filter((x) => x.endsWith('R')), []);
  assert.equal(t.c.info().fastRetransmits, 1);
});
