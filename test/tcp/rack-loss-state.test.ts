/**
 * RACK after an RTO (RFC 8985 §6.2 runs on every ACK, whatever the state):
 * a retransmission of the go-back-N pass that is lost again is found once
 * data sent after it is SACKed, and sent again at once, as Linux does in its
 * Loss state (tcp_identify_packet_loss marks it lost, FLAG_LOST_RETRANS, and
 * tcp_xmit_retransmit_queue resends it) — not one backed-off RTO later.
 * A serve --trace run against Linux at 20 % loss waited 3.2, 6.4 and then
 * 12.8 s here, and curl gave up. TCP-BEHAVIOR P2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MSS, ack, establishSackSender, sent } from '../helpers/sack-sender.js';
import { tcpTest, type TcpTest } from '../helpers/tcp-test.js';
import type { TcpConfig } from '../../src/tcp/config.js';
import type { OutSegment } from '../../src/tcp/segment.js';

const RTT = 40;

/**
 * Ten segments out and every ACK lost: the tail loss probe sends 10, then the RTO resends 0.
 * The peer then ACKs 0 and SACKs 2–10 (1 was lost).
 */
function lossStateWithHole(): ReturnType<typeof establishSackSender> {
  const t = establishSackSender(RTT);
  t.user.send(new Uint8Array(20 * MSS));
  assert.equal(sent(t).length, 10);
  const out: string[] = [];
  for (let i = 0; i < 5000 && !out.includes('0R'); i++) {
    t.advance(1);
    out.push(...sent(t));
  }
  assert.deepEqual(out, ['10', '0R'], 'the probe, then the RTO');
  assert.equal(t.c.info().caState, 'loss');
  t.advance(RTT);
  ack(t, 1, [[2, 11]]);
  return t;
}

test('P2 RACK in the Loss state: a go-back-N retransmission lost again is sent again once later data is SACKed, without a second RTO', () => {
  const t = lossStateWithHole();
  const pass = sent(t);
  assert.equal(pass[0], '1R', `the pass resends the hole first: ${pass.join(' ')}`);
  assert.ok(pass.length >= 2 && pass.slice(1).every((s) => !s.endsWith('R')), `then new data: ${pass.join(' ')}`);
  const lastNew = Number(pass[pass.length - 1]);
  // 1R is lost again; the new data sent after it arrives and is SACKed.
  t.advance(RTT);
  ack(t, 1, [[2, lastNew + 1]]);
  const again = sent(t);
  assert.equal(again[0], '1R', `the lost retransmission, at once: ${again.join(' ')}`);
  assert.equal(again.filter((s) => s.endsWith('R')).length, 1, 'only segment 1');
  assert.equal(t.counts.TCPLostRetransmit, 1);
  assert.equal(t.counts.TCPTimeouts, 1, 'only the first RTO');
});

test('P2 RACK in the Loss state: SACKs of data sent before the retransmission do not mark it lost', () => {
  const t = lossStateWithHole();
  assert.equal(sent(t)[0], '1R');
  // The same SACK again (a duplicate ACK for data sent before 1R): no second retransmission.
  t.advance(1);
  ack(t, 1, [[2, 11]]);
  assert.deepEqual(sent(t).filter((s) => s.endsWith('R')), []);
  assert.equal(t.counts.TCPLostRetransmit, undefined);
});

/** MSS 1460 less the 12-octet timestamp option. */
const MSS_TS = 1448;
/** First octet of data segment n, timestamps on. */
const k = (n: number): number => 1001 + MSS_TS * n;

/** Our connect with SACK and timestamps, the peer's SYN-ACK one RTT later echoing our SYN's TSval. */
function establishTs(cfg: Partial<TcpConfig>): TcpTest {
  const t = tcpTest({ cfg: { sack: true, timestamps: true, ...cfg } });
  t.user.connect();
  const syn = t.recv({ flags: 'SYN', seq: 1000 });
  t.advance(RTT);
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, window: 65535, options: { mss: 1460, sackPermitted: true, ts: { val: 1, ecr: syn.options.ts!.val } } });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001 });
  return t;
}

