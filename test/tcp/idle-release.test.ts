/**
 * Buffers and loss-detection state on demand (issue 11, TCP-BEHAVIOR R9, P2, P3): a connection gone idle
 * after use lets RACK, its receive queue, its reassembly and a taken D-SACK report go, as Linux frees skbs
 * once acknowledged or read, and keeps in a few scalars what later behaviour depends on (RACK's min_RTT and
 * its reordering-window memory, as Linux keeps tcp_sock.rack). These tests check that the parts are gone
 * while idle, and that loss, reordering, a D-SACK and an RTO after the idle spell are handled exactly as
 * RFC 8985 / RFC 6298 say for a connection that never let anything go: the reordering window in use after
 * the spell is the one learned before it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnPair } from './conn-pair.js';
import { MSS, ack, establishSackSender, sent } from '../helpers/sack-sender.js';
import type { TcpTest } from '../helpers/tcp-test.js';

const RTT = 40;
/** RACK's reordering window with reo_wnd_mult = 1 and min_RTT = RTT (RFC 8985 §6.2 step 4: min_RTT / 4). */
const REO = RTT / 4;

/** Parts of a TCB that an idle connection must not hold. */
const IDLE_FREE = ['send-buffer', 'receive-queue', 'reassembly', 'dsack', 'rack'];

function assertIdleFree(t: TcpTest, when: string): void {
  const held = t.c.heldParts.filter((p) => IDLE_FREE.includes(p));
  assert.deepEqual(held, [], `${when}: an idle connection holds ${held.join(', ')}`);
}

/** Four segments (k .. k+3) of new data, all sent at once. */
function sendFour(t: TcpTest, k: number): void {
  t.user.send(new Uint8Array(4 * MSS));
  assert.deepEqual(sent(t), [String(k), String(k + 1), String(k + 2), String(k + 3)]);
}

/**
 * Segments 0–3 out; the peer SACKs 1, then ACKs everything 5 ms later: segment 0 came late but was never
 * retransmitted (RACK's timer for it was due 10 ms after the SACK), so the network reordered it and RACK
 * sets reordering_seen (RFC 8985 §6.2 step 3).
 */
function reorderThenIdle(): TcpTest {
  const t = establishSackSender(RTT);
  sendFour(t, 0);
  t.advance(RTT);
  ack(t, 0, [[1, 2]]);
  assert.deepEqual(sent(t), []);
  t.advance(REO / 2);
  ack(t, 4);
  assert.deepEqual(sent(t), [], 'segment 0 arrived: nothing to retransmit');
  assert.equal(t.counts.TCPSACKReorder, 1, 'RACK saw the reordering');
  t.advance(1000);
  assertIdleFree(t, 'after the reordered burst');
  t.expectState('ESTABLISHED');
  return t;
}

test('P2 after an idle spell RACK keeps reordering_seen: DupThresh SACKed segments wait out the reordering window, as they would had the connection never gone idle', () => {
  const t = reorderThenIdle();
  sendFour(t, 4);
  t.advance(RTT);
  // Three segments SACKed (DupThresh): with reordering seen the window stays min_RTT/4; without, it would be
  // 0 and segment 4 would go at once (RFC 8985 §6.2 step 4).
  ack(t, 4, [[5, 8]]);
  assert.deepEqual(sent(t), [], 'no retransmission before RACK.rtt + reo_wnd');
  t.advance(REO - 1);
  assert.deepEqual(sent(t), []);
  t.advance(1);
  assert.deepEqual(sent(t), ['4R'], 'segment 4 at xmit_ts + RACK.rtt + min_RTT/4');
  t.advance(RTT);
  ack(t, 8);
  t.expectState('ESTABLISHED');
  t.advance(1000);
  assertIdleFree(t, 'after the recovery');
});

test('P2 a connection that never saw reordering retransmits at once when DupThresh segments are SACKed after an idle spell (reo_wnd 0)', () => {
  const t = establishSackSender(RTT);
  sendFour(t, 0);
  t.advance(RTT);
  ack(t, 4);
  t.advance(1000);
  assertIdleFree(t, 'after a clean burst');
  sendFour(t, 4);
  t.advance(RTT);
  ack(t, 4, [[5, 8]]);
  assert.deepEqual(sent(t), ['4R'], 'RACK marks segment 4 lost at once');
  t.advance(RTT);
  ack(t, 8);
  t.expectState('ESTABLISHED');
});

test('P3 a D-SACK that arrives once everything is acknowledged and RACK was let go still widens the reordering window (RFC 8985 §6.2 step 4)', () => {
  const t = establishSackSender(RTT);
  sendFour(t, 0);
  t.advance(RTT);
  ack(t, 0, [[1, 4]]);
  assert.deepEqual(sent(t), ['0R'], 'DupThresh SACKed, no reordering seen: segment 0 at once');
  t.advance(RTT);
  ack(t, 4);
  t.advance(1);
  assertIdleFree(t, 'all acknowledged');
  // The original segment 0 was only delayed: the peer reports the retransmission as a duplicate.
  ack(t, 4, [[0, 1]]);
  assert.equal(t.counts.TCPDSACKRecv, 1, 'the D-SACK was taken');
  // RACK was made again for it and let go again at the end of the ACK (its D-SACK round ends at SND.NXT,
  // which this ACK already reached): reo_wnd_mult 2 stays in the sender.
  t.advance(1000);
  assertIdleFree(t, 'after the D-SACK round');
  sendFour(t, 4);
  t.advance(RTT);
  // One segment SACKed (below DupThresh): reo_wnd = reo_wnd_mult · min_RTT / 4 = 2 · REO after the D-SACK.
  ack(t, 4, [[5, 6]]);
  assert.deepEqual(sent(t), []);
  t.advance(2 * REO - 1);
  assert.deepEqual(sent(t), [], 'the window is twice min_RTT/4: not yet');
  t.advance(1);
  assert.deepEqual(sent(t), ['4R'], 'segment 4 at xmit_ts + RACK.rtt + 2·min_RTT/4');
  t.advance(RTT);
  ack(t, 8);
  t.expectState('ESTABLISHED');
});

