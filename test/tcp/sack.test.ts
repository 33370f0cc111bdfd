import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest, type TcpTest } from '../helpers/tcp-test.js';
import type { TcpConfig } from '../../src/tcp/config.js';

// Our ISN is 1000, the peer's 5000. The peer offers MSS 1460 and SACK (RFC 2018), no timestamps.
const MSS = 1460;
const seg = (k: number) => 1001 + MSS * k;

function establishSack(cfg: Partial<TcpConfig> = {}): TcpTest {
  const t = tcpTest({ cfg: { sack: true, ...cfg } });
  t.user.connect();
  const syn = t.recv({ flags: 'SYN', seq: 1000 });
  assert.equal(syn.options.sackPermitted, true);
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, window: 65535, options: { mss: MSS, sackPermitted: true } });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001 });
  assert.equal(t.c.info().options.sack, true);
  return t;
}

/** The peer sends a pure ACK with SACK blocks (segment indices, [from, to)); returns what we sent, R = retransmission. */
function sackAck(t: TcpTest, ackSeg: number, blocks: Array<[number, number]>): string[] {
  t.send({ flags: 'ACK', seq: 5001, ack: seg(ackSeg), window: 65535, options: { sack: blocks.map(([a, b]) => [seg(a), seg(b)] as [number, number]) } });
  return t.out.splice(0).map((s) => `${(s.seq - 1001) / MSS}${s.rtx ? 'R' : ''}+${s.payload.length}`);
}

test('D7 SACK recovery (RFC 6675) retransmits only the holes', () => {
  const t = establishSack({ congestionControl: 'newreno' });
  t.user.send(new Uint8Array(10 * MSS));
  assert.equal(t.out.splice(0).length, 10);
  // Segments 1, 4 and 7 are lost; every other one arrives and is SACKed.
  const sent: string[] = [];
  sent.push(...sackAck(t, 1, [])); // segment 0 arrives: a plain cumulative ACK
  sent.push(...sackAck(t, 1, [[2, 3]]));
  sent.push(...sackAck(t, 1, [[2, 4]]));
  sent.push(...sackAck(t, 1, [[5, 6], [2, 4]]));
  assert.equal(t.c.info().caState, 'recovery');
  sent.push(...sackAck(t, 1, [[5, 7], [2, 4]]));
  sent.push(...sackAck(t, 1, [[8, 9], [5, 7], [2, 4]]));
  sent.push(...sackAck(t, 1, [[8, 10], [5, 7], [2, 4]]));
  assert.deepEqual(sent, ['1R+1460', '4R+1460', '7R+1460'], 'the three holes, each once, nothing the peer already holds');
  const i = t.c.info();
  assert.equal(i.sacked, 6 * MSS);
  assert.equal(i.fastRetransmits, 1);
  // The retransmissions arrive: the cumulative ACK passes the recovery point and recovery ends.
  assert.deepEqual(sackAck(t, 10, []), []);
  assert.equal(t.c.info().caState, 'open');
  assert.equal(t.c.info().sacked, 0);
});

test('D7 SACK: loss is detected from the scoreboard (IsLost) even when duplicate ACKs are too few', () => {
  const t = establishSack();
  t.user.send(new Uint8Array(10 * MSS));
  t.out.length = 0;
  // One ACK (the others were lost) SACKs three segments above the hole: more than (DupThresh − 1)·SMSS.
  assert.deepEqual(sackAck(t, 0, [[1, 4]]), ['0R+1460']);
  assert.equal(t.c.info().caState, 'recovery');
});