test('P2 RTT from a SACK (timestamps on): a newly SACKed segment sent once is a sample, and the RTO leaves its backoff', () => {
  const t = establishTs({});
  const name = (s: OutSegment): string => `${(s.seq - 1001) / MSS_TS}${s.rtx ? 'R' : ''}`;
  /** The peer ACKs `upTo` and SACKs `blocks`, echoing `ecr` (Linux echoes TS.Recent, stale while it lacks in-order data). */
  const peerAck = (upTo: number, ecr: number, blocks: Array<[number, number]> = []): void =>
    t.send({ flags: 'ACK', seq: 5001, ack: k(upTo), window: 65535, options: { ts: { val: 2, ecr }, ...(blocks.length ? { sack: blocks.map(([a, b]) => [k(a), k(b)] as [number, number]) } : {}) } });
  t.user.send(new Uint8Array(30 * MSS_TS));
  const first = t.out.splice(0);
  assert.equal(first.length, 10);
  // Every ACK lost: the tail loss probe sends 10, then two RTOs resend 0 and back off.
  const out: OutSegment[] = [];
  for (let i = 0; i < 10_000 && out.filter((s) => s.rtx).length < 2; i++) {
    t.advance(1);
    out.push(...t.out.splice(0));
  }
  assert.deepEqual(out.map(name), ['10', '0R', '0R']);
  assert.equal(t.c.info().backoff, 2);
  const backedOff = t.c.info().rto;
  // 0–10 arrive; the ACK echoes the first 0R's TSval (not an original's: no Eifel undo), older than the
  // last retransmission: no sample (sender.ts, Karn's ambiguity) and the backoff stays.
  const staleEcr = out[1]!.options.ts!.val;
  assert.ok(staleEcr < out[2]!.options.ts!.val);
  t.advance(RTT);
  peerAck(10, staleEcr);
  assert.equal(t.c.info().caState, 'loss');
  assert.equal(t.c.info().backoff, 2, 'no sample from a stale TSecr');
  const pass = t.out.splice(0).map(name);
  assert.equal(pass[0], '10R', pass.join(' '));
  const fresh = pass.filter((s) => !s.endsWith('R'));
  assert.ok(fresh.length > 0, `new data after the pass: ${pass.join(' ')}`);
  // 10R is lost; the new data sent once arrives and is SACKed, one RTT later: a sample, and the backoff is gone.
  t.advance(RTT);
  peerAck(10, staleEcr, [[11, Number(fresh.at(-1)) + 1]]);
  assert.equal(t.c.info().backoff, 0, 'the SACK gave a sample');
  assert.ok(t.c.info().rto < backedOff, `RTO ${t.c.info().rto} < ${backedOff}`);
});

test('P2 RTT from a SACK: the most recently sent segment SACKed is timed, not one whose ACKs were lost', () => {
  const t = establishTs({ tlp: false, tsOffset: 1000 }); // TSecr 0 means none: our first TSval is 1000
  assert.equal(t.c.info().srtt, RTT);
  t.user.send(new Uint8Array(2 * MSS_TS)); // 0 and 1; every ACK for them is lost
  t.advance(100);
  t.user.send(new Uint8Array(2 * MSS_TS)); // 2 and 3, 100 ms later
  assert.equal(t.out.splice(0).length, 4);
  t.advance(RTT);
  // 0 was lost: the first ACK to get through SACKs 1–3. Segment 1 waited 140 ms for it, segment 3 one RTT.
  t.send({ flags: 'ACK', seq: 5001, ack: k(0), window: 65535, options: { ts: { val: 2, ecr: 1000 }, sack: [[k(1), k(4)]] } });
  assert.equal(t.c.info().srtt, RTT, 'a 40 ms sample, not 140');
});