test('D4 after an idle spell the retransmission timer runs on the RTO learned before it (RFC 6298), and the RTO resends the lost segment', () => {
  const t = establishSackSender(RTT, { rack: false, tlp: false });
  sendFour(t, 0);
  t.advance(RTT);
  ack(t, 4);
  t.advance(5000);
  assertIdleFree(t, 'idle');
  const rto = t.c.info().rto;
  t.user.send(new Uint8Array(MSS));
  assert.deepEqual(sent(t), ['4']);
  // Every copy of segment 4 is lost: the RTO fires at the RTO of before the spell.
  t.advance(rto - 1);
  assert.deepEqual(sent(t), []);
  t.advance(1);
  assert.deepEqual(sent(t), ['4R']);
  t.advance(RTT);
  ack(t, 5);
  t.expectState('ESTABLISHED');
  assert.equal(t.counts.TCPTimeouts, 1);
  t.advance(1000);
  assertIdleFree(t, 'after the RTO');
});

test('R9 both ends of a connection that moved data both ways hold no buffers, reassembly, D-SACK report or RACK once idle', () => {
  const p = new ConnPair(1000, 9000, { sack: true, recvBufferSize: 64 * 1024, sendBufferSize: 64 * 1024 });
  p.open();
  p.drain();
  const a = p.a.conn!;
  const b = p.b.conn!;
  for (const c of [a, b]) assert.deepEqual(c.heldParts.filter((x) => IDLE_FREE.includes(x)), [], 'just established');
  const data = new Uint8Array(20_000).map((_, i) => i & 0xff);
  assert.equal(a.send(data, p.now), data.length);
  assert.equal(b.send(data.subarray(0, 3000), p.now), 3000);
  assert.ok(a.heldParts.includes('send-buffer') && a.heldParts.includes('rack'), 'made on demand');
  p.run(5000);
  assert.deepEqual(ConnPair.bytes(p.b), data);
  assert.deepEqual(ConnPair.bytes(p.a), data.subarray(0, 3000));
  for (const c of [a, b]) {
    assert.equal(c.state, 'ESTABLISHED');
    assert.deepEqual(c.heldParts.filter((x) => IDLE_FREE.includes(x)), [], `idle after use: ${c.heldParts.join(', ')}`);
    assert.equal(c.sendMemory, 0);
    assert.equal(c.receiveMemory, 0);
  }
});

test('R9 D3 a receiver that reassembled out-of-order data and reported a duplicate lets the reassembly, the D-SACK report and the queue go once all is read', () => {
  const t = establishSackSender(RTT);
  // The peer's data, as our receiver sees it: segment 2 (octets 5101–5200) before 1 (5001–5100), then 1 again.
  t.send({ flags: 'ACK', seq: 5101, ack: 1002, window: 65535, payload: 'b'.repeat(100) });
  const sackAck = t.recv({ flags: 'ACK', seq: 1002, ack: 5001 });
  assert.deepEqual(sackAck.options.sack, [[5101, 5201]], 'out of order: ACKed at once with its SACK block');
  assert.ok(t.c.heldParts.includes('reassembly'));
  t.send({ flags: 'ACK', seq: 5001, ack: 1002, window: 65535, payload: 'a'.repeat(100) });
  t.recv({ flags: 'ACK', seq: 1002, ack: 5201 });
  assert.ok(!t.c.heldParts.includes('reassembly'), 'the hole filled: reassembly gone');
  t.send({ flags: 'ACK', seq: 5001, ack: 1002, window: 65535, payload: 'a'.repeat(100) });
  const dsack = t.recv({ flags: 'ACK', seq: 1002, ack: 5201 });
  assert.deepEqual(dsack.options.sack, [[5001, 5101]], 'the duplicate reported (RFC 2883)');
  assert.equal(t.c.readableBytes, 200);
  assert.equal(new TextDecoder().decode(t.user.read()!), 'a'.repeat(100) + 'b'.repeat(100));
  assertIdleFree(t, 'all read');
  assert.equal(t.c.receiveMemory, 0);
  // And on demand again, at the stream position reached.
  t.send({ flags: 'ACK,PSH', seq: 5201, ack: 1002, window: 65535, payload: 'c' });
  t.recv({ flags: 'ACK', seq: 1002, ack: 5202 });
  assert.equal(new TextDecoder().decode(t.user.read()!), 'c');
  assertIdleFree(t, 'read again');
  t.expectState('ESTABLISHED');
});