test('D7 SACK: partial ACKs during recovery keep filling holes; new data follows when none is left (NextSeg rule 2)', () => {
  const t = establishSack({ congestionControl: 'newreno' });
  t.user.send(new Uint8Array(30 * MSS));
  assert.equal(t.out.splice(0).length, 10);
  sackAck(t, 1, []); // segment 0 acked: slow start sends 10 and 11
  // RACK (RFC 8985 §6.2): in this zero-time exchange min_RTT is 0, so reo_wnd is 0 and the first SACK above the
  // hole marks segment 1 lost (with DupThresh, rack: false, it took the third duplicate ACK).
  const fr = sackAck(t, 1, [[2, 3]]);
  assert.equal(fr[0], '1R+1460');
  assert.equal(t.c.info().caState, 'recovery');
  assert.deepEqual(sackAck(t, 1, [[2, 4]]).filter((x) => x.includes('R')), [], 'no second retransmission of 1');
  sackAck(t, 1, [[2, 5]]);
  // The peer gets segment 1 and everything up to 12 except 7: a partial ACK with one SACK block.
  const after = sackAck(t, 7, [[8, 12]]);
  assert.equal(after[0], '7R+1460', `hole 7 resent first: ${after.join(' ')}`);
  assert.ok(!after.some((x) => /^(8|9|10|11)R/.test(x)), `SACKed data is never resent: ${after.join(' ')}`);
  assert.ok(after.includes('14+1460'), `then new data as the pipe allows: ${after.join(' ')}`);
  assert.ok(t.c.info().pipe <= t.c.info().cwnd, 'pipe stays within cwnd');
});

test('D7 after an RTO, SACKs still spare the retransmission what they cover', () => {
  const t = establishSack({ congestionControl: 'newreno', tlp: false }); // about the RTO itself: no loss probe first
  t.user.send(new Uint8Array(6 * MSS));
  t.out.length = 0;
  t.advance(1000); // everything lost: RTO
  assert.deepEqual(t.out.splice(0).map((s) => `${(s.seq - 1001) / MSS}${s.rtx ? 'R' : ''}`), ['0R']);
  assert.equal(t.c.info().caState, 'loss');
  // The retransmitted segment 0 arrives, and the peer also holds 2–3 (they were only delayed).
  const next = sackAck(t, 1, [[2, 4]]);
  assert.deepEqual(next, ['1R+1460', '4R+1460'], 'slow start resends 1, skips the SACKed 2–3, goes on with 4');
});

// A receiver reports at most 3–4 SACK islands per ACK. Forgetting the scoreboard at an RTO (RFC 2018 §8's
// SHOULD) made go-back-N resend every island not reported again — on a reordering path against Linux, hundreds
// of segments D-SACKed back. Linux (tcp_timeout_mark_lost) keeps the SACK marks unless the receiver reneged.
test('D7 an RTO keeps the SACK scoreboard: islands the peer no longer reports are not resent', () => {
  const t = establishSack({ tlp: false });
  t.user.send(new Uint8Array(10 * MSS));
  assert.equal(t.out.splice(0).length, 10);
  // 0, 2, 4, 6 and 8 are lost; the peer SACKs 1, 3, 5, 7 and 9, one ACK each, newest island first (RFC 2018 §4).
  sackAck(t, 0, [[1, 2]]);
  sackAck(t, 0, [[3, 4], [1, 2]]);
  sackAck(t, 0, [[5, 6], [3, 4], [1, 2]]);
  sackAck(t, 0, [[7, 8], [5, 6], [3, 4]]);
  sackAck(t, 0, [[9, 10], [7, 8], [5, 6]]);
  // Every retransmission made in recovery is lost too; the RTO fires.
  for (let i = 0; i < 20 && t.c.info().caState !== 'loss'; i++) {
    t.out.length = 0;
    t.advance(100);
  }
  assert.equal(t.c.info().caState, 'loss');
  const afterRto = t.out.splice(0).map((s) => `${(s.seq - 1001) / MSS}${s.rtx ? 'R' : ''}`);
  assert.deepEqual(afterRto, ['0R'], 'go-back-N starts at SND.UNA with cwnd 1');
  // 0 arrives: the cumulative ACK moves past 1, and the ACK reports the three newest islands only (9, 7, 5).
  const next = sackAck(t, 2, [[9, 10], [7, 8], [5, 6]]);
  assert.deepEqual(next.slice(0, 2), ['2R+1460', '4R+1460'], `slow start resends the holes 2 and 4, not the SACKed 3: ${next.join(' ')}`);
  assert.ok(next.every((x) => /^[02468]R/.test(x)), `only holes are resent: ${next.join(' ')}`);
  assert.equal(t.counts.TCPSACKReneging ?? 0, 0);
});

test('D7 an RTO forgets the scoreboard when the peer reneged: SND.UNA itself was SACKed but never acknowledged', () => {
  const t = establishSack({ tlp: false });
  t.user.send(new Uint8Array(4 * MSS));
  assert.equal(t.out.splice(0).length, 4);
  // The peer SACKs 0–3 without acknowledging them: it holds them only until it drops them (RFC 2018 §8).
  sackAck(t, 0, [[0, 4]]);
  t.out.length = 0;
  for (let i = 0; i < 40 && t.c.info().caState !== 'loss'; i++) {
    t.out.length = 0;
    t.advance(100);
  }
  assert.equal(t.c.info().caState, 'loss');
  assert.deepEqual(t.out.splice(0).map((s) => `${(s.seq - 1001) / MSS}${s.rtx ? 'R' : ''}`), ['0R'], 'SND.UNA is resent although it was SACKed');
  assert.equal(t.counts.TCPSACKReneging, 1);
  // The peer acknowledges 0 only: 1–3 are no longer taken as held, so they are resent.
  assert.deepEqual(sackAck(t, 1, []), ['1R+1460', '2R+1460']);
});

test('D3 a data segment that carries SACK blocks shrinks its payload so the packet still fits the MSS', () => {
  const t = establishSack();
  // The peer's data arrives with a hole: our ACKs now carry one SACK block (2 + 8 bytes, padded to 12).
  t.send({ flags: 'ACK', seq: 5101, ack: 1001, payload: new Uint8Array(100) });
  const dup = t.recv({ flags: 'ACK', ack: 5001 });
  assert.deepEqual(dup.options.sack, [[5101, 5201]]);
  t.user.send(new Uint8Array(3000));
  const s1 = t.recv({ flags: 'ACK', seq: 1001 });
  assert.deepEqual(s1.options.sack, [[5101, 5201]]);
  assert.equal(s1.payload.length, MSS - 12, 'MSS less NOP,NOP,SACK(1 block)');
});

// Issue 10 #8: the same segment must not go out twice at one instant unless a timer fired in between.
// Lost-retransmission detection took SACKs of data sent *before* a hole's retransmission (but after the
// recovery began) as proof that the retransmission was lost, and sent the hole again at once. Linux
// (tcp_mark_lost_retrans, RACK) counts only data sent after the retransmission.
test('D7 a hole retransmitted during SACK recovery is not sent again at the same instant because data sent before it is SACKed', () => {
  // The RFC 6675 fallback's lost-retransmission rule (rack: false). Scripted in zero time, the ACKs here SACK data
  // sent *after* 7's retransmission, which RACK rightly takes as that retransmission's loss; RACK's own version of
  // this check, with times that can happen, is in rack.test.ts.
  const t = establishSack({ congestionControl: 'newreno', rack: false });
  t.user.send(new Uint8Array(40 * MSS));
  assert.equal(t.out.splice(0).length, 10); // segments 0–9
  const sent: string[] = [];
  // Segment 0 is lost: three duplicate ACKs SACK 1–3, fast retransmit of 0; recovery point = segment 10.
  sent.push(...sackAck(t, 0, [[1, 2]]), ...sackAck(t, 0, [[1, 3]]), ...sackAck(t, 0, [[1, 4]]));
  // Segment 0's retransmission arrives, and 1–6; 7 is lost too but only one segment above it is SACKed yet:
  // not lost yet, so new data goes out.
  sent.push(...sackAck(t, 7, [[8, 9]]));
  // More SACKs above 7, of data sent before 7 is retransmitted: 7 is lost now and is retransmitted.
  sent.push(...sackAck(t, 7, [[8, 12]]));
  sent.push(...sackAck(t, 7, [[8, 14]]));
  sent.push(...sackAck(t, 7, [[8, 16]]));
  const rtx7 = sent.filter((s) => s === '7R+1460').length;
  assert.equal(rtx7, 1, `segment 7 retransmitted once at this instant: ${sent.join(' ')}`);
});
